"""Reads for deal registration."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from dealreg.models import (
    ACTIVE_STATUSES,
    Deal,
    DealStatus,
    DirectDeal,
    DirectDealInfluencer,
    InfluenceClaim,
    Lead,
    LeadOffer,
)
from prm.models import Member
from prm.roles import PARTNER_ROLES


def deals_visible_to(member: Member) -> QuerySet[Deal]:
    """Staff see every deal; partner people see their own company's deals only."""
    qs = Deal.objects.select_related("partner", "partner__tier")
    if member.role in PARTNER_ROLES:
        return qs.filter(partner_id=member.partner_id)
    return qs


def review_queue(
    *,
    conflicts: str = "",
    region: str = "",
    min_amount=None,
    max_amount=None,
    older_than_hours: int | None = None,
    sort: str = "oldest",
) -> QuerySet[Deal]:
    qs = Deal.objects.select_related("partner", "partner__owner__user").filter(
        status__in=[DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW]
    )
    if conflicts == "yes":
        qs = qs.filter(has_conflicts=True)
    elif conflicts == "no":
        qs = qs.filter(has_conflicts=False)
    if region:
        qs = qs.filter(region=region)
    if min_amount is not None:
        qs = qs.filter(amount__gte=min_amount)
    if max_amount is not None:
        qs = qs.filter(amount__lte=max_amount)
    if older_than_hours:
        qs = qs.filter(submitted_at__lt=timezone.now() - datetime.timedelta(hours=older_than_hours))
    order = {
        "oldest": ["submitted_at"],
        "newest": ["-submitted_at"],
        "amount": ["-amount", "submitted_at"],
        "sla": ["sla_due_at"],
    }
    return qs.order_by(*order.get(sort, ["submitted_at"]))


def expiring_soon(days: int = 14) -> QuerySet[Deal]:
    today = timezone.now().date()
    return (
        Deal.objects.select_related("partner")
        .filter(
            status=DealStatus.APPROVED,
            protected_until__gte=today,
            protected_until__lte=today + datetime.timedelta(days=days),
        )
        .order_by("protected_until")
    )


def timeline(deal: Deal, *, staff: bool):
    qs = deal.events.select_related("actor__user").order_by("at", "id")
    return qs if staff else qs.filter(staff_only=False)


def open_items_for_partner(partner) -> list[dict]:
    return [
        {
            "kind": "Deal",
            "label": f"{d.number} {d.customer_name} ({d.get_status_display()})",
            "url": f"/deals/{d.pk}/",
        }
        for d in Deal.objects.filter(partner=partner, status__in=ACTIVE_STATUSES)[:200]
    ]


def offers_for(member: Member) -> QuerySet[LeadOffer]:
    return (
        LeadOffer.objects.select_related("lead")
        .filter(partner_id=member.partner_id)
        .order_by("-offered_at")
    )


def leads() -> QuerySet[Lead]:
    return Lead.objects.prefetch_related("offers__partner").order_by("-created_at")


def influence_claims_visible_to(member: Member):
    """Staff see every influence claim; partner people their own company's."""
    qs = InfluenceClaim.objects.select_related("partner", "submitted_by__user", "decided_by__user")
    if member.role in PARTNER_ROLES:
        return qs.filter(partner_id=member.partner_id)
    return qs


def influence_queue():
    """Waiting influence claims, the most overdue first."""
    return (
        InfluenceClaim.objects.filter(status=InfluenceClaim.Status.PENDING)
        .select_related("partner")
        .order_by("due_at", "id")
    )


def direct_deals_visible_to(member: Member):
    """Staff see every direct deal of the vendor; partner people those their company is
    credited on as an influencer. Each comes with `shown_influencers` (one query for the
    page): every influencer for staff, the member's company's only for partner people
    (other partners' credit is not theirs to see)."""
    shown = DirectDealInfluencer.objects.select_related("partner").order_by("partner__name")
    qs = DirectDeal.objects.all()
    if member.role in PARTNER_ROLES:
        qs = qs.filter(influencers__partner_id=member.partner_id).distinct()
        shown = shown.filter(partner_id=member.partner_id)
    return qs.prefetch_related(Prefetch("influencers", queryset=shown, to_attr="shown_influencers"))
