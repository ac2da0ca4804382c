"""Announcements and roadmap items: admins post, schedule and withdraw; partner people see
the current ones meant for them (type, tier, language) on their home page and the list, read
tracking per member; bodies sanitised; every move audited; the beat publishes scheduled ones."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from community.models import Announcement, AnnouncementRead
from community.services import announcements as services
from prm.audit import AuditEvent
from prm.models import OutboxEvent
from prm.outbox_models import Notification
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import AnnouncementFactory, TierFactory
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def _post(world, **extra):
    data = {"title": "Price list 2027", "body": "New prices\n\nfrom January.", "kind": "news"}
    data.update(extra)
    return portal_client(world.tenant, world.admin).post("/community/announcements/new/", data)


def _only(world) -> Announcement:
    with tenant_context(world.tenant):
        return Announcement.objects.get()


def test_admin_posts_and_publishes_and_partner_people_are_told(
    world, django_capture_on_commit_callbacks
):
    resp = _post(world)
    assert resp.status_code == 302
    a = _only(world)
    assert a.status == "draft"
    assert a.body == "<p>New prices</p>\n\n<p>from January.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        resp = portal_client(world.tenant, world.admin).post(
            f"/community/announcements/{a.pk}/publish/"
        )
    assert resp.status_code == 302
    a = _only(world)
    assert a.status == "published" and a.published_at is not None
    with tenant_context(world.tenant):
        told = set(
            Notification.objects.filter(event_type="announcement.published").values_list(
                "member_id", flat=True
            )
        )
        assert OutboxEvent.objects.filter(event_type="announcement.published").count() == 1
        actions = list(
            AuditEvent.objects.filter(object_type="community.announcement").values_list(
                "action", flat=True
            )
        )
    # Every partner person, no staff (they posted it).
    assert told == {world.partner_admin.pk, world.partner_user.pk, world.other_partner_user.pk}
    assert actions == ["announcement.created", "announcement.published"]
    mails = [m for m in mail.outbox if world.partner_user.user.email in m.to]
    assert len(mails) == 1 and "Price list 2027" in mails[0].body


def test_a_channel_manager_cannot_post(world):
    resp = portal_client(world.tenant, world.channel_manager).post(
        "/community/announcements/new/", {"title": "x", "body": "y", "kind": "news"}
    )
    assert resp.status_code == 403


def test_script_is_removed_from_the_body(world):
    _post(
        world, body='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">l</a></p>'
    )
    body = _only(world).body
    assert "script" not in body and "onclick" not in body and "javascript" not in body
    assert body.startswith("<p>Hi")


def test_roadmap_item_needs_status_and_a_well_formed_quarter(world):
    resp = _post(world, kind="roadmap", quarter="Q3 2026")
    assert resp.status_code == 200
    assert find(resp, "a", href="#id_roadmap_status")  # the error summary links the field
    resp = _post(world, kind="roadmap", roadmap_status="planned", quarter="2026-Q5")
    assert resp.status_code == 200
    with tenant_context(world.tenant):
        assert not Announcement.objects.exists()
    resp = _post(world, kind="roadmap", roadmap_status="in_progress", quarter="2026-q3")
    assert resp.status_code == 302
    assert _only(world).quarter == "2026-Q3"


def test_targeting_by_type_tier_and_language(world):
    with tenant_context(world.tenant):
        gold = TierFactory(tenant=world.tenant, name="Gold")
        world.partner.tier = gold
        world.partner.save(update_fields=["tier"])
        for_gold = AnnouncementFactory(tenant=world.tenant, title="Gold only", tier_ids=[gold.pk])
        for_msp = AnnouncementFactory(tenant=world.tenant, title="MSPs", partner_types=["msp"])
        for_de = AnnouncementFactory(tenant=world.tenant, title="Deutsch", languages=["de"])
        AnnouncementFactory(tenant=world.tenant, title="All")
    mine = portal_client(world.tenant, world.partner_user).get("/community/announcements/")
    other = portal_client(world.tenant, world.other_partner_user).get("/community/announcements/")
    assert find_all(mine, "a", text="Gold only") and find_all(mine, "a", text="All")
    assert not find_all(other, "a", text="Gold only")
    assert not find_all(mine, "a", text="MSPs") and not find_all(mine, "a", text="Deutsch")
    client = portal_client(world.tenant, world.other_partner_user)
    assert client.get(f"/community/announcements/{for_gold.pk}/").status_code == 404
    assert client.get(f"/community/announcements/{for_msp.pk}/").status_code == 404
    with tenant_context(world.tenant):
        world.other_partner_user.user.language = "de"
        world.other_partner_user.user.save(update_fields=["language"])
    assert client.get(f"/community/announcements/{for_de.pk}/").status_code == 200


def test_expired_drafts_and_withdrawn_are_not_shown_to_partners(world):
    past = timezone.now() - datetime.timedelta(days=1)
    with tenant_context(world.tenant):
        expired = AnnouncementFactory(tenant=world.tenant, expires_at=past)
        draft = AnnouncementFactory(tenant=world.tenant, status="draft", published_at=None)
        gone = AnnouncementFactory(tenant=world.tenant, status="withdrawn")
    client = portal_client(world.tenant, world.partner_user)
    for a in (expired, draft, gone):
        assert client.get(f"/community/announcements/{a.pk}/").status_code == 404
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.get(f"/community/announcements/{draft.pk}/").status_code == 200


def test_home_card_shows_unread_first_and_reading_marks_it_read(world):
    with tenant_context(world.tenant):
        a = AnnouncementFactory(tenant=world.tenant, title="Partner summit")
    client = portal_client(world.tenant, world.partner_user)
    home = client.get("/")
    card = find(home, "section", id="home-community")
    assert "Partner summit" in card.text() and find_all(home, "strong", text="New")
    client.get(f"/community/announcements/{a.pk}/")
    client.get(f"/community/announcements/{a.pk}/")
    with tenant_context(world.tenant):
        assert AnnouncementRead.objects.filter(announcement=a).count() == 1
    assert not find_all(client.get("/"), "strong", text="New")
    # Staff see the read count (1 of the 3 partner people).
    page = portal_client(world.tenant, world.admin).get(f"/community/announcements/{a.pk}/")
    assert "1 of 3 people" in page.content.decode()


def test_scheduled_announcement_is_published_by_the_sweep_once(world):
    later = timezone.now() + datetime.timedelta(hours=2)
    _post(world, publish_at=later.strftime("%Y-%m-%dT%H:%M"))
    a = _only(world)
    portal_client(world.tenant, world.admin).post(f"/community/announcements/{a.pk}/publish/")
    assert _only(world).status == "scheduled"
    client = portal_client(world.tenant, world.partner_user)
    assert client.get(f"/community/announcements/{a.pk}/").status_code == 404
    with tenant_context(world.tenant):
        assert services.announcements_publish_due(tenant=world.tenant) == 0
        assert (
            services.announcements_publish_due(
                tenant=world.tenant, now=later + datetime.timedelta(minutes=1)
            )
            == 1
        )
        assert (
            services.announcements_publish_due(
                tenant=world.tenant, now=later + datetime.timedelta(minutes=2)
            )
            == 0
        )
        assert Notification.objects.filter(event_type="announcement.published").count() == 3
    assert _only(world).status == "published"


def test_withdraw_asks_first_then_hides_it(world):
    with tenant_context(world.tenant):
        a = AnnouncementFactory(tenant=world.tenant)
    admin = portal_client(world.tenant, world.admin)
    assert admin.get(f"/community/announcements/{a.pk}/withdraw/").status_code == 200
    assert admin.post(f"/community/announcements/{a.pk}/withdraw/").status_code == 302
    assert _only(world).status == "withdrawn"
    client = portal_client(world.tenant, world.partner_user)
    assert client.get(f"/community/announcements/{a.pk}/").status_code == 404


def test_api_posts_publishes_and_reads(world):
    admin = api_client(world.tenant, world.admin)
    resp = admin.post(
        "/api/v1/announcements/",
        {
            "title": "Roadmap: SSO",
            "body": "SAML",
            "kind": "roadmap",
            "roadmap_status": "planned",
            "quarter": "2027-Q1",
            "partner_types": ["reseller"],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    assert admin.post(f"/api/v1/announcements/{pk}/publish/").json()["status"] == "published"
    partner = api_client(world.tenant, world.partner_user)
    listed = partner.get("/api/v1/announcements/").json()["results"]
    assert [r["id"] for r in listed] == [pk] and listed[0]["read_count"] is None
    assert partner.post(f"/api/v1/announcements/{pk}/read/").json()["is_read"] is True
    assert admin.get(f"/api/v1/announcements/{pk}/").json()["read_count"] == 1
    bad = admin.post(
        "/api/v1/announcements/", {"title": "x", "body": "y", "kind": "roadmap"}, format="json"
    )
    assert bad.status_code == 400 and "roadmap_status" in str(bad.json())
    assert partner.post("/api/v1/announcements/", {}, format="json").status_code == 403
