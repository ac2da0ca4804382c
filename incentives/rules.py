"""The rules of each program kind, with no I/O: validating a version's rules and computing
what a deal, a lead, a certificate or a referral earns under them. Services gather the facts
(incentives.services.compute) and write what these functions return.

Rates are percentages (10 = 10 %). Amounts are rounded half-up to cents once, per line.

Rule shapes (`ProgramVersion.rules`), per kind:

- commission: {"sourced_rate", "influenced_rate", "period": "quarter"|"month"|"year",
  "overrides": [{"tier", "product", "deal_type", "partner_type", "sourced_rate",
  "influenced_rate"}], "accelerators": [{"threshold", "multiplier"}]}. The most specific
  matching override wins (most filters set; the first listed on a tie); a rate it leaves out
  is the base rate. Accelerators multiply the sourced rate for the part of a deal's revenue
  above a threshold of the partner's sourced won revenue in the period (in the payout
  currency): a deal that crosses a threshold earns the base rate below it and the
  accelerated rate above it.
- referral: {"basis": "won_deal"|"accepted_lead", "mode": "flat"|"percent", "amount",
  "rate"}: per won deal the partner registered as a referral, or per vendor lead a partner
  accepted.
- rebate: {"period", "tiers": [{"threshold", "rate"}]}: the partner's sourced won revenue in
  the period times the rate of the highest tier reached, from the first unit (retroactive);
  each won or lost deal writes the difference to what the period has earned so far.
- spiff: {"starts_on", "ends_on", "trigger": "product"|"first_deal"|"certification",
  "product", "certification", "amount", "rate"}: a bonus for what happens inside the dates.
- partner_referral: {"amount"}: when a partner the partner referred becomes active.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from prm.errors import DomainError

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
PERIODS = ("month", "quarter", "year")
DIMENSIONS = ("tier", "product", "deal_type", "partner_type")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- Validation ---------------------------------------------------------------------------


def _dec(value, field_name: str, *, low=ZERO, high=None, allow_none=False) -> Decimal | None:
    if value in (None, ""):
        if allow_none:
            return None
        raise DomainError(_("Enter a number."), field=field_name)
    try:
        out = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter a number."), field=field_name)
    if not out.is_finite() or out < low or (high is not None and out > high):
        if high is not None:
            raise DomainError(
                _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
                field=field_name,
            )
        raise DomainError(_("Enter a number of at least %(low)s.") % {"low": low}, field=field_name)
    if abs(out) >= Decimal("1000000000000") or out != out.quantize(Decimal("0.0001")):
        raise DomainError(_("Use at most four decimal places."), field=field_name)
    return out


def _rate(value, field_name: str, allow_none=False):
    return _dec(value, field_name, high=HUNDRED, allow_none=allow_none)


def _date(value, field_name: str) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except (TypeError, ValueError):
        raise DomainError(_("Enter a date (YYYY-MM-DD)."), field=field_name)


def _s(value) -> str | None:
    return None if value is None else str(value)


def clean_rules(kind: str, rules: dict, *, known: dict | None = None) -> dict:
    """The rules of a version of a `kind` program, validated and normalised (numbers as
    strings). `known` maps dimension -> the set of valid values (tier and product ids,
    deal types, partner types, certification ids). DomainError names the bad field."""
    known = known or {}
    if not isinstance(rules, dict):
        raise DomainError(_("Enter the rules."), field="rules")
    if kind == "commission":
        period = rules.get("period") or "quarter"
        if period not in PERIODS:
            raise DomainError(_("Choose month, quarter or year."), field="period")
        out = {
            "sourced_rate": _s(_rate(rules.get("sourced_rate"), "sourced_rate")),
            "influenced_rate": _s(_rate(rules.get("influenced_rate") or 0, "influenced_rate")),
            "period": period,
            "overrides": [],
            "accelerators": [],
        }
        for row in rules.get("overrides") or []:
            o = {}
            for dim in DIMENSIONS:
                value = row.get(dim)
                if value in (None, ""):
                    o[dim] = None
                    continue
                value = int(value) if dim in ("tier", "product") and str(value).isdigit() else value
                if dim in known and value not in known[dim]:
                    raise DomainError(_("Choose a valid %(d)s.") % {"d": dim}, field="overrides")
                o[dim] = value
            if not any(o[d] is not None for d in DIMENSIONS):
                raise DomainError(
                    _("An override needs a tier, product, deal type or partner type."),
                    field="overrides",
                )
            o["sourced_rate"] = _s(_rate(row.get("sourced_rate"), "overrides", allow_none=True))
            o["influenced_rate"] = _s(
                _rate(row.get("influenced_rate"), "overrides", allow_none=True)
            )
            out["overrides"].append(o)
        seen = set()
        for row in rules.get("accelerators") or []:
            threshold = _dec(row.get("threshold"), "accelerators", low=CENT)
            multiplier = _dec(row.get("multiplier"), "accelerators", low=Decimal("1"))
            if threshold in seen:
                raise DomainError(_("Use each threshold once."), field="accelerators")
            seen.add(threshold)
            out["accelerators"].append({"threshold": str(threshold), "multiplier": str(multiplier)})
        out["accelerators"].sort(key=lambda a: Decimal(a["threshold"]))
        return out
    if kind == "referral":
        basis = rules.get("basis") or "won_deal"
        mode = rules.get("mode") or "flat"
        if basis not in ("won_deal", "accepted_lead"):
            raise DomainError(_("Choose won deal or accepted lead."), field="basis")
        if mode not in ("flat", "percent"):
            raise DomainError(_("Choose a flat fee or a percentage."), field="mode")
        out = {"basis": basis, "mode": mode, "amount": None, "rate": None}
        if mode == "flat":
            out["amount"] = _s(_dec(rules.get("amount"), "amount", low=CENT))
        else:
            out["rate"] = _s(_rate(rules.get("rate"), "rate"))
        return out
    if kind == "rebate":
        period = rules.get("period") or "quarter"
        if period not in PERIODS:
            raise DomainError(_("Choose month, quarter or year."), field="period")
        tiers = []
        for row in rules.get("tiers") or []:
            tiers.append(
                {
                    "threshold": str(_dec(row.get("threshold"), "tiers")),
                    "rate": str(_rate(row.get("rate"), "tiers")),
                }
            )
        if not tiers:
            raise DomainError(_("Add at least one volume tier."), field="tiers")
        tiers.sort(key=lambda t: Decimal(t["threshold"]))
        if len({t["threshold"] for t in tiers}) != len(tiers):
            raise DomainError(_("Use each threshold once."), field="tiers")
        return {"period": period, "tiers": tiers}
    if kind == "spiff":
        trigger = rules.get("trigger") or "product"
        if trigger not in ("product", "first_deal", "certification"):
            raise DomainError(_("Choose what earns the bonus."), field="trigger")
        starts = _date(rules.get("starts_on"), "starts_on")
        ends = _date(rules.get("ends_on"), "ends_on")
        if ends < starts:
            raise DomainError(_("The end comes before the start."), field="ends_on")
        out = {
            "trigger": trigger,
            "starts_on": starts,
            "ends_on": ends,
            "product": None,
            "certification": None,
            "amount": None,
            "rate": None,
        }
        if trigger == "product":
            product = rules.get("product")
            product = int(product) if str(product or "").isdigit() else None
            if product is None or ("product" in known and product not in known["product"]):
                raise DomainError(_("Choose the product."), field="product")
            out["product"] = product
            out["rate"] = _s(_rate(rules.get("rate"), "rate", allow_none=True))
        if trigger == "certification":
            cert = rules.get("certification")
            cert = int(cert) if str(cert or "").isdigit() else None
            if cert is not None and "certification" in known and cert not in known["certification"]:
                raise DomainError(_("Choose the certification."), field="certification")
            out["certification"] = cert
        if out["rate"] is None:
            out["amount"] = _s(_dec(rules.get("amount"), "amount", low=CENT))
        return out
    if kind == "partner_referral":
        return {"amount": _s(_dec(rules.get("amount"), "amount", low=CENT))}
    raise DomainError(_("Unknown program kind."), field="kind")


# --- Periods ------------------------------------------------------------------------------


def period_of(day: datetime.date, period: str) -> tuple[datetime.date, datetime.date]:
    """[start, end) of the month, quarter or year holding `day`."""
    if period == "month":
        start = day.replace(day=1)
        months = 1
    elif period == "year":
        start = day.replace(month=1, day=1)
        months = 12
    else:
        start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        months = 3
    y, m = divmod(start.month - 1 + months, 12)
    return start, datetime.date(start.year + y, m + 1, 1)


# --- Computation --------------------------------------------------------------------------


@dataclass
class Line:
    """One earning line a rule produces, before it is written."""

    partner_id: int
    role: str
    amount: Decimal
    currency: str
    base: Decimal | None = None
    share: Decimal | None = None
    rate: Decimal | None = None
    steps: list[dict] = field(default_factory=list)
    suffix: str = ""


@dataclass
class Party:
    """A partner credited on a deal: the one that registered it (sourced) or an approved
    influencer (influenced, with its share)."""

    partner_id: int
    partner_type: str
    tier_id: int | None
    role: str
    share: Decimal


def shares(influencers: list[tuple[int, Decimal]], model: str) -> dict[int, Decimal]:
    """Each influencer's share of the influenced revenue: even, or by weight (the tenant's
    attribution model, analytics' setting)."""
    if not influencers:
        return {}
    if model == "weighted":
        total = sum((w for _p, w in influencers), ZERO)
        if total <= 0:
            return {p: ZERO for p, _w in influencers}
        return {p: (w / total).quantize(Decimal("0.000001")) for p, w in influencers}
    even = (Decimal(1) / len(influencers)).quantize(Decimal("0.000001"))
    return {p: even for p, _w in influencers}


