"""Notifications name their object and link to it: the title carries the deal number, the
customer, the partner and the amount; the link opens the object (and marks the notification
read) only while the reader may see it; the page groups them by day; mark-all-read has its own
URL; defaults do not bury staff in every partner's automatic decisions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from integrations.relay import fan_out
from prm import notifications
from prm.models import Notification, NotificationMode
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.dealreg.test_dealreg import register_and_tell as register
from tests.factories import NotificationFactory
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def relay(world):
    with tenant_context(world.tenant):
        fan_out(tenant=world.tenant)


def notes_of(member, **filters) -> list[Notification]:
    with tenant_context(member.tenant):
        return list(Notification.objects.filter(member=member, **filters).order_by("id"))


# --- The title names the object, the link opens it ----------------------------------------


def test_a_deal_approval_names_the_number_customer_partner_and_amount(world):
    deal = register(
        world, customer_name="Initech Holdings", amount=Decimal("45000"), currency="EUR"
    )
    relay(world)
    [note] = notes_of(world.partner_admin, event_type="deal.approved")
    assert f"DR-{deal.pk} Initech Holdings" in note.title
    assert world.partner.name in note.title
    assert "EUR 45,000.00" in note.title
    assert (note.object_type, note.object_id) == ("dealreg.deal", deal.pk)
    assert note.url == f"/deals/{deal.pk}/"


def test_the_notification_link_opens_the_deal_and_marks_it_read(world):
    deal = register(world)
    [note] = notes_of(world.partner_admin, event_type="deal.approved")
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get("/notifications/")
    links = find_all(page, "a", href=f"/notifications/{note.pk}/open/")  # list and bell
    assert len(links) == 2 and all(f"DR-{deal.pk}" in a.text() for a in links)
    resp = client.get(f"/notifications/{note.pk}/open/")
    assert resp.status_code == 302 and resp["Location"] == f"/deals/{deal.pk}/"
    [note] = notes_of(world.partner_admin, event_type="deal.approved")
    assert note.read_at is not None


def test_a_notification_about_a_deal_the_member_cannot_see_has_no_link(world):
    """notify() told a member of another partner about a deal (e.g. a misaddressed e-mail):
    the notification is made without a link, and the e-mail carries none."""
    deal = register(world)
    with tenant_context(world.tenant):
        notifications.notify(
            [world.other_partner_user],
            group="deals",
            subject="Deal registration approved",
            template="dealreg/emails/decision.txt",
            context={"deal": deal, "approved": True, "reason": ""},
            path=f"/deals/{deal.pk}/",
            kind="deal.notice",
            obj=deal,
        )
    [note] = notes_of(world.other_partner_user)
    assert note.url == ""


def test_opening_a_link_to_an_object_no_longer_visible_lands_on_the_list(world):
    deal = register(world)
    with tenant_context(world.tenant):
        note = NotificationFactory(
            tenant=world.tenant,
            member=world.other_partner_user,
            url=f"/deals/{deal.pk}/",
            object_type="dealreg.deal",
            object_id=deal.pk,
        )
    resp = portal_client(world.tenant, world.other_partner_user).get(
        f"/notifications/{note.pk}/open/"
    )
    assert resp.status_code == 302 and resp["Location"] == "/notifications/"


def test_another_members_notification_cannot_be_opened(world):
    register(world)
    [note] = notes_of(world.partner_admin, event_type="deal.approved")
    resp = portal_client(world.tenant, world.partner_user).get(f"/notifications/{note.pk}/open/")
    assert resp.status_code == 404
    assert notes_of(world.partner_admin, event_type="deal.approved")[0].read_at is None


def test_a_stored_link_to_another_site_is_not_followed(world):
    with tenant_context(world.tenant):
        note = NotificationFactory(
            tenant=world.tenant, member=world.partner_user, url="//evil.example/x"
        )
    resp = portal_client(world.tenant, world.partner_user).get(f"/notifications/{note.pk}/open/")
    assert resp["Location"] == "/notifications/"


def test_rows_made_before_notifications_named_their_object_still_render_and_open(world):
    with tenant_context(world.tenant):
        note = NotificationFactory(
            tenant=world.tenant, member=world.partner_user, title="Claim paid", url="/mdf/"
        )
    client = portal_client(world.tenant, world.partner_user)
    page = client.get("/notifications/")
    links = find_all(page, "a", href=f"/notifications/{note.pk}/open/")
    assert [a.text() for a in links] == ["Claim paid", "Claim paid"]
    assert client.get(f"/notifications/{note.pk}/open/")["Location"] == "/mdf/"


# --- The page: days, mark all read; the bell -----------------------------------------------


def test_the_page_groups_notifications_by_day(world):
    now = timezone.now()
    with tenant_context(world.tenant):
        for title, age in (("fresh", 0), ("older", 1), ("oldest", 9)):
            note = NotificationFactory(tenant=world.tenant, member=world.partner_user, title=title)
            Notification.objects.filter(pk=note.pk).update(
                created_at=now - datetime.timedelta(days=age)
            )
    page = portal_client(world.tenant, world.partner_user).get("/notifications/")
    headings = [h.text() for h in find_all(page, "h2") if h.attrs.get("id", "").startswith("notif")]
    assert headings[:2] == ["Today", "Yesterday"]
    assert len(headings) == 3 and headings[2] not in ("Today", "Yesterday")


def test_mark_all_read_is_a_post_to_its_own_url(world):
    register(world, world.partner_user)
    client = portal_client(world.tenant, world.partner_user)
    page = client.get("/notifications/")
    find(page, "form", method="post", action="/notifications/mark-all-read/")
    assert client.post("/notifications/").status_code == 405
    assert client.post("/notifications/mark-all-read/").status_code == 302
    with tenant_context(world.tenant):
        assert notifications.unread_count(world.partner_user) == 0


def test_the_bell_shows_the_count_and_the_latest_with_links(world):
    deal = register(world)
    [note] = notes_of(world.partner_admin, event_type="deal.approved")
    page = portal_client(world.tenant, world.partner_admin).get("/")
    find(page, "span", class_="badge", aria_label="1 unread")
    link = find(page, "a", href=f"/notifications/{note.pk}/open/")
    assert f"DR-{deal.pk}" in link.text()


# --- API ---------------------------------------------------------------------------------


def test_the_api_names_the_object_and_marks_all_read(world):
    deal = register(world)
    client = api_client(world.tenant, world.partner_admin)
    [row] = [
        r
        for r in client.get("/api/v1/notifications/").json()["results"]
        if r["event_type"] == "deal.approved"
    ]
    assert (row["object_type"], row["object_id"], row["url"]) == (
        "dealreg.deal",
        deal.pk,
        f"/deals/{deal.pk}/",
    )
    assert f"DR-{deal.pk}" in row["title"]
    resp = client.post("/api/v1/notifications/mark-all-read/")
    assert resp.status_code == 200 and resp.json()["unread"] == 0


# --- Defaults -----------------------------------------------------------------------------


def test_staff_are_not_told_of_every_automatically_approved_deal(world):
    register(world)
    relay(world)
    assert notes_of(world.admin) == [] and notes_of(world.channel_manager) == []


def test_a_deal_needing_review_is_told_to_its_reviewer(world):
    deal = register(world, amount=Decimal("50000.01"))  # above the automatic limit
    relay(world)
    assert deal.status == "under_review"
    [note] = notes_of(world.channel_manager, event_type="deal.submitted")
    assert f"DR-{deal.pk}" in note.title


def test_a_partner_user_is_not_told_of_a_colleagues_deal(world):
    register(world)  # by the partner admin
    relay(world)
    assert notes_of(world.partner_user) == []


def test_staff_defaults_put_partner_health_in_the_digest(world):
    with tenant_context(world.tenant):
        staff = notifications.preferences_for(world.channel_manager)
        partner = notifications.preferences_for(world.partner_admin)
    assert staff["health"] == NotificationMode.DIGEST and staff["deals"] == "immediate"
    assert partner["deals"] == "immediate"
