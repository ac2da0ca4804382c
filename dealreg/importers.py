"""Deal registration's CSV importers (named accounts, leads), registered with the import
framework (prm.imports) when the app is ready. Named accounts and leads are matched by their
external (CRM) id, else by name / company with its domain; `write` calls the app's services,
which audit every change."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealreg import services
from dealreg.models import Lead, NamedAccount
from dealreg.services import leads
from partners.domains import registrable_domain
from partners.models import Region
from prm.errors import DomainError
from prm.imports import Importer, Plan, choice, country, limited, register

# --- Named accounts -------------------------------------------------------------------------


def _account_context(member) -> dict:
    accounts = list(NamedAccount.objects.all())
    return {
        "by_external": {a.external_id: a for a in accounts if a.external_id},
        "by_name": {(a.name.lower(), a.domain): a for a in accounts},
    }


def _account_check(row: dict, ctx: dict) -> Plan:
    name = row["name"]
    if not name:
        raise DomainError(_("Enter the account name."), field="name")
    kind = choice(row["kind"], NamedAccount.Kind.choices, "kind") if row["kind"] else "named"
    domain = registrable_domain(row["domain"])
    if row["domain"] and not domain:
        raise DomainError(_("Enter a domain such as example.com."), field="domain")
    values = {
        "name": limited(name, 200, "name"),
        "domain": domain,
        "kind": kind,
        "owner": limited(row["owner"], 200, "owner"),
        "external_id": limited(row["external_id"], 100, "external_id"),
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
    known = list(Lead.objects.values_list("external_id", "company", "domain"))
    return {
        "external_ids": {x for x, _c, _d in known if x},
        "names": {(c.lower(), d) for _x, c, d in known},
    }


def _lead_check(row: dict, ctx: dict) -> Plan:
    company = row["company"]
    if not company:
        raise DomainError(_("Enter the company."), field="company")
    values = {f: row[f] for f in LEAD_FIELDS}
    values["company"] = limited(company, 200, "company")
    values["domain"] = registrable_domain(row["domain"])
    values["country"] = country(row["country"])
    if row["region"]:
        values["region"] = choice(row["region"], Region.choices, "region")
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