def commission_rate(rules: dict, *, party: Party, deal_type: str, product_ids) -> tuple:
    """(rate, the override used or None) for one party of a deal."""
    key = "sourced_rate" if party.role == "sourced" else "influenced_rate"
    facts = {
        "tier": party.tier_id,
        "deal_type": deal_type,
        "partner_type": party.partner_type,
    }
    best, best_n = None, 0
    for o in rules.get("overrides", []):
        ok = True
        for dim in DIMENSIONS:
            want = o.get(dim)
            if want is None:
                continue
            have = want in product_ids if dim == "product" else facts[dim] == want
            ok = ok and have
        n = sum(o.get(d) is not None for d in DIMENSIONS)
        if ok and n > best_n and o.get(key) is not None:
            best, best_n = o, n
    if best is not None:
        return Decimal(best[key]), best
    return Decimal(rules.get(key) or 0), None


def accelerated(
    revenue_fx: Decimal, prior_fx: Decimal, accelerators: list[dict]
) -> list[tuple[Decimal, Decimal]]:
    """The deal's revenue (in the payout currency) split into bands by the period's
    thresholds, given the partner's revenue before it: [(portion, multiplier)]."""
    bands = [(ZERO, Decimal(1))] + [
        (Decimal(a["threshold"]), Decimal(a["multiplier"])) for a in accelerators
    ]
    out = []
    lo, hi = prior_fx, prior_fx + revenue_fx
    for i, (start, mult) in enumerate(bands):
        end = bands[i + 1][0] if i + 1 < len(bands) else None
        a = max(lo, start)
        b = hi if end is None else min(hi, end)
        if b > a:
            out.append((b - a, mult))
    return out or [(revenue_fx, Decimal(1))]


