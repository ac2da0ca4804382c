"""The state machines of incentives, declared once (prm/states.py): program versions (a draft
is edited and published), earning lines (held -> pending -> approved -> paid, or reversed)
and disputes (open -> answered)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from incentives.models import DisputeStatus, EarningStatus, VersionStatus
from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role
from prm.states import StateMachine, action

E = EarningStatus


def is_admin(_obj, member) -> bool:
    return member.role == Role.ADMIN


def is_staff(_obj, member) -> bool:
    return member.role in STAFF_ROLES


def owns_earning(earning, member) -> bool:
    return member.role in PARTNER_ROLES and member.partner_id == earning.partner_id


def no_open_dispute(earning, _member) -> bool:
    """Read once per earning object (the list pages annotate it)."""
    if "_open_dispute" not in earning.__dict__:
        earning.__dict__["_open_dispute"] = earning.disputes.filter(
            status=DisputeStatus.OPEN
        ).exists()
    return not earning.__dict__["_open_dispute"]


VERSION = StateMachine(
    actions=[
        action("edit", _("Edit draft"), [VersionStatus.DRAFT], who=is_admin),
        action(
            "publish",
            _("Publish"),
            [VersionStatus.DRAFT],
            VersionStatus.PUBLISHED,
            who=is_admin,
        ),
    ]
)

EARNING = StateMachine(
    actions=[
        # The clawback window passed (the daily sweep).
        action("release", _("Release"), [E.HELD], E.PENDING, system=True),
        action("approve", _("Approve"), [E.PENDING], E.APPROVED, who=is_staff),
        # Statements and payouts (issue #20, item 4) pay approved lines.
        action("pay", _("Mark paid"), [E.APPROVED], E.PAID, system=True),
        # The deal was lost, refunded or cancelled after it was won: lines not yet approved
        # are reversed; approved and paid ones are taken back by a clawback line.
        action("reverse", _("Reverse"), [E.HELD, E.PENDING], E.REVERSED, system=True),
        action(
            "dispute",
            _("Dispute this line"),
            [E.HELD, E.PENDING, E.APPROVED, E.PAID, E.REVERSED],
            who=owns_earning,
            when=no_open_dispute,
            reason=True,
            refusal=_("This line already has an open dispute."),
        ),
    ]
)

DISPUTE = StateMachine(
    actions=[
        action(
            "answer",
            _("Answer"),
            [DisputeStatus.OPEN],
            DisputeStatus.ANSWERED,
            who=is_staff,
            reason=True,
        ),
    ]
)
