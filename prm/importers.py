"""The CSV importers: partners, named accounts, leads, exchange rates and MDF allocations.

Each `check` validates one row without writing (reusing the app's own validators and model
`full_clean`), and says whether the row would create, update or leave a record unchanged;
each `write` calls the app's service functions, which audit every change. Keys:

* partners: the name (unique per tenant); * named accounts and leads: the external (CRM) id,
  else the name / company with its domain; * exchange rates: pair and first day;
* MDF allocations: program, partner and the row's external id (a ledger key).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.errors import DomainError
from prm.imports import Importer, Plan, register


def _choice(value: str, choices, field: str) -> str:
    """A choice by its value or its label, case-insensitively."""
    wanted = value.strip().lower()
    for key, label in choices:
        if wanted in (str(key).lower(), str(label).lower()):
            return key
    raise DomainError(
        _("Use one of: %(c)s.") % {"c": ", ".join(str(k) for k, _label in choices)},
        field=field,
    )


# --- Partners -------------------------------------------------------------------------------


def _partner_context(member) -> dict:
    from partners.models import Partner, Tier

    return {
        "tiers": {t.name.lower(): t for t in Tier.objects.all()},
        "partners": {
            p.name.lower(): p for p in Partner.objects.prefetch_related("domain_set").all()
        },
    }


def _partner_check(row: dict, ctx: dict) -> Plan:
    from partners.domains import registrable_domain
    from partners.models import PartnerStatus, PartnerType, Region
    from partners.states import PARTNER_STATUS

    name = row["name"]
    if not name:
        raise DomainError(_("Enter the company name."), field="name")
    values = {"name": name[:200], "_key": name.lower()}
    if row["type"]:
        values["partner_type"] = _choice(row["type"], PartnerType.choices, "type")
    if row["region"]:
        values["region"] = _choice(row["region"], Region.choices, "region")
    if row["country"]:
        if len(row["country"]) != 2 or not row["country"].isalpha():
            raise DomainError(_("Use a two-letter country code."), field="country")
        values["country"] = row["country"].upper()
    if row["tier"]:
        tier = ctx["tiers"].get(row["tier"].lower())
        if tier is None:
            raise DomainError(
                _("Unknown tier. Use one of: %(t)s.")
                % {"t": ", ".join(t.name for t in ctx["tiers"].values()) or "—"},
                field="tier",
            )
        values["tier"] = tier
    if row["domain"]:
        domain = registrable_domain(row["domain"])
        if not domain:
            raise DomainError(_("Enter a domain such as example.com."), field="domain")
        values["domain"] = domain
    if row["status"]:
        values["status"] = _choice(row["status"], PartnerStatus.choices, "status")
    existing = ctx["partners"].get(name.lower())
    if existing is None:
        if "partner_type" not in values:
            raise DomainError(_("Give the type of a new partner."), field="type")
        return Plan("create", name, values)
    changes = {
        f: values[f]
        for f in ("partner_type", "region", "country", "status", "tier")
        if f in values and getattr(existing, f) != values[f]
    }
    if "domain" in values and values["domain"] not in existing.domains:
        changes["domain"] = values["domain"]
    if "status" in changes and changes["status"] not in PARTNER_STATUS.targets(existing.status):
        raise DomainError(
            _("A partner cannot move from %(a)s to %(b)s.")
            % {"a": existing.status, "b": changes["status"]},
            field="status",
        )
    values.update(partner=existing, changes=changes)
    return Plan("update" if changes else "unchanged", name, values)


def _partner_write(plan: Plan, ctx: dict) -> str:
    from partners import services
    from partners.models import PartnerStatus

    by, v = ctx["member"], plan.values
    reason = _("CSV import")
    if plan.action == "create":
        partner = services.partner_create(
            tenant=by.tenant,
            by=by,
            name=v["name"],
            partner_type=v["partner_type"],
            status=v.get("status", PartnerStatus.APPLICANT),
            region=v.get("region", ""),
            country=v.get("country", ""),
            domains=[v["domain"]] if v.get("domain") else [],
        )
        if v.get("tier"):
            services.partner_set_tier(partner=partner, by=by, tier=v["tier"], reason=reason)
        ctx["partners"][v["_key"]] = partner
        return "created"
    partner, changes = v["partner"], v["changes"]
    profile = {f: changes[f] for f in ("partner_type", "region", "country") if f in changes}
    if profile:
        partner = services.partner_update(partner=partner, by=by, **profile)
    if "domain" in changes:
        services.partner_set_domains(
            partner=partner, by=by, domains=[*partner.domains, changes["domain"]]
        )
    if "status" in changes:
        partner = services.partner_transition(
            partner=partner, by=by, to=changes["status"], reason=reason
        )
    if "tier" in changes:
        partner = services.partner_set_tier(
            partner=partner, by=by, tier=changes["tier"], reason=reason
        )
    return "updated"


register(
    Importer(
        kind="partners",
        label=gettext_lazy("Partners"),
        capability="program.manage",
        columns=("name", "domain", "type", "tier", "region", "country", "status"),
        required=("name",),
        check=_partner_check,
        write=_partner_write,
        context=_partner_context,
        back_url="partner-list",
        help=gettext_lazy(
            "One partner per row, matched by name: new names are created, known ones updated. "
            "type: reseller, referral, system_integrator, isv, msp or influencer; tier: the "
            "name of one of your tiers; region: na, latam, emea or apac."
        ),
    )
)


# --- Named accounts -------------------------------------------------------------------------


def _account_context(member) -> dict:
    from dealreg.models import NamedAccount

    accounts = list(NamedAccount.objects.all())
    return {
        "by_external": {a.external_id: a for a in accounts if a.external_id},
        "by_name": {(a.name.lower(), a.domain): a for a in accounts},
    }


def _account_check(row: dict, ctx: dict) -> Plan:
    from dealreg.models import NamedAccount
    from partners.domains import registrable_domain

    name = row["name"]
    if not name:
        raise DomainError(_("Enter the account name."), field="name")
    kind = _choice(row["kind"], NamedAccount.Kind.choices, "kind") if row["kind"] else "named"
    domain = registrable_domain(row["domain"])
    if row["domain"] and not domain:
        raise DomainError(_("Enter a domain such as example.com."), field="domain")
    values = {
        "name": name[:200],
        "domain": domain,
        "kind": kind,
        "owner": row["owner"][:200],
        "external_id": row["external_id"][:100],
    }
    if values["external_id"]:
        values["_key"] = ("x", values["external_id"])
        existing = ctx["by_external"].get(values["external_id"])
    else:
        values["_key"] = ("n", name.lower(), domain)
        existing = ctx["by_name"].get((name.lower(), domain))
    if existing is None:
        return Plan("create", name, values)
    same = all(getattr(existing, f) == values[f] for f in ("name", "domain", "kind", "owner"))
    if same:
        return Plan("unchanged", name, values)
    if not values["external_id"]:
        raise DomainError(
            _("An account with this name exists; give its external_id to update it."),
            field="external_id",
        )
    return Plan("update", name, values)


def _account_write(plan: Plan, ctx: dict) -> str:
    from dealreg import services

    values = {k: v for k, v in plan.values.items() if not k.startswith("_")}
    account = services.named_account_upsert(by=ctx["member"], **values)
    if account.external_id:
        ctx["by_external"][account.external_id] = account
    ctx["by_name"][(account.name.lower(), account.domain)] = account
    return "created" if plan.action == "create" else "updated"


register(
    Importer(
        kind="named-accounts",
        label=gettext_lazy("Named accounts"),
        capability="named_accounts.manage",
        columns=("name", "domain", "kind", "owner", "external_id"),
        required=("name",),
        check=_account_check,
        write=_account_write,
        context=_account_context,
        back_url="named-accounts",
        help=gettext_lazy(
            "Matched by external_id (your CRM id) when given, else by name and domain. "
            "kind: named (direct account) or opportunity."
        ),
    )
)


# --- Leads ----------------------------------------------------------------------------------

LEAD_FIELDS = ("domain", "country", "contact_name", "contact_email", "notes", "external_id")


def _lead_context(member) -> dict:
    from dealreg.models import Lead

    known = list(Lead.objects.values_list("external_id", "company", "domain"))
    return {
        "external_ids": {x for x, _c, _d in known if x},
        "names": {(c.lower(), d) for _x, c, d in known},
    }


def _lead_check(row: dict, ctx: dict) -> Plan:
    from dealreg.models import Lead
    from partners.domains import registrable_domain
    from partners.models import Region

    company = row["company"]
    if not company:
        raise DomainError(_("Enter the company."), field="company")
    values = {f: row[f] for f in LEAD_FIELDS}
    values["company"] = company[:200]
    values["domain"] = registrable_domain(row["domain"])
    values["country"] = row["country"].upper()
    if row["region"]:
        values["region"] = _choice(row["region"], Region.choices, "region")
    if row["contact_email"]:
        try:
            validate_email(row["contact_email"])
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), field="contact_email")
    values["amount"] = None
    if row["amount"]:
        try:
            values["amount"] = Decimal(row["amount"].replace(",", ""))
        except InvalidOperation:
            raise DomainError(_("The amount is not a number."), field="amount")
        if not values["amount"].is_finite() or values["amount"] < 0:
            raise DomainError(_("Enter an amount of zero or more."), field="amount")
    # The model's own checks (lengths, choices, decimals), as lead_create runs them.
    fields = {k: v for k, v in values.items() if not k.startswith("_")}
    Lead(**fields).full_clean(exclude=["tenant", "deal"])
    if values["external_id"]:
        values["_key"] = ("x", values["external_id"])
        known = values["external_id"] in ctx["external_ids"]
    else:
        values["_key"] = ("n", company.lower(), values["domain"])
        known = (company.lower(), values["domain"]) in ctx["names"]
    # A lead is routed once it exists; a known lead is left as it is.
    return Plan("unchanged" if known else "create", company, values)


def _lead_write(plan: Plan, ctx: dict) -> str:
    from dealreg import leads

    values = {k: v for k, v in plan.values.items() if not k.startswith("_")}
    lead, _created = leads.lead_upsert(
        by=ctx["member"], external_id=values.pop("external_id", ""), **values
    )
    if lead.external_id:
        ctx["external_ids"].add(lead.external_id)
    ctx["names"].add((lead.company.lower(), lead.domain))
    return "created"


register(
    Importer(
        kind="leads",
        label=gettext_lazy("Leads"),
        capability="leads.manage",
        columns=(
            "company",
            "domain",
            "country",
            "region",
            "contact_name",
            "contact_email",
            "amount",
            "notes",
            "external_id",
        ),
        required=("company",),
        check=_lead_check,
        write=_lead_write,
        context=_lead_context,
        back_url="lead-list",
        help=gettext_lazy(
            "Each new lead is routed to the best-fit partner. Leads already known (same "
            "external_id, or same company and domain) are skipped."
        ),
    )
)


# --- Exchange rates -------------------------------------------------------------------------


def _rate_context(member) -> dict:
    from mdf.models import ExchangeRate

    return {
        "rates": {
            (r.from_currency, r.to_currency, r.valid_from): r.rate
            for r in ExchangeRate.objects.all()
        }
    }


def _rate_check(row: dict, ctx: dict) -> Plan:
    from mdf.services import _currency, _rate

    frm = _currency(row["from_currency"], "from_currency")
    to = _currency(row["to_currency"], "to_currency")
    if frm == to:
        raise DomainError(_("Choose two different currencies."), field="to_currency")
    rate = _rate(row["rate"])
    try:
        day = datetime.date.fromisoformat(row["valid_from"])
    except ValueError:
        raise DomainError(_("Use a date like 2025-01-31."), field="valid_from")
    key = (frm, to, day)
    values = {"from_currency": frm, "to_currency": to, "rate": rate, "valid_from": day}
    values["_key"] = key
    label = f"{frm}→{to} {rate} ({day})"
    if key not in ctx["rates"]:
        return Plan("create", label, values)
    return Plan("unchanged" if ctx["rates"][key] == rate else "update", label, values)


def _rate_write(plan: Plan, ctx: dict) -> str:
    from mdf import services

    values = {k: v for k, v in plan.values.items() if not k.startswith("_")}
    services.exchange_rate_set(tenant=ctx["member"].tenant, by=ctx["member"], **values)
    ctx["rates"][plan.values["_key"]] = values["rate"]
    return "created" if plan.action == "create" else "updated"


register(
    Importer(
        kind="exchange-rates",
        label=gettext_lazy("Exchange rates"),
        capability="mdf.admin",
        columns=("from_currency", "to_currency", "rate", "valid_from"),
        required=("from_currency", "to_currency", "rate", "valid_from"),
        check=_rate_check,
        write=_rate_write,
        context=_rate_context,
        back_url="mdf-exchange-rates",
        help=gettext_lazy(
            "One rate per row: three-letter currency codes, the rate, and the first day it "
            "applies (YYYY-MM-DD). A known pair and day gets the new rate."
        ),
    )
)


# --- MDF allocations ------------------------------------------------------------------------


def _program_period(program) -> str:
    if program.period == "quarter":
        return f"{program.start_date.year}-Q{(program.start_date.month - 1) // 3 + 1}"
    return str(program.start_date.year)


def _allocation_context(member) -> dict:
    from mdf.models import LedgerEntry, Program
    from partners.models import Partner

    programs: dict[str, list] = {}
    for p in Program.objects.all():
        programs.setdefault(p.name.lower(), []).append(p)
    return {
        "programs": programs,
        "partners": {p.name.lower(): p for p in Partner.objects.all()},
        "keys": {
            (e.program_id, e.partner_id, e.key): e.amount
            for e in LedgerEntry.objects.filter(key__startswith="csv:")
        },
    }


def _allocation_check(row: dict, ctx: dict) -> Plan:
    from mdf.services import _money, _program_is_open_for_funds, _today

    partner = ctx["partners"].get(row["partner"].lower())
    if partner is None:
        raise DomainError(_("Unknown partner."), field="partner")
    candidates = ctx["programs"].get(row["program"].lower(), [])
    if row["period"]:
        candidates = [p for p in candidates if _program_period(p) == row["period"].upper()]
    if not candidates:
        raise DomainError(_("Unknown program (or period)."), field="program")
    if len(candidates) > 1:
        raise DomainError(_("Several programs have this name; give the period."), field="period")
    program = candidates[0]
    amount = _money(row["amount"], field="amount")
    if row["currency"] and row["currency"].upper() != program.currency:
        raise DomainError(
            _("The program's currency is %(c)s.") % {"c": program.currency}, field="currency"
        )
    _program_is_open_for_funds(program, _today())
    key = f"csv:{row['external_id'] or 'allocation'}"[:40]
    values = {
        "program": program,
        "partner": partner,
        "amount": amount,
        "memo": row["memo"] or _("Imported allocation"),
        "key": key,
        "_key": (program.pk, partner.pk, key),
    }
    label = f"{partner.name}: {amount} {program.currency} ({program.name})"
    done = ctx["keys"].get(values["_key"])
    if done is None:
        return Plan("create", label, values)
    if done != amount:
        raise DomainError(
            _(
                "This allocation was imported before with %(a)s; record a change as a manual "
                "adjustment."
            )
            % {"a": done},
            field="amount",
        )
    return Plan("unchanged", label, values)


def _allocation_write(plan: Plan, ctx: dict) -> str:
    from mdf import services

    values = {k: v for k, v in plan.values.items() if not k.startswith("_")}
    services.allocation_add(by=ctx["member"], **values)
    ctx["keys"][plan.values["_key"]] = values["amount"]
    return "created"


register(
    Importer(
        kind="mdf-allocations",
        label=gettext_lazy("MDF allocations"),
        capability="mdf.admin",
        columns=("partner", "program", "period", "amount", "currency", "memo", "external_id"),
        required=("partner", "program", "amount"),
        check=_allocation_check,
        write=_allocation_write,
        context=_allocation_context,
        back_url="mdf-program-list",
        help=gettext_lazy(
            "One allocation per row: the partner's and the program's names, the amount in the "
            "program's currency, and optionally the period (2030-Q1 or 2030) and an "
            "external_id. Each row is imported once: a repeated file adds nothing."
        ),
    )
)
