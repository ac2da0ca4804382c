"""Community's sections of a partner person's daily digest (registered in
CommunityConfig.ready()): the announcements meant for them that are new and still unread, and
the events they registered for that start soon."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.models import EventStatus, Registration, RegistrationStatus
from community.selectors import announcements_visible_to, with_read_state

NEW_DAYS = 7
UPCOMING_DAYS = 14
LIMIT = 20


def digest_sections(member) -> list[dict]:
    now = timezone.now()
    unread = (
        with_read_state(announcements_visible_to(member), member)
        .filter(is_read=False, published_at__gte=now - datetime.timedelta(days=NEW_DAYS))
        .order_by("-published_at", "-id")
    )
    upcoming = (
        Registration.objects.filter(
            member=member,
            status=RegistrationStatus.REGISTERED,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gte=now,
            event__starts_at__lt=now + datetime.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id")
    )
    events = [r.event for r in upcoming[:LIMIT]]
    return [
        {
            "title": _("New announcements for you"),
            "items": [a.title for a in unread[:LIMIT]],
            "count": unread.count(),
        },
        {
            "title": _("Your events in the next %(n)s days") % {"n": UPCOMING_DAYS},
            "items": [
                f"{e.title}, {date_format(timezone.localtime(e.starts_at), 'DATETIME_FORMAT')}"
                for e in events
            ],
            "count": upcoming.count(),
        },
    ]
