"""Writes of the tenancy core. Every function is keyword-only, runs inside the caller's tenant
context, validates before writing, audits, and queues e-mail only after commit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm import events
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied
from prm.hosts import (  # noqa: F401  (custom domains live in prm.hosts)
    tenant_host_add,
    tenant_host_remove,
    tenant_host_set_canonical,
    tenant_host_verify,
)
from prm.i18n import lazy_format
from prm.mfa import mfa_missing
from prm.models import ApiKey, Invitation, Member, Tenant, User
from prm.notifications import send_mandatory
from prm.roles import PARTNER_ROLES, Role, has_perm, invitable_roles
from prm.tenancy import tenant_context
from prm.urls_util import tenant_url

if TYPE_CHECKING:
    from partners.models import Partner

# Rules a partner admin's invitation must pass, each `check(*, partner, email)` raising
# DomainError; registered by the app that owns the rule in its AppConfig.ready() (partners:
# the company's e-mail domains).
PARTNER_INVITATION_CHECKS: list[Callable[..., None]] = []

TENANT_SETTINGS_FIELDS = [
    "name",
    "default_currency",
    "timezone",
    "primary_colour",
    "logo",
    "require_mfa_for_staff",
    "require_mfa_for_partner_admins",
]


def _send_after_commit(
    *, subject: str, template: str, context: dict, to: str, language: str = ""
) -> None:
    # MANDATORY mail (invitations): bypasses notification preferences, no unsubscribe link;
    # in the invitee's language when they already have an account, else the default.
    send_mandatory(
        tenant=context["tenant"],
        to=[to],
        subject=subject,
        template=template,
        context=context,
        language=language or None,
    )


@transaction.atomic
def tenant_create(
    *, name: str, slug: str, currency: str = "USD", timezone_name: str = "UTC"
) -> Tenant:
    """Create a tenant (operators only: management command or seed). Runs outside any tenant."""
    if Tenant.objects.filter(slug=slug).exists():
        raise DomainError(_("A tenant with this slug already exists."), field="slug")
    tenant = Tenant(name=name, slug=slug, default_currency=currency, timezone=timezone_name)
    tenant.full_clean()
    tenant.save()
    with tenant_context(tenant):
        log_action(
            "tenant.created",
            tenant=tenant,
            obj=tenant,
            after={"name": name, "slug": slug, "currency": currency},
        )
    return tenant


@transaction.atomic
def tenant_update(*, tenant: Tenant, by: Member, **changes) -> Tenant:
    if not has_perm(by.role, "tenant.manage"):
        raise PermissionDenied()
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = snapshot(tenant, TENANT_SETTINGS_FIELDS)
    for field, value in changes.items():
        if field not in TENANT_SETTINGS_FIELDS:
            raise DomainError(f"Unknown setting {field}", field=field)
        setattr(tenant, field, value)
    tenant.full_clean()
    after = snapshot(tenant, TENANT_SETTINGS_FIELDS)
    b, a = diff(before, after)
    if a:
        tenant.save(update_fields=list(a.keys()))
        log_action("tenant.updated", tenant=tenant, obj=tenant, before=b, after=a)
    return tenant


@transaction.atomic
def member_add(
    *, tenant: Tenant, user: User, role: str, partner: Partner | None = None, title: str = ""
) -> Member:
    """Make `user` a member (operators, invitation acceptance, seed). Reactivates if needed."""
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if (role in PARTNER_ROLES) != (partner is not None):
        raise DomainError(
            _("Partner roles need a partner company; staff roles must not have one."),
            field="partner",
        )
    member = Member.objects.filter(user=user).first()
    previous_partner_id = None
    if member is not None:
        previous_partner_id = member.partner_id
        before = snapshot(member, ["role", "partner", "is_active"])
        member.role, member.partner, member.is_active = role, partner, True
        member.deactivated_at = None
        member.save(update_fields=["role", "partner", "is_active", "deactivated_at"])
        b, a = diff(before, snapshot(member, ["role", "partner", "is_active"]))
        if a:
            log_action("member.updated", tenant=tenant, obj=member, before=b, after=a)
    else:
        member = Member.objects.create(
            tenant=tenant, user=user, role=role, partner=partner, title=title
        )
        log_action(
            "member.added",
            tenant=tenant,
            obj=member,
            after={"user": user.email, "role": role, "partner": partner.pk if partner else None},
        )
    _member_event("member.joined", member, role=role, previous_partner_id=previous_partner_id)
    return member


def _member_event(event_type: str, member: Member, **extra) -> None:
    """Tell other apps (training enrols people) that a membership started or changed."""
    events.emit(
        event_type,
        {"member_id": member.pk, "partner_id": member.partner_id, **extra},
        tenant=member.tenant_id,
    )


@transaction.atomic
def member_invite(
    *,
    tenant: Tenant,
    by: Member | None,
    email: str,
    role: str,
    partner: Partner | None = None,
    language: str = "",
) -> tuple[Invitation, str]:
    """Invite `email` with `role`. Partner admins may only invite into their own partner.
    `language`: the e-mail's language for someone without an account (e.g. the language an
    applicant used); people with an account get the one they chose.

    Returns the invitation and its one-time URL (the token itself is never stored)."""
    email = User.objects.normalize_email(email.strip()).lower()
    if by is not None:
        if role not in invitable_roles(by.role):
            raise DomainError(_("You cannot invite people with this role."), field="role")
        if by.role == Role.PARTNER_ADMIN:
            partner = by.partner
            for check in PARTNER_INVITATION_CHECKS:
                check(partner=partner, email=email)
    if role in PARTNER_ROLES and partner is None:
        raise DomainError(_("Choose the partner company for a partner role."), field="partner")
    if role not in PARTNER_ROLES:
        partner = None
    existing = Member.objects.filter(user__email__iexact=email, is_active=True).first()
    if existing:
        raise DomainError(_("This person is already a member."), field="email")
    # Staff's new invitation replaces any pending one for the same address; a partner admin's
    # never does (it could swap a staff invitation for one of their own, or cancel another
    # partner admin's): they revoke their own first.
    pending = Invitation.objects.select_for_update().filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if (
        by is not None
        and by.role in PARTNER_ROLES
        and pending.filter(expires_at__gt=timezone.now()).exists()
    ):
        raise DomainError(_("An invitation to this address is already pending."), field="email")
    pending.update(revoked_at=timezone.now())
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        tenant=tenant,
        email=email,
        role=role,
        partner=partner,
        token_hash=token_hash,
        invited_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=settings.PRM_INVITATION_DAYS),
    )
    url = tenant_url(tenant, f"/invitations/{token}/")
    log_action(
        "member.invited",
        tenant=tenant,
        obj=invitation,
        object_label=email,
        after={"email": email, "role": role, "partner": partner.pk if partner else None},
    )
    _send_after_commit(
        subject=lazy_format(
            gettext_lazy("You are invited to %(tenant)s's partner portal"), tenant=tenant.name
        ),
        template="emails/invitation.txt",
        context={"tenant": tenant, "invitation": invitation, "url": url, "by": by},
        to=email,
        language=language,
    )
    return invitation, url


@transaction.atomic
def invitation_accept(
    *,
    tenant: Tenant,
    invitation: Invitation,
    user: User | None,
    password: str = "",
    full_name: str = "",
) -> Member:
    """Accept a pending invitation, creating the person's account if they have none.

    The e-mail address is verified by the act of following the invitation link."""
    inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not inv.is_pending:
        raise DomainError(_("This invitation has expired or was already used."))
    if user is None:
        if User.objects.filter(email__iexact=inv.email).exists():
            raise DomainError(_("An account exists for this address: sign in to accept."))
        user = User.objects.create_user(inv.email, password, full_name=full_name)
        log_action("user.created", tenant=tenant, obj=user, object_label=user.email, actor=user)
    elif user.email.lower() != inv.email.lower():
        raise DomainError(_("This invitation was sent to another e-mail address."))
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    member = member_add(tenant=tenant, user=user, role=inv.role, partner=inv.partner)
    inv.accepted_at = timezone.now()
    inv.save(update_fields=["accepted_at"])
    log_action(
        "member.invitation_accepted", tenant=tenant, obj=inv, object_label=inv.email, actor=user
    )
    return member


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, by: Member, invitation: Invitation) -> None:
    """Admins revoke any invitation; partner admins only those of their company that were
    made by its own people (not by staff or the system, e.g. an approved application)."""
    if by.role == Role.PARTNER_ADMIN and (
        invitation.partner_id != by.partner_id
        or invitation.invited_by is None
        or invitation.invited_by.role not in PARTNER_ROLES
        or invitation.invited_by.partner_id != by.partner_id
    ):
        raise PermissionDenied(_("Only invitations made by your company's people can be revoked."))
    if by.role not in (Role.ADMIN, Role.PARTNER_ADMIN):
        raise PermissionDenied()
    if invitation.accepted_at or invitation.revoked_at:
        raise DomainError(_("This invitation is no longer pending."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action(
        "member.invitation_revoked", tenant=tenant, obj=invitation, object_label=invitation.email
    )


def _check_can_manage(by: Member, member: Member) -> None:
    if by.pk == member.pk:
        raise DomainError(_("You cannot change your own membership."))
    if by.role == Role.ADMIN:
        return
    if by.role == Role.PARTNER_ADMIN and member.partner_id == by.partner_id:
        return
    raise PermissionDenied()


@transaction.atomic
def member_change_role(*, by: Member, member: Member, role: str) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_can_manage(by, member)
    if role not in invitable_roles(by.role):
        raise DomainError(_("You cannot give this role."), field="role")
    if (role in PARTNER_ROLES) != (member.partner_id is not None):
        raise DomainError(
            _("Staff and partner roles cannot be swapped; invite the person again instead."),
            field="role",
        )
    if member.role == role:
        return member
    before = member.role
    member.role = role
    member.save(update_fields=["role"])
    log_action("member.role_changed", obj=member, before={"role": before}, after={"role": role})
    _member_event("member.changed", member, fields=["role"])
    return member


@transaction.atomic
def member_set_active(*, by: Member, member: Member, active: bool) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_can_manage(by, member)
    if member.is_active == active:
        return member
    member.is_active = active
    member.deactivated_at = None if active else timezone.now()
    member.save(update_fields=["is_active", "deactivated_at"])
    _member_event("member.changed", member, fields=["is_active"])
    if not active:
        # Keys act as the member, so they stop with it.
        ApiKey.objects.filter(member=member, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    log_action(
        "member.reactivated" if active else "member.deactivated",
        obj=member,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return member


@transaction.atomic
def api_key_create(*, member: Member, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key for `member`. Returns (key row, the full key to show once)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the key a name."), field="name")
    scopes = sorted(set(scopes or []))
    if not scopes or any(s not in ApiKey.SCOPES for s in scopes):
        raise DomainError(_("Choose read, write or both."), field="scopes")
    if not member.is_active:
        raise DomainError(_("Inactive members cannot have keys."))

    if mfa_missing(member):
        raise DomainError(_("Set up two-factor authentication before creating API keys."))
    key, prefix, key_hash = ApiKey.generate()
    api_key = ApiKey.objects.create(
        tenant=member.tenant,
        member=member,
        name=name[:100],
        prefix=prefix,
        key_hash=key_hash,
        scopes=scopes,
    )
    log_action(
        "api_key.created",
        obj=api_key,
        object_label=name,
        after={"name": name, "scopes": scopes, "member": member.pk, "prefix": prefix},
    )
    return api_key, key


@transaction.atomic
def api_key_revoke(*, by: Member, api_key: ApiKey) -> ApiKey:
    if api_key.member_id != by.pk and not has_perm(by.role, "api_keys.manage_all"):
        raise PermissionDenied()
    if api_key.revoked_at:
        return api_key
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    log_action(
        "api_key.revoked",
        obj=api_key,
        object_label=api_key.name,
        before={"revoked": False},
        after={"revoked": True},
    )
    return api_key


@transaction.atomic
def profile_update(*, user: User, full_name: str, language: str) -> User:
    before = snapshot(user, ["full_name", "language"])
    user.full_name = full_name.strip()[:150]
    user.language = language if language in dict(settings.LANGUAGES) else ""
    b, a = diff(before, snapshot(user, ["full_name", "language"]))
    if a:
        user.save(update_fields=list(a))
        log_action("user.profile_updated", obj=user, object_label=user.email, before=b, after=a)
    return user
