"""The partner status machine, declared once (see prm/states.py).

Staff (admins and channel managers) move partners; onboarding moves them by itself when an
application is approved (`approve`) and when the onboarding workflow completes (`activate`),
acting as the system (`member=None`). Offboarded is final: nothing is deleted, people lose
access at once.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from partners.models import DomainProposalStatus as DP
from partners.models import PartnerStatus as S
from partners.models import TierChangeStatus as TC
from prm.roles import Role
from prm.states import StateMachine, action


def _staff(obj, member) -> bool:
    return member is not None and member.role in (Role.ADMIN, Role.CHANNEL_MANAGER)


PARTNER_STATUS = StateMachine(
    actions=[
        action("approve", _("Approve"), [S.APPLICANT], S.ONBOARDING, who=_staff),
        action("activate", _("Activate"), [S.ONBOARDING], S.ACTIVE, who=_staff),
        action(
            "suspend", _("Suspend"), [S.ONBOARDING, S.ACTIVE], S.SUSPENDED, who=_staff, reason=True
        ),
        action("reactivate", _("Reactivate"), [S.SUSPENDED], S.ACTIVE, who=_staff),
        action("reonboard", _("Back to onboarding"), [S.SUSPENDED], S.ONBOARDING, who=_staff),
        action(
            "offboard",
            _("Offboard"),
            [S.APPLICANT, S.ONBOARDING, S.ACTIVE, S.SUSPENDED],
            S.OFFBOARDED,
            who=_staff,
            reason=True,
            confirm=True,
        ),
    ]
)


# How a status reads in lists (the CSS class of its badge): working, to watch, ended.
STATUS_TONE = {S.ACTIVE: "ok", S.SUSPENDED: "warn", S.OFFBOARDED: "off"}


def status_tone(partner) -> str:
    return STATUS_TONE.get(PARTNER_STATUS.status_of(partner), "")


def _admin(obj, member) -> bool:
    return member is not None and member.role == Role.ADMIN


# Upgrades waiting for approval (ProgramSettings). Decided by admins, once.
TIER_CHANGE = StateMachine(
    actions=[
        action("approve", _("Approve"), [TC.PENDING], TC.APPLIED, who=_admin),
        action("reject", _("Reject"), [TC.PENDING], TC.REJECTED, who=_admin),
    ]
)


# Company domains a partner admin proposed; staff decide them, once. A newer proposal of the
# same partner supersedes a pending one (the system, partners.services).
DOMAIN_PROPOSAL = StateMachine(
    actions=[
        action("approve", _("Approve"), [DP.PENDING], DP.APPROVED, who=_staff),
        action("reject", _("Reject"), [DP.PENDING], DP.REJECTED, who=_staff),
        action("supersede", _("Supersede"), [DP.PENDING], DP.SUPERSEDED, system=True),
    ]
)
