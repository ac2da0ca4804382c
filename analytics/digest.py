"""Analytics' section of the staff digest (registered in AnalyticsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext as _

from analytics.models import RiskEpisode


def digest_sections(member) -> list[dict]:
    """Partners with an open risk episode, with the reason."""
    at_risk = RiskEpisode.objects.filter(ended_on__isnull=True).select_related("partner")
    return [
        {
            "title": _("Partners at risk"),
            "items": [f"{e.partner.name}: {e.reason_text}" for e in at_risk[:20]],
            "count": at_risk.count(),
        }
    ]
