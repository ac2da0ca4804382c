"""Who must use two-factor authentication, per the tenant's settings.

Tenant admins can require MFA (TOTP) for staff roles and, separately, for partner admins.
A member who is required to have it and has not set it up is sent to the MFA setup page by
`prm.middleware.MemberMiddleware` (no other portal page, no session use of the API) and
cannot create API keys (`prm.services.api_key_create`).
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from prm.roles import VENDOR_ROLES, Role


def mfa_required(member) -> bool:
    tenant = member.tenant
    # "Staff" here is everyone on the vendor's side, sales reps included: they see partners'
    # shared accounts as much as the program's managers do.
    if member.role in VENDOR_ROLES:
        return bool(tenant.require_mfa_for_staff)
    if member.role == Role.PARTNER_ADMIN:
        return bool(tenant.require_mfa_for_partner_admins)
    return False


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_missing(member) -> bool:
    """True when the tenant requires MFA of this member and they have not set it up."""
    return mfa_required(member) and not has_totp(member.user)
