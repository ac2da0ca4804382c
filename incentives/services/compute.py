"""What each cause earns: a won deal (commission for the partner that registered it and its
influencers, referral fees, product and first-deal SPIFFs, the period's rebate), an accepted
vendor lead (referral fees), a certificate (certification SPIFFs), a referred partner that
became active (partner referral rewards); and taking it back when a won deal is lost.

The facts are read with a fixed number of queries per cause (the programs in force, the
deal's parties, the period volumes), the rules are applied by incentives.rules, and the lines
are written together by ledger.earnings_write. A transaction-level advisory lock per partner
serialises the computations that share a partner's period volume (two deals of one partner
won at once cannot both count the other's rebate), and each line's unique key makes a
computation that runs twice write nothing the second time."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import AnalyticsSettings
from dealreg.models import Deal, DealInfluencer, DealProduct, DealStatus
from incentives import rules as R
from incentives.models import (
    Earning,
    EarningKind,
    EarningStatus,
    IncentiveProgram,
    ProgramVersion,
    VersionStatus,
)
from incentives.services.ledger import earning_reverse_locked, earnings_write, new_earning
from incentives.sql import VOLUME_SQL
from mdf.selectors import rate_for
from partners.models import Partner, PartnerStatus
from prm.models import Member
from training.models import Certificate

LOCK_NAMESPACE = 720020  # pg_advisory_xact_lock(namespace, partner id): issue #20


def _lock_partner(partner_id: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, partner_id])


def attribution_model() -> str:
    """The tenant's influenced-revenue split (analytics' setting): "even" or "weighted"."""
    return AnalyticsSettings.objects.values_list("attribution_model", flat=True).first() or "even"


def end_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    ) - datetime.timedelta(microseconds=1)


def versions_in_force(kinds, at: datetime.datetime) -> list[ProgramVersion]:
    """The version in force at `at` of each active program of these kinds (the latest
    published version effective by then), with its program: one query."""
    rows = (
        ProgramVersion.objects.filter(
            status=VersionStatus.PUBLISHED,
            effective_from__lte=at,
            program__kind__in=list(kinds),
            program__is_active=True,
        )
        .select_related("program")
        .order_by("program_id", "-effective_from", "-version")
    )
    out, seen = [], set()
    for v in rows:
        if v.program_id not in seen:
            seen.add(v.program_id)
            out.append(v)
    return out


def volume(
    *,
    partner_id: int,
    currency: str,
    start: datetime.date,
    end: datetime.date,
    before: tuple[datetime.date, int] | None = None,
) -> Decimal:
    """The partner's sourced won revenue in [start, end) in `currency`; with `before`
    (closing day, deal id), only the deals won before that one."""
    with connection.cursor() as cur:
        cur.execute(
            VOLUME_SQL,
            {
                "t": connection_tenant(),
                "p": partner_id,
                "cur": currency,
                "ps": start,
                "pe": end,
                "before_day": before[0] if before else None,
                "before_id": before[1] if before else 0,
            },
        )
        return cur.fetchone()[0]


def connection_tenant() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT NULLIF(current_setting('prm.tenant_id', true), '')::bigint")
        return cur.fetchone()[0]


def parties(deal: Deal, model: str) -> list[R.Party]:
    """The partner that registered the deal (sourced, share 1) and its approved influencers
    (influenced, shares by the attribution model)."""
    partner = deal.partner
    out = [R.Party(partner.pk, partner.partner_type, partner.tier_id, "sourced", Decimal(1))]
    infl = list(
        DealInfluencer.objects.filter(deal=deal, status=DealInfluencer.Status.APPROVED)
        .exclude(partner_id=deal.partner_id)
        .select_related("partner")
        .order_by("id")
    )
    split = R.shares([(i.partner_id, i.weight) for i in infl], model)
    for i in infl:
        out.append(
            R.Party(
                i.partner_id,
                i.partner.partner_type,
                i.partner.tier_id,
                "influenced",
                split[i.partner_id],
            )
        )
    return out


def _facts(version: ProgramVersion, model: str, **more) -> dict:
    return {
        "program": version.program.name,
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "attribution_model": model,
    } | more


def deal_lines(
    deal: Deal, *, revenue: Decimal, on: datetime.date, projection: bool = False
) -> list[Earning]:
    """Unsaved lines a deal earns if won for `revenue` on `on` (rebates excepted: they
    depend on the whole period, see rebate_lines). For a projection, the partner's volume
    so far in the period stands for the volume before the deal."""
    model = attribution_model()
    product_ids = set(DealProduct.objects.filter(deal=deal).values_list("product_id", flat=True))
    versions = versions_in_force(
        ["commission", "referral", "spiff"], end_of_day(on) if not projection else timezone.now()
    )
    out: list[Earning] = []
    the_parties = None
    for v in versions:
        program, rules = v.program, v.rules
        common = {"version": v, "deal": deal}
        if program.kind == "commission":
            the_parties = the_parties or parties(deal, model)
            fx = rate_for(deal.currency, program.currency, on)
            start, end = R.period_of(on, rules.get("period", "quarter"))
            prior = volume(
                partner_id=deal.partner_id,
                currency=program.currency,
                start=start,
                end=end,
                before=None if projection else (on, deal.pk),
            )
            for line in R.commission_lines(
                rules,
                revenue=revenue,
                currency=deal.currency,
                parties=the_parties,
                deal_type=deal.deal_type,
                product_ids=product_ids,
                fx=fx,
                prior_fx=prior,
            ):
                out.append(
                    new_earning(
                        program=program,
                        on=on,
                        partner_id=line.partner_id,
                        kind=EarningKind.COMMISSION,
                        role=line.role,
                        base_amount=line.base,
                        share=line.share,
                        rate=line.rate,
                        amount=line.amount,
                        currency=line.currency,
                        key=f"deal:{deal.pk}:p{program.pk}:{line.suffix}",
                        computation=_facts(v, model, fx=str(fx) if fx else None, steps=line.steps),
                        **common,
                    )
                )
        elif program.kind == "referral":
            if rules.get("basis") != "won_deal" or deal.partner_role != "referral":
                continue
            amount, rate = R.flat_or_percent(rules, revenue)
            out.append(
                new_earning(
                    program=program,
                    on=on,
                    partner_id=deal.partner_id,
                    kind=EarningKind.REFERRAL,
                    role="sourced",
                    base_amount=revenue if rate is not None else None,
                    rate=rate,
                    amount=amount,
                    currency=deal.currency if rate is not None else program.currency,
                    key=f"deal:{deal.pk}:p{program.pk}:referral",
                    computation=_facts(v, model, steps=[{"step": "referral", **rules}]),
                    **common,
                )
            )
        elif program.kind == "spiff":
            if not R.in_window(rules, on):
                continue
            trigger = rules.get("trigger")
            if trigger == "product" and rules.get("product") in product_ids:
                key = f"deal:{deal.pk}:p{program.pk}:spiff"
            elif trigger == "first_deal" and not _won_before(deal, on, projection):
                key = f"first_deal:{deal.partner_id}:p{program.pk}"
            else:
                continue
            amount, rate = R.flat_or_percent(rules, revenue)
            out.append(
                new_earning(
                    program=program,
                    on=on,
                    partner_id=deal.partner_id,
                    kind=EarningKind.SPIFF,
                    role="sourced",
                    base_amount=revenue if rate is not None else None,
                    rate=rate,
                    amount=amount,
                    currency=deal.currency if rate is not None else program.currency,
                    key=key,
                    computation=_facts(v, model, steps=[{"step": "spiff", **rules}]),
                    **common,
                )
            )
    return [e for e in out if e.amount != 0]


def _won_before(deal: Deal, on: datetime.date, projection: bool) -> bool:
    qs = Deal.objects.filter(partner_id=deal.partner_id, status=DealStatus.WON).exclude(pk=deal.pk)
    if not projection:
        qs = qs.filter(closed_at__lte=on)
    return qs.exists()


def rebate_lines(
    *, partner_id: int, on: datetime.date, cause: str, deal: Deal | None = None
) -> list[Earning]:
    """For each rebate program in force on `on`: the partner's volume in the period now,
    the amount due on it at the tier reached (from the first unit), and a line for the
    difference to what the period has earned so far (positive when a threshold is crossed,
    negative when a lost deal takes the volume back under one)."""
    out = []
    for v in versions_in_force(["rebate"], end_of_day(on)):
        program, rules = v.program, v.rules
        start, end = R.period_of(on, rules.get("period", "quarter"))
        vol = volume(partner_id=partner_id, currency=program.currency, start=start, end=end)
        rate, due = R.rebate_due(vol, rules["tiers"])
        prefix = f"rebate:p{program.pk}:{partner_id}:{start.isoformat()}:"
        so_far = sum(
            Earning.objects.filter(key__startswith=prefix)
            .exclude(status=EarningStatus.REVERSED)
            .values_list("amount", flat=True),
            Decimal(0),
        )
        delta = due - so_far
        if delta == 0:
            continue
        out.append(
            new_earning(
                program=program,
                on=on,
                partner_id=partner_id,
                version=v,
                deal=deal,
                kind=EarningKind.REBATE,
                role="sourced",
                base_amount=vol,
                rate=rate,
                amount=delta,
                currency=program.currency,
                key=prefix + cause,
                computation=_facts(
                    v,
                    attribution_model(),
                    steps=[
                        {"step": "period", "start": start.isoformat(), "end": end.isoformat()},
                        {"step": "volume", "volume": str(vol)},
                        {"step": "rebate_rate", "rate": str(rate), "due": str(due)},
                        {"step": "earned_before", "amount": str(so_far)},
                        {"step": "difference", "amount": str(delta)},
                    ],
                ),
            )
        )
    return out


@transaction.atomic
def earnings_compute_for_deal(*, deal_id: int) -> list[Earning]:
    """What a won deal earns, written once (a second run finds every key and writes
    nothing). A deal that is no longer won earns nothing."""
    deal = Deal.objects.select_related("partner").filter(pk=deal_id).first()
    if deal is None or deal.status != DealStatus.WON:
        return []
    _lock_partner(deal.partner_id)
    on = deal.closed_at or timezone.localdate()
    revenue = deal.won_amount if deal.won_amount is not None else (deal.amount or Decimal(0))
    lines = deal_lines(deal, revenue=revenue, on=on)
    if not Earning.objects.filter(key__contains=f":deal{deal.pk}:won").exists():
        lines += rebate_lines(
            partner_id=deal.partner_id, on=on, cause=f"deal{deal.pk}:won", deal=deal
        )
    return earnings_write(earnings=lines)


@transaction.atomic
def earnings_reverse_for_deal(*, deal_id: int, reason: str = "") -> int:
    """A won deal was lost, refunded or cancelled: every line it earned is reversed (or
    clawed back once approved), and the period's rebate is settled again without it."""
    deal = Deal.objects.select_related("partner").filter(pk=deal_id).first()
    if deal is None or deal.status == DealStatus.WON:
        return 0
    _lock_partner(deal.partner_id)
    reason = reason or deal.lost_reason or _("The deal is no longer won.")
    lines = list(
        Earning.objects.select_for_update()
        .filter(deal=deal)
        .exclude(kind__in=[EarningKind.REBATE, EarningKind.CLAWBACK])
        .order_by("id")
    )
    for line in lines:
        earning_reverse_locked(line, reason=reason)
    on = deal.closed_at or timezone.localdate()
    written = earnings_write(
        earnings=rebate_lines(
            partner_id=deal.partner_id, on=on, cause=f"deal{deal.pk}:lost", deal=deal
        )
    )
    return len(lines) + len(written)


