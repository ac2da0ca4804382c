"""Incentives' home sections (registered in IncentivesConfig.ready()): a partner admin's
earnings by state, and what waits for staff (lines to approve, disputes to answer and those
past their answer target). Each reads through the app's selectors with a bounded number of
queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from incentives.models import EarningStatus
from incentives.selectors import balances, dispute_queue, staff_queue
from partners.selectors import manages_partners

STATES = ("held", "pending", "approved", "paid")


def partner_home(member) -> dict | None:
    """The partner's earnings held, pending approval, approved and paid, per currency, from
    the ledger (one query); left out while the partner has earned nothing."""
    if member.partner_id is None:
        return None
    rows = [
        {"currency": currency, **{s: b[s] for s in STATES}}
        for currency, b in balances(partner_id=member.partner_id).items()
        if b["earned"] or any(b[s] for s in STATES)
    ]
    return {"rows": rows, "states": STATES} if rows else None


def staff_home(member) -> dict:
    """Lines waiting for approval, open disputes and those past their answer target; a
    channel manager's for the partners they manage when they manage any. Two queries."""
    now = timezone.now()
    lines, disputes = staff_queue(status=EarningStatus.PENDING), dispute_queue()
    mine = manages_partners(member)
    if mine:
        lines = lines.filter(partner__owner=member)
        disputes = disputes.filter(partner__owner=member)
    counts = disputes.order_by().aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now))
    )
    return {"pending": lines.order_by().count(), "disputes": counts, "mine": mine}
