"""Community events: staff create and publish; partner people register within the capacity
(the rest wait in line and move up on a cancellation), cancel; staff record attendance by hand
or from a CSV; every move audited."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from community.models import Event, Registration
from community.services import events as services
from prm.audit import AuditEvent
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import CommunityEventFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _status(world, event) -> dict[int, str]:
    with tenant_context(world.tenant):
        return dict(Registration.objects.filter(event=event).values_list("member_id", "status"))


def test_staff_create_and_publish_in_the_portal(world):
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post(
        "/community/events/new/",
        {
            "title": "Roadmap webinar",
            "kind": "webinar",
            "starts_at": "2099-03-01T16:00",
            "ends_at": "2099-03-01T17:00",
            "timezone_name": "Europe/Berlin",
            "capacity": "2",
            "join_url": "https://meet.example/x",
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        e = Event.objects.get()
    assert e.status == "draft" and e.starts_at.hour == 15  # 16:00 in Berlin is 15:00 UTC
    partner = portal_client(world.tenant, world.partner_user)
    assert partner.get(f"/community/events/{e.pk}/").status_code == 404  # a draft
    client.post(f"/community/events/{e.pk}/publish/")
    assert partner.get(f"/community/events/{e.pk}/").status_code == 200
    bad = client.post(
        "/community/events/new/",
        {
            "title": "x",
            "kind": "in_person",
            "starts_at": "2099-03-01T16:00",
            "ends_at": "2099-03-01T15:00",
            "timezone_name": "UTC",
        },
    )
    assert bad.status_code == 200  # a form error, nothing written


def test_capacity_waitlist_and_moving_up(world):
    with tenant_context(world.tenant):
        e = CommunityEventFactory(tenant=world.tenant, capacity=1)
    for m in (world.partner_user, world.other_partner_user):
        assert (
            portal_client(world.tenant, m).post(f"/community/events/{e.pk}/register/").status_code
            == 302
        )
    assert _status(world, e) == {
        world.partner_user.pk: "registered",
        world.other_partner_user.pk: "waitlisted",
    }
    portal_client(world.tenant, world.partner_user).post(f"/community/events/{e.pk}/unregister/")
    assert _status(world, e)[world.other_partner_user.pk] == "registered"
    staff = portal_client(world.tenant, world.admin)
    assert staff.post(f"/community/events/{e.pk}/register/").status_code == 403
    with tenant_context(world.tenant):
        actions = list(
            AuditEvent.objects.filter(object_type="community.event").values_list(
                "action", flat=True
            )
        )
    assert actions.count("event.registered") == 2 and "event.waitlist_promoted" in actions


@pytest.mark.django_db(transaction=True)
def test_two_registrations_for_the_last_seat_give_one_seat(world):
    with tenant_context(world.tenant):
        e = CommunityEventFactory(tenant=world.tenant, capacity=1)
        people = [world.partner_user, world.other_partner_user]
    barrier = threading.Barrier(2)

    def go(member):
        try:
            with tenant_context(world.tenant):
                barrier.wait(timeout=30)
                services.event_register(event=e, by=member)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(m,)) for m in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a registration never finished"
    assert sorted(_status(world, e).values()) == ["registered", "waitlisted"]


def test_attendance_by_hand_and_from_csv(world):
    start = timezone.now() - datetime.timedelta(hours=2)
    with tenant_context(world.tenant):
        e = CommunityEventFactory(
            tenant=world.tenant, starts_at=start, ends_at=start + datetime.timedelta(hours=3)
        )
        third = MemberFactory(tenant=world.tenant, role=Role.PARTNER_USER, partner=world.partner)
        for m in (world.partner_user, world.other_partner_user, third):
            services.event_register(event=e, by=m)
    staff = portal_client(world.tenant, world.channel_manager)
    staff.post(
        f"/community/events/{e.pk}/attendance/",
        {
            "registered": [world.partner_user.pk, world.other_partner_user.pk, third.pk],
            "attended": [world.partner_user.pk],
        },
    )
    csv = f"Email,Minutes\n{world.other_partner_user.user.email.upper()},40\nnobody@x.example,3\n"
    resp = staff.post(
        f"/community/events/{e.pk}/attendance/import/",
        {"file": SimpleUploadedFile("att.csv", csv.encode(), content_type="text/csv")},
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        attended = set(
            Registration.objects.filter(event=e, attended_at__isnull=False).values_list(
                "member_id", flat=True
            )
        )
    assert attended == {world.partner_user.pk, world.other_partner_user.pk}
    bad = staff.post(
        f"/community/events/{e.pk}/attendance/import/",
        {"file": SimpleUploadedFile("att.csv", b"name\nx\n", content_type="text/csv")},
    )
    assert bad.status_code == 200 and "email" in bad.content.decode()


def test_api_register_and_join_link_only_for_the_registered(world):
    with tenant_context(world.tenant):
        e = CommunityEventFactory(tenant=world.tenant)
    api = api_client(world.tenant, world.partner_user)
    assert api.get(f"/api/v1/community-events/{e.pk}/").json()["join_url"] is None
    out = api.post(f"/api/v1/community-events/{e.pk}/register/").json()
    assert out["my_registration"] == "registered" and out["join_url"].startswith("https://")
    staff = api_client(world.tenant, world.channel_manager)
    regs = staff.get(f"/api/v1/community-events/{e.pk}/registrations/").json()
    assert [r["member"] for r in regs["results"]] == [world.partner_user.pk]
    assert regs["next"] is None
    assert api.get(f"/api/v1/community-events/{e.pk}/registrations/").status_code == 403
    bad = staff.post(
        "/api/v1/community-events/",
        {"title": "x", "starts_at": "2099-01-01T10:00:00Z", "ends_at": "2099-01-01T09:00:00Z"},
        format="json",
    )
    assert bad.status_code == 400 and "ends_at" in str(bad.json())
