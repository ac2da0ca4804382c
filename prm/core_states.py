"""The core's stateful objects, declared once (see prm/states.py): memberships and custom
domains. Views pass `MACHINE.allowed(obj, member)` to templates and check each action with
`prm.portal.require_action` (a visible object's forbidden action is a 403)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.models import HostStatus as H
from prm.roles import Role
from prm.states import StateMachine, action


def _manages(target, member) -> bool:
    """Admins manage every other member; partner admins the other members of their own
    company. Nobody changes their own membership."""
    if member is None or member.pk == target.pk:
        return False
    if member.role == Role.ADMIN:
        return True
    return member.role == Role.PARTNER_ADMIN and target.partner_id == member.partner_id


# A membership is active or deactivated (`is_active`).
MEMBERSHIP = StateMachine(
    field="is_active",
    actions=[
        action("change_role", _("Change role"), [True], who=_manages),
        action("deactivate", _("Deactivate"), [True], False, who=_manages, confirm=True),
        action("reactivate", _("Reactivate"), [False], True, who=_manages),
    ],
)


def _admin(obj, member) -> bool:
    return member is not None and member.role == Role.ADMIN


ANY_HOST = [H.PENDING, H.VERIFIED, H.SUSPENDED]

# A tenant's custom domain: PENDING until its TXT record is seen, VERIFIED while it is,
# SUSPENDED when it disappears (the checks are the system's, prm.hosts). Only a verified
# domain can be the main address.
TENANT_HOST = StateMachine(
    actions=[
        action("verify", _("Verify now"), ANY_HOST, who=_admin),
        action(
            "make_main",
            _("Make main address"),
            [H.VERIFIED],
            who=_admin,
            when=lambda h, _m: not h.is_canonical,
        ),
        action(
            "stop_main",
            _("Stop using as main address"),
            ANY_HOST,
            who=_admin,
            when=lambda h, _m: h.is_canonical,
        ),
        action("remove", _("Remove"), ANY_HOST, who=_admin, confirm=True),
        action("confirm", _("Confirm"), [H.PENDING, H.SUSPENDED], H.VERIFIED, system=True),
        action("suspend", _("Suspend"), [H.VERIFIED], H.SUSPENDED, system=True),
    ]
)


def is_main_address(host) -> bool:
    """The domain every e-mail link uses: canonical and verified (prm.urls_util)."""
    return host.is_canonical and host.status == H.VERIFIED
