"""MDF's CSV importers (exchange rates, allocations), registered with the import framework
(prm.imports) when the app is ready. Exchange rates are matched by pair and first day, MDF
allocations by program, partner and the row's external id (a ledger key); `write` calls the
app's services, which audit every change."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mdf import services
from mdf.models import ExchangeRate, LedgerEntry, Program
from mdf.services import (
    currency_parse,
    local_today,
    parse_money,
    program_is_open_for_funds,
    rate_parse,
)
from partners.models import Partner
from prm.errors import DomainError
from prm.imports import Importer, Plan, register

# --- Exchange rates -------------------------------------------------------------------------


def _rate_context(member) -> dict:
    return {
        "rates": {
            (r.from_currency, r.to_currency, r.valid_from): r.rate
            for r in ExchangeRate.objects.all()
        }
    }


def _rate_check(row: dict, ctx: dict) -> Plan:
    frm = currency_parse(row["from_currency"], "from_currency")
    to = currency_parse(row["to_currency"], "to_currency")
    if frm == to:
        raise DomainError(_("Choose two different currencies."), field="to_currency")
    rate = rate_parse(row["rate"])
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
    amount = parse_money(row["amount"], field="amount")
    if row["currency"] and row["currency"].upper() != program.currency:
        raise DomainError(
            _("The program's currency is %(c)s.") % {"c": program.currency}, field="currency"
        )
    program_is_open_for_funds(program, local_today())
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
