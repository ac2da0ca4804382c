"""Payouts' home cards (registered in incentives/payouts_ready.py): for staff, the payout
batches waiting for my approval (and, for finance, those ready to pay and payee details to
review); for a partner's people, the next payout (approved, unpaid earnings), the last
payout and the last statement. Each reads through the payouts selectors, a fixed number of
queries."""

from __future__ import annotations

from incentives import selectors_payouts as sel
from incentives.models_payouts import PayeeStatus
from incentives.selectors import balances
from prm.roles import has_perm

SHOWN = 5


def staff_home(member) -> dict | None:
    """Left out when nothing waits for this member."""
    awaiting = sel.batches_awaiting(member).select_related("approved_by__user")
    finance = has_perm(member.role, "incentives.finance")
    data = {
        "awaiting": list(awaiting[:SHOWN]),
        "awaiting_count": awaiting.count(),
        "to_pay": sel.batches_to_pay(member).count() if finance else 0,
        "payees": sel.payee_queue().count() if finance else 0,
        "finance": finance,
    }
    if not (data["awaiting_count"] or data["to_pay"] or data["payees"]):
        return None
    return data


def partner_home(member) -> dict | None:
    """The partner's approved, unpaid earnings per currency (what the next payout pays, once
    its payee details are approved), its last paid payout and its last statement; left out
    while there is none of these."""
    if member.partner_id is None:
        return None
    upcoming = [
        {"currency": currency, "amount": b["approved"]}
        for currency, b in balances(partner_id=member.partner_id).items()
        if b["approved"] > 0
    ]
    last_payout = sel.lines_visible_to(member).order_by("-batch__paid_at", "-id").first()
    last_statement = sel.statements_visible_to(member).order_by("-month", "currency").first()
    if not (upcoming or last_payout or last_statement):
        return None
    payee = sel.payee_of(member.partner_id)
    return {
        "upcoming": upcoming,
        "payee_ready": payee is not None and payee.status == PayeeStatus.APPROVED,
        "can_edit_payee": has_perm(member.role, "incentives.payee"),
        "last_payout": last_payout,
        "last_statement": last_statement,
    }
