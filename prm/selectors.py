"""Reads of the tenancy core. Each returns a QuerySet for the current tenant scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_scopes import scopes_disabled

from prm.models import ApiKey, AuditEvent, Invitation, Member, Tenant, User
from prm.roles import Role, has_perm


def members_visible_to(member: Member) -> QuerySet[Member]:
    """Staff see every member; partner admins see their own company's people."""
    qs = Member.objects.select_related("user", "partner").order_by("user__email")
    if member.role in (Role.ADMIN, Role.CHANNEL_MANAGER):
        return qs
    if member.role == Role.PARTNER_ADMIN:
        return qs.filter(partner_id=member.partner_id)
    return qs.none()


def invitations_visible_to(member: Member) -> QuerySet[Invitation]:
    qs = (
        Invitation.objects.select_related("partner", "invited_by__user")
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
    )
    if member.role == Role.ADMIN:
        return qs
    if member.role == Role.PARTNER_ADMIN:
        return qs.filter(partner_id=member.partner_id)
    return qs.none()


def api_keys_visible_to(member: Member) -> QuerySet[ApiKey]:
    qs = ApiKey.objects.select_related("member__user").order_by("-created_at")
    if has_perm(member.role, "api_keys.manage_all"):
        return qs
    return qs.filter(member=member)


def audit_events(
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since=None,
    until=None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor__full_name__icontains=actor))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    return qs


def memberships_for_user(user: User) -> list[tuple[Tenant, Member]]:
    """The person's active memberships in every tenant, for the tenant switcher.

    The ORM scope is lifted on purpose; row-level security still applies and lets a person read
    only their own member rows in other tenants (policy member_self_read, keyed on the user id
    that MemberMiddleware sets for the transaction)."""
    with scopes_disabled():
        members = list(
            Member.objects.select_related("tenant", "partner")
            .filter(user=user, is_active=True, tenant__is_active=True)
            .order_by("tenant__name")
        )
    return [(m.tenant, m) for m in members]
