"""The application status machine, declared once (see prm/states.py).

Reviewers (members with `applications.review`) take the actions; automatic rules approve and
reject as the system (`member=None`). Approved is final: a partner exists.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onboarding.models import ApplicationStatus as S
from prm.roles import has_perm
from prm.states import StateMachine, action


def _reviewer(obj, member) -> bool:
    return member is not None and has_perm(member.role, "applications.review")


APPLICATION = StateMachine(
    actions=[
        action("review", _("I am reviewing this"), [S.SUBMITTED], S.IN_REVIEW, who=_reviewer),
        action(
            "approve",
            _("Approve and invite the contact"),
            [S.SUBMITTED, S.IN_REVIEW],
            S.APPROVED,
            who=_reviewer,
            confirm=True,
        ),
        action(
            "reject",
            _("Reject"),
            [S.SUBMITTED, S.IN_REVIEW],
            S.REJECTED,
            who=_reviewer,
            reason=True,
        ),
        action("reopen", _("Reopen for review"), [S.REJECTED], S.IN_REVIEW, who=_reviewer),
    ]
)
