"""Reads for partners and tiers."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from partners.models import (
    DomainProposal,
    DomainProposalStatus,
    Partner,
    PartnerMetrics,
    Tier,
    TierChange,
    TierChangeStatus,
)
from prm.models import Member
from prm.roles import Role, has_perm


def partner_directory(
    *,
    q: str = "",
    partner_type: str = "",
    tier: str = "",
    country: str = "",
    status: str = "",
    owner: str = "",
    health: str = "",
) -> QuerySet[Partner]:
    qs = Partner.objects.select_related("tier", "owner__user").order_by("name")
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(legal_name__icontains=q) | Q(domain_set__domain__icontains=q)
        ).distinct()
    if partner_type:
        qs = qs.filter(partner_type=partner_type)
    if tier:
        qs = qs.filter(tier__isnull=True) if tier == "none" else qs.filter(tier_id=tier)
    if country:
        qs = qs.filter(country=country.upper())
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_id=owner)
    bands = {"at_risk": (0, 49), "watch": (50, 69), "healthy": (70, 100)}
    if health in bands:
        low, high = bands[health]
        qs = qs.filter(metrics__health_score__gte=low, metrics__health_score__lte=high)
    elif health == "unknown":
        qs = qs.filter(Q(metrics__isnull=True) | Q(metrics__health_score__isnull=True))
    return qs


def tiers() -> QuerySet[Tier]:
    return Tier.objects.order_by("rank")


def metrics_for(partner: Partner) -> PartnerMetrics | None:
    return PartnerMetrics.objects.filter(partner=partner).first()


def metrics_of_partners(partner_ids) -> dict[int, PartnerMetrics]:
    """The metrics rows of these partners by partner id (one query)."""
    return {m.partner_id: m for m in PartnerMetrics.objects.filter(partner_id__in=partner_ids)}


def domain_proposals() -> QuerySet[DomainProposal]:
    return DomainProposal.objects.select_related("partner", "proposed_by__user").order_by(
        "-created_at"
    )


def pending_domain_proposals() -> QuerySet[DomainProposal]:
    return domain_proposals().filter(status=DomainProposalStatus.PENDING).order_by("created_at")


def pending_tier_changes() -> QuerySet[TierChange]:
    return (
        TierChange.objects.filter(status=TierChangeStatus.PENDING)
        .select_related("partner", "from_tier", "to_tier")
        .order_by("created_at")
    )


def tier_history(partner: Partner) -> QuerySet[TierChange]:
    return (
        TierChange.objects.filter(partner=partner)
        .select_related("from_tier", "to_tier")
        .order_by("-created_at")
    )


def partners_visible_to(member: Member) -> QuerySet[Partner]:
    """Staff see every partner of the tenant; partner people see only their own company
    (another partner is then indistinguishable from a missing one)."""
    qs = Partner.objects.all()
    if has_perm(member.role, "partners.view"):
        return qs
    if member.partner_id is None:
        return qs.none()
    return qs.filter(pk=member.partner_id)


def tier_changes() -> QuerySet[TierChange]:
    """Every tier move (applied, pending, rejected, cancelled), newest first."""
    return TierChange.objects.select_related("partner", "from_tier", "to_tier").order_by(
        "-created_at", "-id"
    )


def tier_progress(metrics: PartnerMetrics | None, tier: Tier | None) -> list[dict]:
    """Each requirement of `tier`: what it needs, what the partner has, how far along."""
    if tier is None:
        return []
    have = {
        "min_won_revenue_12m": metrics.won_revenue_12m if metrics else Decimal(0),
        "min_won_deals_12m": metrics.won_deals_12m if metrics else 0,
        "min_certified_people": metrics.certified_people if metrics else 0,
        "min_health_score": (
            metrics.health_score if metrics and metrics.health_score is not None else 0
        ),
    }
    labels = {
        "min_won_revenue_12m": _("Won revenue, last 12 months"),
        "min_won_deals_12m": _("Won deals, last 12 months"),
        "min_certified_people": _("Certified people"),
        "min_health_score": _("Health score"),
    }
    rows = []
    for field in Tier.REQUIREMENT_FIELDS:
        need = getattr(tier, field)
        if need is None:
            continue
        value = have[field]
        pct = 100 if not need else min(100, int(Decimal(value) * 100 / Decimal(need)))
        rows.append(
            {
                "label": labels[field],
                "need": need,
                "have": value,
                "pct": pct,
                "met": value >= need,
                "money": field == "min_won_revenue_12m",
            }
        )
    return rows


def manages_partners(member) -> bool:
    """A channel manager who owns partners sees their own partners' numbers on the home page
    (everyone else, and a manager who owns none, sees the whole program's)."""
    return member.role == Role.CHANNEL_MANAGER and Partner.objects.filter(owner=member).exists()
