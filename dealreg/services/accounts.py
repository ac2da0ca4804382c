"""Named direct accounts and the deal search filter."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django_scopes import get_scope

from dealreg.models import (
    NamedAccount,
)
from dealreg.rules import name_tokens
from dealreg.services._common import (
    _check_staff,
)
from partners.domains import normalise_company_name, registrable_domain
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import Role

# --- Named accounts -----------------------------------------------------------------------


@transaction.atomic
def named_account_upsert(
    *,
    by: Member | None,
    name: str,
    domain: str = "",
    kind: str = "named",
    owner: str = "",
    external_id: str = "",
    is_active: bool = True,
    pk: int | None = None,
) -> NamedAccount:
    """Create or update (by external id, when given) a named account or direct opportunity.
    `pk` names the account to update whatever its external id (accountmap's vendor accounts
    keep the named account they were linked to)."""
    _check_staff(by)
    if by is not None and by.role != Role.ADMIN:
        raise PermissionDenied()
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the account name."), field="name")
    if kind not in NamedAccount.Kind.values:
        raise DomainError(_("Unknown kind."), field="kind")
    account = None
    if pk is not None:
        account = NamedAccount.objects.select_for_update().filter(pk=pk).first()
    if account is None and external_id:
        account = NamedAccount.objects.select_for_update().filter(external_id=external_id).first()
    creating = account is None
    account = account or NamedAccount(
        tenant_id=(by.tenant_id if by else None), external_id=external_id
    )
    if creating and by is None:
        account.tenant = get_scope()["tenant"]
    fields = ("name", "kind", "owner", "is_active", "domain")
    before = None if creating else {f: getattr(account, f) for f in fields}
    account.name, account.kind, account.owner, account.is_active = (
        name[:200],
        kind,
        owner,
        is_active,
    )
    account.domain = registrable_domain(domain)
    if before == {f: getattr(account, f) for f in fields}:
        return account  # a CRM resending the same account: nothing to write or audit
    account.name_normalised = normalise_company_name(name)
    account.name_tokens = name_tokens(account.name_normalised)
    account.save()
    log_action(
        "named_account.created" if creating else "named_account.updated",
        obj=account,
        before=before,
        after={"name": name, "domain": account.domain, "kind": kind, "external_id": external_id},
    )
    return account


@transaction.atomic
def deal_search_filter(q: str) -> Q:
    return Q(customer_name__icontains=q) | Q(customer_domain__icontains=q)
