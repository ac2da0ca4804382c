"""Reads of incentives: what a member may see, balances derived from the ledger, the staff
queues."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from incentives.models import (
    Bucket,
    Dispute,
    DisputeStatus,
    Earning,
    EarningStatus,
    IncentiveProgram,
    LedgerEntry,
    LedgerKind,
    ProgramVersion,
    VersionStatus,
)
from prm.models import Member
from prm.roles import STAFF_ROLES

ZERO = Decimal("0")
BUCKETS = [b.value for b in Bucket]


def _staff(member: Member) -> bool:
    return member.role in STAFF_ROLES


def earnings_visible_to(member: Member) -> QuerySet[Earning]:
    """Staff: every line; partner people: their company's."""
    qs = Earning.objects.select_related(
        "partner", "program", "version", "deal", "direct_deal"
    ).annotate(
        has_open_dispute=Exists(
            Dispute.objects.filter(earning=OuterRef("pk"), status=DisputeStatus.OPEN)
        )
    )
    if _staff(member):
        return qs
    if member.partner_id is None:
        return qs.none()
    return qs.filter(partner_id=member.partner_id)


def disputes_visible_to(member: Member) -> QuerySet[Dispute]:
    qs = Dispute.objects.select_related("earning", "partner", "raised_by__user")
    if _staff(member):
        return qs
    return qs.filter(partner_id=member.partner_id) if member.partner_id else qs.none()


def programs() -> QuerySet[IncentiveProgram]:
    return IncentiveProgram.objects.order_by("-is_active", "name")


def current_versions(program_ids) -> dict[int, ProgramVersion]:
    """The version in force now of each program (one query)."""
    out: dict[int, ProgramVersion] = {}
    for v in ProgramVersion.objects.filter(
        program_id__in=list(program_ids),
        status=VersionStatus.PUBLISHED,
        effective_from__lte=timezone.now(),
    ).order_by("program_id", "-effective_from", "-version"):
        out.setdefault(v.program_id, v)
    return out


def balances(*, partner_id: int | None = None) -> dict[str, dict[str, Decimal]]:
    """Per currency: held, pending, approved, paid, reversed (each the SUM of its bucket's
    entries) and earned (every line's first entry), from one aggregate query over the
    ledger. `partner_id` None: the whole program."""
    qs = LedgerEntry.objects.all()
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys([*BUCKETS, "earned"], ZERO)
    )
    for row in qs.values("currency", "bucket", "kind").annotate(total=Sum("amount")):
        cur = out[row["currency"]]
        cur[row["bucket"]] += row["total"]
        if row["kind"] == LedgerKind.EARN:
            cur["earned"] += row["total"]
    return dict(sorted(out.items()))


def staff_queue(*, status: str = EarningStatus.PENDING) -> QuerySet[Earning]:
    return Earning.objects.filter(status=status).select_related("partner", "program", "deal")


def dispute_queue() -> QuerySet[Dispute]:
    return Dispute.objects.filter(status=DisputeStatus.OPEN).select_related(
        "earning__partner", "partner", "raised_by__user"
    )


def earnings_of_deal(deal_id: int, member: Member) -> QuerySet[Earning]:
    return earnings_visible_to(member).filter(deal_id=deal_id)
