"""Analytics' reactions to other apps' events (prm.events; subscribed in analytics.apps).

One so far: a new version of the rules of engagement. Its review targets decide approval SLA
attainment, so the stored rollups go stale and a full recompute is queued. dealreg stays
unaware of analytics (analytics reads dealreg, never the other way round)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from analytics import services
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
