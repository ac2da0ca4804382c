"""Analytics' reactions to other apps' events (prm.events; subscribed in analytics.apps).
dealreg, mdf and partners stay unaware of analytics (analytics reads them, never the other
way round).

- A new version of the rules of engagement: its review targets decide approval SLA
  attainment, so the stored rollups go stale and a full recompute is queued.
- A change to one partner's rollup inputs (a deal submitted, decided, won or lost; a direct
  deal won or lost; a deal's influencers changed; a claim paid; a tier or status change;
  a program cost, marked by analytics.services itself): the partners whose figures it
  moves are marked in the same transaction and recomputed by Celery once it commits
  (services.rollups_mark_changed), so pages show the change within seconds instead of after
  the nightly run."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import services
from analytics.services.periods import quarter_start
from dealreg.models import DealInfluencer, DirectDealInfluencer
from prm import events
from prm.models import Tenant


def on_rules_published(event: events.Event) -> None:
    """rules.published. Version 1 (the defaults, created in bulk on first use) is never
    published and changes nothing already computed."""
    services.rollups_mark_stale(
        tenant=Tenant.objects.get(pk=event.tenant_id),
        reason=_("Rules of engagement v%(version)s published")
        % {"version": event.payload["version"]},
    )


# Deal events that move the registering partner's figures (funnel, approval SLA and rate,
# velocity, revenue) and, once won or lost, its influencers' influenced revenue; and a change
# of a registration's influencers (their shares).
DEAL_EVENTS = (
    "deal.submitted",
    "deal.approved",
    "deal.rejected",
    "deal.won",
    "deal.lost",
    "deal.influencers_changed",
)


# Influencers' figures come from won deals only: a submission or a decision moves the
# registering partner's alone (no influencer look-up on the decision path).
INFLUENCER_EVENTS = ("deal.won", "deal.lost", "deal.influencers_changed")


def on_deal_changed(event: events.Event) -> None:
    deal_id = event.payload.get("deal_id")
    influencers = (
        DealInfluencer.objects.filter(deal_id=deal_id).values_list("partner_id", flat=True)
        if deal_id and event.type in INFLUENCER_EVENTS
        else []
    )
    services.rollups_mark_changed(
        tenant_id=event.tenant_id, partner_ids=[event.payload.get("partner_id"), *influencers]
    )


def on_direct_deal_changed(event: events.Event) -> None:
    """direct_deal.won / direct_deal.lost: the vendor's own deal's influencers."""
    influencers = DirectDealInfluencer.objects.filter(
        direct_deal_id=event.payload["direct_deal_id"]
    ).values_list("partner_id", flat=True)
    services.rollups_mark_changed(tenant_id=event.tenant_id, partner_ids=list(influencers))


def on_direct_influencers_changed(event: events.Event) -> None:
    """direct_deal.influencers_changed: those before and after, and the current ones (their
    shares of the deal move)."""
    current = DirectDealInfluencer.objects.filter(
        direct_deal_id=event.payload["direct_deal_id"]
    ).values_list("partner_id", flat=True)
    services.rollups_mark_changed(
        tenant_id=event.tenant_id, partner_ids=[*event.payload["partner_ids"], *current]
    )


def on_claim_paid(event: events.Event) -> None:
    """mdf.claim.paid: MDF paid is part of the partner's investment and MDF ROI."""
    services.rollups_mark_changed(
        tenant_id=event.tenant_id, partner_ids=[event.payload.get("partner_id")]
    )


def on_partner_changed(event: events.Event) -> None:
    """partner.tier_changed / partner.status_changed: the partner's own figures (its tier
    dimension, whether it counts at all) and, where its tier has a cost this quarter, those
    of the partners it shares that cost with (before and after the move)."""
    payload = event.payload
    tiers = {payload.get("tier_id"), payload.get("previous_tier_id")}
    services.rollups_mark_changed(
        tenant_id=event.tenant_id,
        partner_ids=[
            payload.get("partner_id"),
            *services.tier_cost_sharers(tiers, quarter_start(timezone.localdate())),
        ],
    )


def on_tiers_evaluated(event: events.Event) -> None:
    """partner.tiers_evaluated: the set-based tier evaluation moved these partners."""
    period = quarter_start(timezone.localdate())
    services.rollups_mark_changed(
        tenant_id=event.tenant_id,
        partner_ids=[
            *event.payload["partner_ids"],
            *services.tier_cost_sharers(event.payload["tier_ids"], period),
        ],
    )
