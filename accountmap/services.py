"""Writes of account mapping's data: accounts of both sides and custom populations.

Every write is audited (`log_action`) and queues the incremental overlap computation for
the accounts it changed (`accountmap.tasks.overlaps_refresh`), once per transaction and side
after the commit, so an import batch of 100 rows queues one task, not 100.

The side an account belongs to comes from the member who writes it, never from input: staff
write the vendor's accounts (`partner` null), a partner's people their own company's.

A vendor account that is a customer or an open opportunity is the source of dealreg's named
account (`NamedAccount`, which conflict detection reads): `_named_account_sync` keeps it in
step through dealreg's own service.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import get_scope

from accountmap.models import Account, AccountSource, AccountStatus, Population
from dealreg.models import DealStatus
from dealreg.services import named_account_upsert
from partners.domains import normalise_company_name, registrable_domain
from partners.models import Partner
from prm import iso
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.events import Event
from prm.models import Member
from prm.roles import has_perm
from prm.tasks import dispatch

# The fields a person or a CRM may set on an account (the rest are derived).
FIELDS = (
    "name",
    "domain",
    "status",
    "owner_name",
    "owner_email",
    "industry",
    "region",
    "country",
    "employees",
    "is_active",
)
LIMITS = {"name": 200, "owner_name": 200, "industry": 100, "region": 100, "external_id": 100}
MAX_EMPLOYEES = 10_000_000
BULK_LIMIT = 1000

# --- Who writes which side -------------------------------------------------------------------


def side_of(by: Member) -> Partner | None:
    """The side a member writes: None (the vendor's) for staff, else their partner.
    Refuses members who may not manage accounts at all."""
    if by.is_staff_role:
        if not has_perm(by.role, "vendor_accounts.manage"):
            raise PermissionDenied()
        return None
    if not has_perm(by.role, "partner_accounts.manage"):
        raise PermissionDenied()
    return by.partner


def _check_owner(by: Member | None, account: Account) -> None:
    if by is None:
        return
    if side_of(by) is None:
        if account.partner_id is not None:
            raise PermissionDenied()
    elif account.partner_id != by.partner_id:
        raise PermissionDenied()


# --- Validation ----------------------------------------------------------------------------


def clean(values: dict) -> dict:
    """Normalised values, or a DomainError naming every field at fault (`errors`)."""
    out, errors = {}, {}
    for field in FIELDS:
        if field not in values:
            continue
        value = values[field]
        if isinstance(value, str):
            value = value.strip()
        if field in LIMITS and value and len(value) > LIMITS[field]:
            errors[field] = _("At most %(n)s characters.") % {"n": LIMITS[field]}
            continue
        if field == "name" and not value:
            errors[field] = _("Enter the company name.")
        elif field == "domain" and value:
            domain = registrable_domain(value)
            if not domain:
                errors[field] = _("Enter a domain such as example.com.")
            value = domain
        elif field == "status":
            if value not in AccountStatus.values:
                errors[field] = _("Use one of: %(c)s.") % {"c": ", ".join(AccountStatus.values)}
        elif field == "owner_email" and value:
            value = value.lower()
            try:
                validate_email(value)
            except ValidationError:
                errors[field] = _("Enter a valid e-mail address.")
        elif field == "country" and value:
            try:
                value = iso.parse_country(value)
            except ValidationError as exc:
                errors[field] = exc.messages[0]
        elif field == "employees" and value not in (None, ""):
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[field] = _("Enter a whole number.")
                continue
            if not 0 <= value <= MAX_EMPLOYEES:
                errors[field] = _("Enter a number from 0 to %(n)s.") % {"n": MAX_EMPLOYEES}
        elif field == "employees":
            value = None
        elif field == "is_active":
            value = bool(value)
        out[field] = value if value is not None else ("" if field != "employees" else None)
    if errors:
        first = next(iter(errors))
        exc = DomainError(errors[first], field=first)
        exc.errors = errors
        raise exc
    return out


def _owner_member(account: Account) -> int | None:
    """The member of this tenant (on the account's side) whose e-mail is the owner's."""
    if not account.owner_email:
        return None
    members = Member.objects.filter(user__email__iexact=account.owner_email, is_active=True)
    if account.partner_id is None:
        members = members.filter(partner__isnull=True)
    else:
        members = members.filter(partner_id=account.partner_id)
    return members.values_list("pk", flat=True).first()


# --- The incremental overlap queue ------------------------------------------------------------


def _queue_overlaps(account: Account) -> None:
    """Remember the account for the overlap refresh queued once after this commit."""
    conn = transaction.get_connection()
    state = getattr(conn, "_accountmap_pending", None)
    # A rolled-back transaction drops its on-commit callbacks: start afresh then.
    if state is None or not any(f is state["flush"] for _s, f, _r in conn.run_on_commit):
        state = {"ids": {}}
        state["flush"] = lambda: _flush(state)
        conn._accountmap_pending = state
        transaction.on_commit(state["flush"])
    state["ids"].setdefault((account.tenant_id, account.partner_id), set()).add(account.pk)


def _flush(state: dict) -> None:
    # local: accountmap.tasks imports accountmap.overlaps, which reads this module's models
    from accountmap.tasks import overlaps_refresh

    for (tenant_id, partner_id), ids in state["ids"].items():
        # after the commit, so dispatch sends at once (and survives a broker that is down:
        # the nightly full run catches up)
        dispatch(
            overlaps_refresh, tenant_id=tenant_id, partner_id=partner_id, account_ids=sorted(ids)
        )
    state["ids"] = {}


# --- Accounts --------------------------------------------------------------------------------


def _snapshot(account: Account) -> dict:
    return {f: getattr(account, f) for f in (*FIELDS, "external_id")}


def _save(account: Account, values: dict, *, creating: bool, action_prefix="account") -> bool:
    """Apply cleaned values; write, audit and queue only when something changed."""
    before = None if creating else _snapshot(account)
    for field, value in values.items():
        setattr(account, field, value)
    after = _snapshot(account)
    if before == after:
        return False
    account.name_normalised = normalise_company_name(account.name)
    if before is None or before["owner_email"] != account.owner_email:
        account.owner_member_id = _owner_member(account)
    account.updated_at = timezone.now()
    account.save()
    changed = after if before is None else {k: v for k, v in after.items() if before[k] != v}
    log_action(
        f"{action_prefix}.created" if creating else f"{action_prefix}.updated",
        obj=account,
        before=None if before is None else {k: before[k] for k in changed},
        after=changed | {"side": str(account.side)},
    )
    if account.partner_id is None:
        _named_account_sync(account)
    _queue_overlaps(account)
    return True


def _named_account_sync(account: Account) -> None:
    """A vendor customer or open opportunity is a named account for conflict detection;
    any other (a prospect, an inactive account) deactivates the one it kept."""
    wanted = account.is_active and account.status in (
        AccountStatus.CUSTOMER,
        AccountStatus.OPPORTUNITY,
    )
    if not wanted and account.named_account_id is None:
        return
    # by=None: the vendor account's own service checked who may write; the audit context
    # still names the person.
    named = named_account_upsert(
        by=None,
        pk=account.named_account_id,
        name=account.name,
        domain=account.domain,
        kind="opportunity" if account.status == AccountStatus.OPPORTUNITY else "named",
        owner=account.owner_name or account.owner_email,
        external_id=account.external_id,
        is_active=wanted,
    )
    if named.pk != account.named_account_id:
        account.named_account = named
        account.save(update_fields=["named_account"])


@transaction.atomic
def account_create(*, by: Member, source: str = AccountSource.MANUAL, **values) -> Account:
    """Add an account by hand to the member's side."""
    partner = side_of(by)
    external_id = (values.pop("external_id", "") or "").strip()
    cleaned = clean({"status": AccountStatus.PROSPECT, "name": "", **values})
    if external_id:
        if len(external_id) > LIMITS["external_id"]:
            raise DomainError(_("At most 100 characters."), field="external_id")
        if Account.objects.filter(partner=partner, external_id=external_id).exists():
            raise DomainError(_("Another account has this external id."), field="external_id")
    account = Account(
        tenant_id=by.tenant_id, partner=partner, external_id=external_id, source=source
    )
    _save(account, cleaned, creating=True)
    return account


@transaction.atomic
def account_update(*, by: Member, account: Account, **values) -> Account:
    _check_owner(by, account)
    account = Account.objects.select_for_update().get(pk=account.pk)
    _save(account, clean(values), creating=False)
    return account


@transaction.atomic
def account_upsert(
    *, by: Member | None, external_id: str, partner: Partner | None = None, source: str, **values
) -> tuple[Account, bool]:
    """Create or update the account with this external id on the member's side (a CRM or a
    partner's system pushing its records). Values left out keep what the account has (a new
    account gets the defaults); the same values again change nothing and audit nothing.
    `by=None` (the system) writes the side named by `partner`."""
    if by is not None:
        partner = side_of(by)
    external_id = (external_id or "").strip()
    if not external_id:
        raise DomainError(_("Give the account's external id."), field="external_id")
    if len(external_id) > LIMITS["external_id"]:
        raise DomainError(_("At most 100 characters."), field="external_id")
    account = (
        Account.objects.select_for_update().filter(partner=partner, external_id=external_id).first()
    )
    creating = account is None
    if creating:
        cleaned = clean({"status": AccountStatus.PROSPECT, "name": "", **values})
        tenant = by.tenant if by is not None else get_scope()["tenant"]
        account = Account(tenant=tenant, partner=partner, external_id=external_id, source=source)
    else:
        cleaned = clean(values)
    _save(account, cleaned, creating=creating)
    return account, creating


@transaction.atomic
def accounts_bulk_upsert(*, by: Member, items: list[dict], source: str) -> list[tuple]:
    """Upsert a batch by external id, all or nothing: an error in any item writes none and
    names the item (`errors`: {index: {field: message}})."""
    if len(items) > BULK_LIMIT:
        raise DomainError(_("At most %(n)s accounts per batch.") % {"n": BULK_LIMIT})
    seen, errors, results = set(), {}, []
    for index, item in enumerate(items):
        external_id = (item.get("external_id") or "").strip()
        if external_id in seen:
            errors[index] = {"external_id": _("The same external id appears earlier.")}
            continue
        seen.add(external_id)
        values = {k: v for k, v in item.items() if k != "external_id"}
        try:
            with transaction.atomic():
                results.append(
                    account_upsert(by=by, external_id=external_id, source=source, **values)
                )
        except DomainError as exc:
            errors[index] = getattr(exc, "errors", None) or {
                exc.field or "non_field_errors": exc.message
            }
    if errors:
        exc = DomainError(_("Some accounts have errors; none was written."))
        exc.item_errors = errors
        raise exc
    return results


@transaction.atomic
def account_delete(*, by: Member, account: Account) -> None:
    """Remove an account (its overlaps go with it). A vendor account's named account is
    deactivated, not deleted: registrations decided against it keep their evidence."""
    _check_owner(by, account)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.deal_id is not None:
        raise DomainError(
            _("This account is a deal registration's; it follows the deal and cannot be removed.")
        )
    if account.partner_id is None and account.named_account_id is not None:
        account.is_active = False
        _named_account_sync(account)
    log_action(
        "account.deleted",
        obj=account,
        before={**_snapshot(account), "side": str(account.side)},
    )
    account.delete()


# --- A partner's registrations are its accounts -------------------------------------------

DEAL_STATUS_TO_ACCOUNT = {
    DealStatus.SUBMITTED: AccountStatus.OPPORTUNITY,
    DealStatus.UNDER_REVIEW: AccountStatus.OPPORTUNITY,
    DealStatus.APPROVED: AccountStatus.OPPORTUNITY,
    DealStatus.WON: AccountStatus.CUSTOMER,
}


def account_from_deal(event: Event) -> None:
    """Subscriber of the deal events: the partner's registration is its account, an open
    opportunity while it is open, a customer once won, a prospect after that (lost,
    rejected, expired)."""
    deal = event.subject
    if deal is None:
        return
    status = DEAL_STATUS_TO_ACCOUNT.get(deal.status, AccountStatus.PROSPECT)
    account = Account.objects.select_for_update().filter(deal_id=deal.pk).first()
    creating = account is None
    if creating:
        account = Account(
            tenant_id=deal.tenant_id,
            partner_id=deal.partner_id,
            deal_id=deal.pk,
            source=AccountSource.REGISTRATION,
        )
    _save(
        account,
        {"name": deal.customer_name, "domain": deal.customer_domain, "status": status},
        creating=creating,
    )


# --- Populations -----------------------------------------------------------------------------

POPULATION_FIELDS = (
    "name",
    "statuses",
    "industries",
    "regions",
    "countries",
    "min_employees",
    "max_employees",
)


def _population_clean(values: dict, *, partner, exclude_pk=None) -> dict:
    errors = {}
    out = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > 80:
        errors["name"] = _("At most %(n)s characters.") % {"n": 80}
    elif (
        Population.objects.filter(partner=partner, name__iexact=name)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["name"] = _("Another population has this name.")
    out["name"] = name
    statuses = list(values.get("statuses") or [])
    if any(s not in AccountStatus.values for s in statuses):
        errors["statuses"] = _("Use one of: %(c)s.") % {"c": ", ".join(AccountStatus.values)}
    out["statuses"] = statuses
    for field in ("industries", "regions"):
        items = [str(v).strip() for v in values.get(field) or [] if str(v).strip()]
        if any(len(v) > 100 for v in items):
            errors[field] = _("At most %(n)s characters each.") % {"n": 100}
        out[field] = items
    countries = []
    for value in values.get("countries") or []:
        try:
            countries.append(iso.parse_country(str(value)))
        except ValidationError as exc:
            errors["countries"] = exc.messages[0]
    out["countries"] = countries
    low, high = values.get("min_employees"), values.get("max_employees")
    for field, value in (("min_employees", low), ("max_employees", high)):
        if value is not None and not 0 <= value <= MAX_EMPLOYEES:
            errors[field] = _("Enter a number from 0 to %(n)s.") % {"n": MAX_EMPLOYEES}
        out[field] = value
    if low is not None and high is not None and low > high and "max_employees" not in errors:
        errors["max_employees"] = _("Enter a maximum at least as large as the minimum.")
    if errors:
        first = next(iter(errors))
        exc = DomainError(errors[first], field=first)
        exc.errors = errors
        raise exc
    return out


def _population_check(by: Member, population: Population) -> None:
    if side_of(by) is None:
        if population.partner_id is not None:
            raise PermissionDenied()
    elif population.partner_id != by.partner_id:
        raise PermissionDenied()


@transaction.atomic
def population_create(*, by: Member, **values) -> Population:
    partner = side_of(by)
    cleaned = _population_clean(values, partner=partner)
    population = Population.objects.create(tenant_id=by.tenant_id, partner=partner, **cleaned)
    log_action("population.created", obj=population, after=_population_snapshot(population))
    return population


def _population_snapshot(population: Population) -> dict:
    return {f: getattr(population, f) for f in POPULATION_FIELDS}


@transaction.atomic
def population_update(*, by: Member, population: Population, **values) -> Population:
    _population_check(by, population)
    population = Population.objects.select_for_update().get(pk=population.pk)
    before = _population_snapshot(population)
    merged = before | values
    cleaned = _population_clean(merged, partner=population.partner, exclude_pk=population.pk)
    if cleaned == before:
        return population
    for field, value in cleaned.items():
        setattr(population, field, value)
    population.save()
    log_action(
        "population.updated",
        obj=population,
        before={k: v for k, v in before.items() if cleaned[k] != v},
        after={k: v for k, v in cleaned.items() if before[k] != v},
    )
    return population


@transaction.atomic
def population_delete(*, by: Member, population: Population) -> None:
    """Delete a custom population (the sharing rules set for it go with it)."""
    _population_check(by, population)
    log_action("population.deleted", obj=population, before=_population_snapshot(population))
    population.delete()
