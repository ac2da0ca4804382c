"""The public profile's status machine, declared once (see prm/states.py).

draft (the partner edits it; nothing is public) -> published (public while the partner is
active) -> draft again when the partner withdraws it. Staff may take a published or draft
profile down (hidden, with a reason); only staff restore it (back to draft).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from locator.models import ProfileStatus, PublicProfile
from prm.roles import STAFF_ROLES, Role
from prm.states import StateMachine, action

S = ProfileStatus


def staff(profile, member) -> bool:
    return member is not None and member.role in STAFF_ROLES


def partner_admin(profile, member) -> bool:
    return (
        member is not None
        and member.role == Role.PARTNER_ADMIN
        and member.partner_id == profile.partner_id
    )


PROFILE = StateMachine(
    actions=[
        action("edit", _("Change"), [S.DRAFT, S.PUBLISHED], who=partner_admin),
        action("publish", _("Publish"), [S.DRAFT], S.PUBLISHED, who=partner_admin),
        action(
            "unpublish", _("Withdraw from the locator"), [S.PUBLISHED], S.DRAFT, who=partner_admin
        ),
        action(
            "hide",
            _("Take down"),
            [S.DRAFT, S.PUBLISHED],
            S.HIDDEN,
            who=staff,
            confirm=True,
            reason=True,
        ),
        action("restore", _("Allow again"), [S.HIDDEN], S.DRAFT, who=staff),
    ]
)


def allowed(profile: PublicProfile, member) -> frozenset[str]:
    return PROFILE.allowed(profile, member)
