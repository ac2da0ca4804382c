"""Reads of payouts: payee details, batches, lines and statements each member may see."""

from __future__ import annotations

from django.db.models import QuerySet

from incentives.models import LedgerEntry
from incentives.models_payouts import (
    PayeeDetails,
    PayeeStatus,
    PayoutBatch,
    PayoutLine,
    Statement,
)
from incentives.services.statements import month_bounds
from prm.models import Member
from prm.roles import STAFF_ROLES, Role


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
