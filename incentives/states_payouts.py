"""State machines of payouts (prm/states.py): payee details (a partner submits them, finance
staff approve or reject them; any change by the partner sends them back to review) and
payout batches (prepared, approved once or twice, paid; or cancelled).

Who does what (tests/permissions_incentives_payouts.py pins it):
- channel managers may prepare a batch and give its first approval: they know the partners
  and the earnings they approved;
- admins (the vendor's finance people) do everything money leaves by: the second approval
  of a batch above the threshold, reviewing payee details, exporting the payment files,
  marking a batch paid, cancelling a batch. The second approver must be another person than
  the first (checked in the service: a guard here does not see the acting member's history).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from incentives.models_payouts import BatchStatus, PayeeStatus
from prm.roles import STAFF_ROLES, Role
from prm.states import StateMachine, action

B = BatchStatus


def is_admin(_obj, member) -> bool:
    return member.role == Role.ADMIN


def is_staff(_obj, member) -> bool:
    return member.role in STAFF_ROLES


def partner_admin_of(payee, member) -> bool:
    return member.role == Role.PARTNER_ADMIN and member.partner_id == payee.partner_id


def one_approval(batch, _member) -> bool:
    return not batch.needs_second_approval


def two_approvals(batch, _member) -> bool:
    return batch.needs_second_approval


PAYEE = StateMachine(
    actions=[
        action(
            "submit",
            _("Save and send for review"),
            [PayeeStatus.PENDING, PayeeStatus.APPROVED, PayeeStatus.REJECTED],
            PayeeStatus.PENDING,
            who=partner_admin_of,
        ),
        action("approve", _("Approve"), [PayeeStatus.PENDING], PayeeStatus.APPROVED, who=is_admin),
        action(
            "reject",
            _("Reject"),
            [PayeeStatus.PENDING],
            PayeeStatus.REJECTED,
            who=is_admin,
            reason=True,
        ),
    ]
)

BATCH = StateMachine(
    actions=[
        # At or below the threshold one approval pays; above it the first approval waits for
        # a second by another admin.
        action("approve", _("Approve"), [B.DRAFT], B.APPROVED, who=is_staff, when=one_approval),
        action(
            "approve_first",
            _("Approve (first of two)"),
            [B.DRAFT],
            B.PARTLY_APPROVED,
            who=is_staff,
            when=two_approvals,
        ),
        action(
            "approve_second",
            _("Give the second approval"),
            [B.PARTLY_APPROVED],
            B.APPROVED,
            who=is_admin,
        ),
        action("export", _("Export for payment"), [B.APPROVED, B.PAID], who=is_admin),
        action("mark_paid", _("Mark paid"), [B.APPROVED], B.PAID, who=is_admin, confirm=True),
        action(
            "cancel",
            _("Cancel batch"),
            [B.DRAFT, B.PARTLY_APPROVED, B.APPROVED],
            B.CANCELLED,
            who=is_admin,
            reason=True,
            confirm=True,
        ),
    ]
)
