"""The community's home section (registered in CommunityConfig.ready()): the current
announcements for a partner person, unread first, and their next events."""

from __future__ import annotations

from django.utils import timezone

from community import selectors


def community_home(member) -> dict | None:
    if member.partner_id is None:
        return None
    announcements = selectors.current_for(member)
    events = list(
        selectors.events_visible_to(member)
        .filter(status="published", ends_at__gte=timezone.now())
        .order_by("starts_at")[:3]
    )
    if not announcements and not events:
        return None
    return {
        "announcements": announcements,
        "unread": sum(1 for a in announcements if not a.is_read),
        "events": events,
    }
