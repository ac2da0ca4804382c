"""The introduction request's machine: the vendor's staff (the account's owner rep or a
channel manager) accept or decline what a partner asked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accountmap.models_sharing import IntroStatus
from prm.roles import STAFF_ROLES
from prm.states import StateMachine, action


def is_staff(_obj, member) -> bool:
    return member is not None and member.role in STAFF_ROLES


INTRO_REQUEST = StateMachine(
    actions=[
        action("accept", _("Accept"), [IntroStatus.REQUESTED], IntroStatus.ACCEPTED, who=is_staff),
        action(
            "decline",
            _("Decline"),
            [IntroStatus.REQUESTED],
            IntroStatus.DECLINED,
            who=is_staff,
            reason=True,
        ),
    ]
)
