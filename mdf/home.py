"""Market development funds' home sections (registered in MdfConfig.ready()): a partner's
balance and claim deadlines; what waits for a reviewer. A bounded number of queries each."""

from __future__ import annotations

from django.db.models import Count, Q

from mdf.models import ClaimStatus, Program
from mdf.selectors import balances, claim_queue, deadlines_for, request_queue
from partners.selectors import manages_partners

LISTED = 5


def partner_home(member) -> dict:
    """Available funds per program and the approved requests waiting for a claim, soonest
    deadline first. Two queries."""
    rows = list(balances(partner=member.partner_id)[:LISTED])
    deadlines = deadlines_for(member.partner_id)
    return {
        "balances": rows,
        "deadlines": deadlines[:LISTED],
        "deadline_count": len(deadlines),
        "overdue": sum(1 for d in deadlines if d["overdue"]),
    }


def staff_home(member) -> dict:
    """Fund requests and claims waiting for a decision (claims split by their step); a
    channel manager's for the partners they manage when they manage any. Three queries."""
    mine = manages_partners(member)
    requests, claims = request_queue(), claim_queue()
    if mine:
        requests = requests.filter(partner__owner=member)
        claims = claims.filter(partner__owner=member)
    claims = claims.order_by().aggregate(
        first=Count("id", filter=Q(status=ClaimStatus.SUBMITTED)),
        second=Count("id", filter=Q(status=ClaimStatus.SECOND_APPROVAL)),
        to_pay=Count("id", filter=Q(status=ClaimStatus.APPROVED)),
    )
    return {"requests": requests.count(), "claims": claims, "mine": mine}


def has_program(tenant) -> bool:
    return Program.objects.exists()
