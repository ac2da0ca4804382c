"""CSV importers of accounts (prm.imports registry, the imports app's upload → preview →
job flow): the vendor's accounts for staff, a partner's own accounts for its people. The side
is the importing member's, never a column. Rows are matched by external_id when given, else
by company name and domain on that side; `write` calls accountmap.services, which audits
each change and queues the overlap refresh of the changed accounts after each batch commits.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountmap import services
from accountmap.models import Account, AccountSource, AccountStatus
from partners.domains import normalise_company_name
from prm.errors import DomainError
from prm.imports import Importer, Plan, choice, register

COLUMNS = (
    "name",
    "domain",
    "status",
    "owner_name",
    "owner_email",
    "industry",
    "region",
    "country",
    "employees",
    "external_id",
)
COMPARED = ("name", "domain", "status", "owner_name", "owner_email", "industry", "region",
            "country", "employees")  # fmt: skip


def _context(member) -> dict:
    return {"by": member, "partner": services.side_of(member)}


def _existing(values: dict, ctx: dict) -> Account | None:
    side = Account.objects.filter(partner=ctx["partner"])
    if values["external_id"]:
        return side.filter(external_id=values["external_id"]).first()
    name = normalise_company_name(values["name"])
    return (
        side.filter(name_normalised=name, domain=values["domain"], external_id="")
        .order_by("pk")
        .first()
    )


def _check(row: dict, ctx: dict) -> Plan:
    raw = {k: row[k] for k in COMPARED}
    if row["status"]:
        raw["status"] = choice(row["status"], AccountStatus.choices, "status")
    else:
        raw.pop("status")
    external_id = row["external_id"]
    if len(external_id) > services.LIMITS["external_id"]:
        raise DomainError(_("At most 100 characters."), field="external_id")
    values = services.clean(raw)
    values["external_id"] = external_id
    if external_id:
        values["_key"] = ("x", external_id)
    else:
        values["_key"] = ("n", normalise_company_name(values["name"]), values["domain"])
    existing = _existing(values, ctx)
    label = values["name"]
    if existing is None:
        return Plan("create", label, values)
    values["_pk"] = existing.pk
    if all(getattr(existing, f) == values[f] for f in COMPARED if f in values):
        return Plan("unchanged", label, values)
    return Plan("update", label, values)


def _write(plan: Plan, ctx: dict) -> str:
    by = ctx["member"]
    values = {k: v for k, v in plan.values.items() if not k.startswith("_")}
    external_id = values.pop("external_id")
    if external_id:
        _account, created = services.account_upsert(
            by=by, external_id=external_id, source=AccountSource.CSV, **values
        )
        return "created" if created else "updated"
    pk = plan.values.get("_pk")
    if pk is not None:
        account = Account.objects.get(pk=pk, partner=ctx["partner"])
        services.account_update(by=by, account=account, **values)
        return "updated"
    services.account_create(by=by, source=AccountSource.CSV, **values)
    return "created"


HELP = gettext_lazy(
    "Matched by external_id (your CRM id) when given, else by company name and domain. "
    "status: customer, prospect or opportunity (prospect when left empty). Overlaps with "
    "the other side are computed once the import has run."
)

register(
    Importer(
        kind="vendor-accounts",
        label=gettext_lazy("Accounts"),
        capability="vendor_accounts.manage",
        columns=COLUMNS,
        required=("name",),
        check=_check,
        write=_write,
        context=_context,
        back_url="account-list",
        help=HELP,
    )
)

register(
    Importer(
        kind="partner-accounts",
        label=gettext_lazy("Your accounts"),
        capability="partner_accounts.manage",
        columns=COLUMNS,
        required=("name",),
        check=_check,
        write=_write,
        context=_context,
        back_url="account-list",
        help=HELP,
    )
)
