"""What each irreversible community action does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from community.models import Announcement, Event
from prm.confirm import Confirmation, register


@register("announcement-withdraw")
def announcement_withdraw(a: Announcement) -> Confirmation:
    return Confirmation(
        name="announcement-withdraw",
        url=reverse("announcement-withdraw", args=[a.pk]),
        title=_("Withdraw the announcement %(t)s?") % {"t": a.title},
        consequence=_("Partners no longer see it; it cannot be published again."),
        button=_("Withdraw"),
        confirm=_("Withdraw the announcement"),
        back_url=a.get_absolute_url(),
    )


@register("event-cancel")
def event_cancel(e: Event) -> Confirmation:
    return Confirmation(
        name="event-cancel",
        url=reverse("event-cancel", args=[e.pk]),
        title=_("Cancel the event %(t)s?") % {"t": e.title},
        consequence=_("Registration closes; the event stays listed as cancelled."),
        button=_("Cancel the event"),
        confirm=_("Cancel the event"),
        back_url=e.get_absolute_url(),
    )
