"""Reads of payouts: payee details, batches, lines and statements each member may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from incentives.models import LedgerEntry
from incentives.models_payouts import (
    BatchStatus,
    PayeeDetails,
    PayeeStatus,
    PayoutBatch,
    PayoutLine,
    Statement,
)
from incentives.services.statements import month_bounds
from prm.models import Member
from prm.roles import STAFF_ROLES, Role, has_perm


def _staff(member: Member) -> bool:
    return member.role in STAFF_ROLES


def sees_full_iban(member: Member, partner_id: int) -> bool:
    """The vendor's admins (finance) and the partner's own admins; everyone else sees the
    IBAN masked."""
    return member.role == Role.ADMIN or (
        member.role == Role.PARTNER_ADMIN and member.partner_id == partner_id
    )


def payee_of(partner_id: int) -> PayeeDetails | None:
    return PayeeDetails.objects.filter(partner_id=partner_id).first()


def payees_visible_to(member: Member) -> QuerySet[PayeeDetails]:
    qs = PayeeDetails.objects.select_related("partner", "reviewed_by__user")
    if _staff(member):
        return qs
    if member.role == Role.PARTNER_ADMIN and member.partner_id:
        return qs.filter(partner_id=member.partner_id)
    return qs.none()


def payee_queue() -> QuerySet[PayeeDetails]:
    return PayeeDetails.objects.filter(status=PayeeStatus.PENDING).select_related("partner")


def batches() -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.select_related(
        "created_by__user", "approved_by__user", "second_approved_by__user", "paid_by__user"
    )


def batches_awaiting(member: Member) -> QuerySet[PayoutBatch]:
    """The batches waiting for this member's approval (incentives.states_payouts.BATCH):
    prepared ones for anyone who prepares batches; for the vendor's finance people also those
    waiting for a second approval whose first approval someone else gave (the service
    refuses the same person twice). Oldest first."""
    if not has_perm(member.role, "incentives.payouts"):
        return PayoutBatch.objects.none()
    waiting = Q(status=BatchStatus.DRAFT)
    if has_perm(member.role, "incentives.finance"):
        waiting |= Q(status=BatchStatus.PARTLY_APPROVED) & ~Q(approved_by=member)
    return PayoutBatch.objects.filter(waiting).order_by("created_at", "id")


def batches_to_pay(member: Member) -> QuerySet[PayoutBatch]:
    """Approved batches waiting to be paid, for the finance people who mark them paid."""
    if not has_perm(member.role, "incentives.finance"):
        return PayoutBatch.objects.none()
    return PayoutBatch.objects.filter(status=BatchStatus.APPROVED).order_by("approved_at", "id")


def batches_visible_to(member: Member) -> QuerySet[PayoutBatch]:
    """Every batch for the staff who work on payouts; none for anyone else (a partner sees
    its own payouts as lines of paid batches, lines_visible_to)."""
    if not has_perm(member.role, "incentives.payouts"):
        return PayoutBatch.objects.none()
    return batches()


def lines_visible_to(member: Member) -> QuerySet[PayoutLine]:
    """Staff: every line; a partner's people: their company's lines of paid batches."""
    qs = PayoutLine.objects.select_related("batch", "partner")
    if _staff(member):
        return qs
    if member.partner_id is None:
        return qs.none()
    return qs.filter(partner_id=member.partner_id, batch__status="paid")


def statements_visible_to(member: Member) -> QuerySet[Statement]:
    qs = Statement.objects.select_related("partner")
    if _staff(member):
        return qs
    if member.partner_id is None:
        return qs.none()
    return qs.filter(partner_id=member.partner_id)


def statement_entries(statement: Statement) -> QuerySet[LedgerEntry]:
    """The month's ledger entries behind a statement (its currency), oldest first."""
    start, end = month_bounds(statement.month)
    return (
        LedgerEntry.objects.filter(
            partner_id=statement.partner_id,
            currency=statement.currency,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("earning")
        .order_by("created_at", "id")
    )