@transaction.atomic
def earnings_compute_for_lead(*, deal_id: int) -> list[Earning]:
    """A partner accepted a vendor lead (its deal is the accepted lead): referral fees per
    accepted lead."""
    deal = Deal.objects.filter(pk=deal_id, source="vendor_lead").first()
    if deal is None:
        return []
    on = (deal.decided_at or timezone.now()).date()
    out = []
    for v in versions_in_force(["referral"], timezone.now()):
        if v.rules.get("basis") != "accepted_lead":
            continue
        amount, rate = R.flat_or_percent(v.rules, deal.amount)
        if amount == 0:
            continue
        out.append(
            new_earning(
                program=v.program,
                on=on,
                no_hold=True,
                partner_id=deal.partner_id,
                version=v,
                deal=deal,
                kind=EarningKind.REFERRAL,
                role="sourced",
                base_amount=deal.amount if rate is not None else None,
                rate=rate,
                amount=amount,
                currency=deal.currency if rate is not None else v.program.currency,
                key=f"lead:{deal.pk}:p{v.program_id}",
                computation=_facts(v, attribution_model(), steps=[{"step": "lead", **v.rules}]),
            )
        )
    return earnings_write(earnings=out)


@transaction.atomic
def earnings_compute_for_certificate(*, certificate_id: int, member_id: int) -> list[Earning]:
    """A member earned a certification: certification SPIFFs for their partner."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None or member.partner_id is None:
        return []
    cert = Certificate.objects.filter(pk=certificate_id).first()
    if cert is None:
        return []
    on = timezone.localdate()
    out = []
    for v in versions_in_force(["spiff"], timezone.now()):
        rules = v.rules
        if rules.get("trigger") != "certification" or not R.in_window(rules, on):
            continue
        if rules.get("certification") not in (None, cert.certification_id):
            continue
        amount, _rate = R.flat_or_percent(rules, None)
        out.append(
            new_earning(
                program=v.program,
                on=on,
                no_hold=True,
                partner_id=member.partner_id,
                version=v,
                certificate=cert,
                kind=EarningKind.SPIFF,
                amount=amount,
                currency=v.program.currency,
                key=f"cert:{cert.pk}:p{v.program_id}",
                computation=_facts(
                    v,
                    attribution_model(),
                    steps=[{"step": "certification", "holder": cert.holder_name, **rules}],
                ),
            )
        )
    return earnings_write(earnings=out)


@transaction.atomic
def partner_referral_reward(
    *, referrer: Partner, referred: Partner, by: Member | None = None
) -> list[Earning]:
    """The referring partner's reward once the partner it referred is active: the service
    partner-to-partner referrals (issue #23) call, directly or through the internal event
    `partner.referral_activated`. Once per referred partner and program."""
    if referred.status != PartnerStatus.ACTIVE or referrer.pk == referred.pk:
        return []
    on = timezone.localdate()
    out = []
    for v in versions_in_force(["partner_referral"], timezone.now()):
        amount, _rate = R.flat_or_percent(v.rules, None)
        out.append(
            new_earning(
                program=v.program,
                on=on,
                no_hold=True,
                partner_id=referrer.pk,
                version=v,
                referred_partner=referred,
                kind=EarningKind.PARTNER_REFERRAL,
                amount=amount,
                currency=v.program.currency,
                key=f"partner_referral:{referred.pk}:p{v.program_id}",
                computation=_facts(
                    v, attribution_model(), steps=[{"step": "referred", "partner": referred.name}]
                ),
                created_by=by,
            )
        )
    return earnings_write(earnings=out, by=by)


def projection(deal: Deal) -> list[Earning]:
    """What an open registration would earn if it closed today for its estimated amount
    (unsaved lines; nothing is written)."""
    if deal.amount is None:
        return []
    on = max(deal.expected_close_date or timezone.localdate(), timezone.localdate())
    return deal_lines(deal, revenue=deal.amount, on=on, projection=True)


__all__ = [
    "IncentiveProgram",
    "earnings_compute_for_certificate",
    "earnings_compute_for_deal",
    "earnings_compute_for_lead",
    "earnings_reverse_for_deal",
    "partner_referral_reward",
    "projection",
]
