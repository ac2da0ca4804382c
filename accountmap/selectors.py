"""Reads of account mapping's data: each side's own accounts and populations. What one side
may see of the other's is the sharing matrix's (accountmap/visibility.py), not this module's:
here a partner's people see only their own company's accounts and staff only the vendor's."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accountmap.models import Account, Population
from prm.models import Member
from prm.roles import has_perm


def _side(member: Member) -> Q:
    if member.is_staff_role:
        return Q(partner__isnull=True)
    return Q(partner_id=member.partner_id)


def accounts_visible_to(member: Member) -> QuerySet[Account]:
    """The accounts of the member's own side (none for a member without the capability)."""
    if not (
        has_perm(member.role, "vendor_accounts.view")
        or has_perm(member.role, "partner_accounts.manage")
    ):
        return Account.objects.none()
    return Account.objects.filter(_side(member)).select_related("owner_member__user")


def populations_visible_to(member: Member) -> QuerySet[Population]:
    if not (
        has_perm(member.role, "vendor_accounts.view")
        or has_perm(member.role, "partner_accounts.manage")
    ):
        return Population.objects.none()
    return Population.objects.filter(_side(member))


def population_filter(population: Population) -> Q:
    """The accounts a custom population holds (the same rule as the overlap counts' SQL)."""
    q = (
        Q(partner__isnull=True)
        if population.partner_id is None
        else Q(partner_id=population.partner_id)
    )
    for field, values in (
        ("status", population.statuses),
        ("industry", population.industries),
        ("region", population.regions),
        ("country", population.countries),
    ):
        if values:
            any_of = Q()
            for value in values:
                any_of |= Q(**{f"{field}__iexact": value})
            q &= any_of
    if population.min_employees is not None:
        q &= Q(employees__gte=population.min_employees)
    if population.max_employees is not None:
        q &= Q(employees__lte=population.max_employees)
    return q


def population_counts(populations: list[Population]) -> dict[int, int]:
    """{population id: accounts in it}, in one query for all of them."""
    if not populations:
        return {}
    aggregates = {f"p{p.pk}": Count("pk", filter=population_filter(p)) for p in populations}
    row = Account.objects.filter(is_active=True).aggregate(**aggregates)
    return {p.pk: row[f"p{p.pk}"] for p in populations}


def status_counts(member: Member) -> dict[str, int]:
    """{status: active accounts} of the member's side, one query."""
    return dict(
        accounts_visible_to(member)
        .filter(is_active=True)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
