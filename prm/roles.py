"""Roles and the one permission map that the portal and the API both consult."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.errors import PermissionDenied


class Role(models.TextChoices):
    ADMIN = "admin", _("Tenant admin")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_USER = "partner_user", _("Partner user")
    # Vendor staff who sell: they co-sell with partners on their accounts and territories and
    # read the deals and partners they need for it, but do not run the partner program (no
    # reviews, decisions, funds or administration).
    SALES_REP = "sales_rep", _("Sales rep")


# The vendor's people who run the partner program ("may manage the program").
STAFF_ROLES = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER})
# Everyone on the vendor's side: the staff and the sales reps.
VENDOR_ROLES = STAFF_ROLES | {Role.SALES_REP}
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER})
# The people in the partner program itself: those who run it and the partners in it. Pages
# about the program's own machinery (funds, training, onboarding, reviews) are theirs.
PROGRAM_ROLES = STAFF_ROLES | PARTNER_ROLES
# Every role: what any signed-in member may do (their home, notifications, own API keys).
ALL_ROLES = VENDOR_ROLES | PARTNER_ROLES

# Capability -> roles that hold it. Views and API endpoints name a capability, never a role,
# so changing who may do what is a one-line change here. Later apps add their capabilities.
PERMISSIONS: dict[str, frozenset[str]] = {
    "portal.use": ALL_ROLES,
    "tenant.manage": frozenset({Role.ADMIN}),
    "members.view": frozenset({Role.ADMIN, Role.CHANNEL_MANAGER, Role.PARTNER_ADMIN}),
    # The vendor's staff see every member (the partner admin sees their company's, under
    # the company's menu group).
    "members.view_all": STAFF_ROLES,
    "members.manage": frozenset({Role.ADMIN}),
    "members.invite": frozenset({Role.ADMIN, Role.PARTNER_ADMIN}),
    "partner_members.manage": frozenset({Role.PARTNER_ADMIN}),
    "audit.view": frozenset({Role.ADMIN}),
    "api_keys.manage_all": frozenset({Role.ADMIN}),
    "api_keys.own": ALL_ROLES,
}


def register(capabilities: dict[str, frozenset[str] | set[str]]) -> None:
    """Apps add their capabilities from AppConfig.ready(); names must be new."""
    for name, roles in capabilities.items():
        if name in PERMISSIONS:
            raise ValueError(f"capability {name!r} registered twice")
        PERMISSIONS[name] = frozenset(roles)


def has_perm(role: str | None, capability: str) -> bool:
    if role is None:
        return False
    try:
        return role in PERMISSIONS[capability]
    except KeyError:
        raise KeyError(f"Unknown capability {capability!r}; add it to prm.roles.PERMISSIONS")


def require(by, capability: str, *, system: bool = True) -> None:
    """The one capability check of a service. `by=None` is the system acting (automatic
    rules, tasks, event subscribers): it passes when the action is one the system takes
    (`system=True`, the default) and is refused for actions only people take
    (`system=False`, e.g. building a course). A member passes with the capability; anything
    else is prm.errors.PermissionDenied (403)."""
    if by is None:
        if system:
            return
        raise PermissionDenied()
    if not has_perm(by.role, capability):
        raise PermissionDenied()


def invitable_roles(role: str) -> list[str]:
    """Which roles a member with `role` may hand out in an invitation."""
    if role == Role.ADMIN:
        return [r.value for r in Role]
    if role == Role.PARTNER_ADMIN:
        return [Role.PARTNER_ADMIN.value, Role.PARTNER_USER.value]
    return []


def require_perm(member, capability: str) -> None:
    """For services: refuse (prm.errors.PermissionDenied, a 403) unless `member` is a person
    whose role has `capability`. `None` (the system) is refused too: services the system may
    call check `by is not None` first."""
    if member is None or not has_perm(member.role, capability):
        raise PermissionDenied()
