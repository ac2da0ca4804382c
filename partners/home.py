"""Partners' home sections (registered in PartnersConfig.ready()): a partner's tier and the
gap to the next one; the approvals waiting for the program's admin."""

from __future__ import annotations

from partners.models import Partner, Tier
from partners.selectors import (
    metrics_for,
    pending_domain_proposals,
    pending_tier_changes,
    tier_progress,
    tiers,
)


def partner_home(member) -> dict | None:
    """The partner's tier, the next one up and what is still missing for it (the same
    requirements the tier evaluation checks). Three queries."""
    partner = Partner.objects.select_related("tier").get(pk=member.partner_id)
    rank = partner.tier.rank if partner.tier else -1
    ladder = list(tiers())
    if not ladder:
        return None  # the program has no tiers: nothing to climb
    nxt = next((t for t in ladder if t.rank > rank), None)
    progress = tier_progress(metrics_for(partner), nxt)
    return {
        "partner": partner,
        "next_tier": nxt,
        "progress": progress,
        "missing": [row for row in progress if not row["met"]],
    }


def approvals_home(member) -> dict:
    """Tier changes and domain proposals waiting for a decision. Two queries."""
    return {
        "tier_changes": pending_tier_changes().count(),
        "domain_proposals": pending_domain_proposals().count(),
    }


def has_tiers(tenant) -> bool:
    return Tier.objects.exists()
