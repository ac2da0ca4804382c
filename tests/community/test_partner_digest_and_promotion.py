"""A partner person's daily digest lists the announcements meant for them that are new and
unread and the events they registered for that start soon; a member moved up from an event's
waitlist is told (in the portal and by e-mail, as their preference says)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from community.models import AnnouncementRead
from community.services import events as event_services
from prm import notifications
from prm.models import Notification
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import (
    AnnouncementFactory,
    CommunityEventFactory,
    NotificationPreferenceFactory,
)

pytestmark = pytest.mark.django_db


def _digest(world, member, capture) -> str:
    mail.outbox.clear()
    with capture(execute=True), tenant_context(world.tenant):
        sent = notifications.digest_send(tenant=world.tenant, member=member)
    assert sent
    [message] = [m for m in mail.outbox if member.user.email in m.to]
    return message.body


def test_partner_digest_lists_new_unread_announcements_and_upcoming_registered_events(
    world, django_capture_on_commit_callbacks
):
    w = world
    now = timezone.now()
    with tenant_context(w.tenant):
        AnnouncementFactory(tenant=w.tenant, title="Fresh news for you")
        read = AnnouncementFactory(tenant=w.tenant, title="Already read news")
        AnnouncementRead.objects.create(tenant=w.tenant, announcement=read, member=w.partner_user)
        AnnouncementFactory(
            tenant=w.tenant,
            title="Old news",
            published_at=now - datetime.timedelta(days=30),
        )
        AnnouncementFactory(tenant=w.tenant, title="Only for MSPs", partner_types=["msp"])
        soon = CommunityEventFactory(tenant=w.tenant, title="Webinar soon")
        CommunityEventFactory(tenant=w.tenant, title="Webinar not registered")
        later = CommunityEventFactory(
            tenant=w.tenant,
            title="Webinar in two months",
            starts_at=now + datetime.timedelta(days=60),
            ends_at=now + datetime.timedelta(days=60, hours=1),
        )
        event_services.event_register(event=soon, by=w.partner_user)
        event_services.event_register(event=later, by=w.partner_user)
    body = _digest(w, w.partner_user, django_capture_on_commit_callbacks)
    assert "New announcements for you (1):" in body
    assert "- Fresh news for you" in body
    assert "Your events in the next 14 days (1):" in body and "- Webinar soon" in body
    for absent in ("Already read news", "Old news", "Only for MSPs", "not registered", "months"):
        assert absent not in body, absent


def test_a_partner_with_nothing_new_gets_no_digest(world):
    with tenant_context(world.tenant):
        assert not notifications.digest_send(tenant=world.tenant, member=world.partner_user)


def test_the_member_moved_up_from_the_waitlist_is_told(world, django_capture_on_commit_callbacks):
    w = world
    with tenant_context(w.tenant):
        e = CommunityEventFactory(tenant=w.tenant, capacity=1, title="Full webinar")
    portal_client(w.tenant, w.partner_user).post(f"/community/events/{e.pk}/register/")
    portal_client(w.tenant, w.other_partner_user).post(f"/community/events/{e.pk}/register/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resp = portal_client(w.tenant, w.partner_user).post(f"/community/events/{e.pk}/unregister/")
    assert resp.status_code == 302
    with tenant_context(w.tenant):
        [note] = Notification.objects.filter(
            member=w.other_partner_user, event_type="event.waitlist_promoted"
        )
        assert not Notification.objects.filter(
            member=w.partner_user, event_type="event.waitlist_promoted"
        ).exists()
    assert note.url == f"/community/events/{e.pk}/" or note.url.endswith(f"/{note.pk}/open/")
    [message] = [m for m in mail.outbox if w.other_partner_user.user.email in m.to]
    assert "Full webinar" in message.body and "waitlist" in message.body


def test_a_promoted_member_who_chose_the_digest_gets_no_mail_at_once(
    world, django_capture_on_commit_callbacks
):
    w = world
    with tenant_context(w.tenant):
        NotificationPreferenceFactory(
            tenant=w.tenant, member=w.other_partner_user, group="community", mode="digest"
        )
        e = CommunityEventFactory(tenant=w.tenant, capacity=1)
    portal_client(w.tenant, w.partner_user).post(f"/community/events/{e.pk}/register/")
    portal_client(w.tenant, w.other_partner_user).post(f"/community/events/{e.pk}/register/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        portal_client(w.tenant, w.partner_user).post(f"/community/events/{e.pk}/unregister/")
    assert not [m for m in mail.outbox if w.other_partner_user.user.email in m.to]
    with tenant_context(w.tenant):
        note = Notification.objects.get(
            member=w.other_partner_user, event_type="event.waitlist_promoted"
        )
    assert note.mode == "digest"