def commission_lines(
    rules: dict,
    *,
    revenue: Decimal,
    currency: str,
    parties: list[Party],
    deal_type: str,
    product_ids,
    fx: Decimal | None,
    prior_fx: Decimal,
) -> list[Line]:
    """The commission of each party of a won deal, in the deal's currency. `fx` converts the
    deal's currency to the payout currency (None: no rate, so no accelerator applies);
    `prior_fx` is the sourced partner's revenue earlier in the period in the payout
    currency."""
    lines = []
    for party in parties:
        base = cents(revenue * party.share)
        rate, override = commission_rate(
            rules, party=party, deal_type=deal_type, product_ids=product_ids
        )
        steps = [
            {"step": "base", "revenue": str(revenue), "share": str(party.share), "base": str(base)},
            {
                "step": "rate",
                "rate": str(rate),
                "override": override,
            },
        ]
        if party.role == "sourced" and rules.get("accelerators") and fx:
            bands = accelerated(base * fx, prior_fx, rules["accelerators"])
            amount = ZERO
            for portion_fx, mult in bands:
                portion = portion_fx / fx
                part = portion * rate * mult / HUNDRED
                amount += part
                steps.append(
                    {
                        "step": "band",
                        "portion": str(cents(portion)),
                        "multiplier": str(mult),
                        "amount": str(cents(part)),
                    }
                )
            steps.insert(1, {"step": "prior_volume", "prior": str(prior_fx)})
            amount = cents(amount)
        else:
            amount = cents(base * rate / HUNDRED)
        if amount == 0:
            continue
        lines.append(
            Line(
                partner_id=party.partner_id,
                role=party.role,
                amount=amount,
                currency=currency,
                base=base,
                share=party.share,
                rate=rate,
                steps=steps,
                suffix=f"{party.role}:{party.partner_id}",
            )
        )
    return lines


def rebate_due(volume: Decimal, tiers: list[dict]) -> tuple[Decimal, Decimal]:
    """(rate, amount due) for a period's volume: the highest tier reached, applied to the
    whole volume from the first unit."""
    rate = ZERO
    for t in tiers:
        if volume >= Decimal(t["threshold"]):
            rate = Decimal(t["rate"])
    return rate, cents(volume * rate / HUNDRED)


def flat_or_percent(rules: dict, base: Decimal | None) -> tuple[Decimal, Decimal | None]:
    """(amount, rate or None) of a referral fee or a SPIFF."""
    if rules.get("rate") is not None:
        rate = Decimal(rules["rate"])
        return cents((base or ZERO) * rate / HUNDRED), rate
    return cents(Decimal(rules["amount"])), None


def in_window(rules: dict, day: datetime.date) -> bool:
    return rules["starts_on"] <= day.isoformat() <= rules["ends_on"]
