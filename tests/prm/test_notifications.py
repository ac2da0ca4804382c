"""In-portal notifications from outbox events, preferences and the daily digest."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from integrations.relay import fan_out
from prm import events, notifications
from prm.errors import DomainError
from prm.models import Notification
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.dealreg.test_dealreg import register_and_tell as register
from tests.html_helpers import find_all

pytestmark = pytest.mark.django_db


def relay(world):
    with tenant_context(world.tenant):
        fan_out(tenant=world.tenant)


def notified(world, event_type) -> set[int]:
    with tenant_context(world.tenant):
        return set(
            Notification.objects.filter(event_type=event_type).values_list("member_id", flat=True)
        )


def prefer(member, **modes):
    with tenant_context(member.tenant):
        notifications.notification_preferences_set(member=member, modes=modes)


def test_the_partner_admins_and_the_registrant_are_told_their_deal_was_approved(world):
    """Not every partner user: a colleague's deal is not theirs to hear about."""
    register(world, world.partner_user)
    relay(world)
    assert notified(world, "deal.approved") == {world.partner_admin.pk, world.partner_user.pk}
    register(world, customer_name="Initech", customer_domain_input="initech.com")
    relay(world)
    with tenant_context(world.tenant):
        assert Notification.objects.filter(member=world.partner_user).count() == 1


def test_staff_are_told_of_a_submitted_deal_only_when_it_needs_their_review(world):
    register(world)  # approved automatically: nobody on the staff is told
    relay(world)
    assert notified(world, "deal.submitted") == set()
    register(world, customer_name="Initech", amount=Decimal("50000.01"))  # above the limit
    relay(world)
    assert notified(world, "deal.submitted") == {world.channel_manager.pk}


def test_off_means_no_notification(world):
    prefer(world.partner_user, deals="off")
    register(world, world.partner_user)
    relay(world)
    assert notified(world, "deal.approved") == {world.partner_admin.pk}


def test_relaying_twice_does_not_notify_twice(world):
    register(world, world.partner_user)
    relay(world)
    relay(world)
    with tenant_context(world.tenant):
        assert Notification.objects.filter(member=world.partner_user).count() == 1


def test_unknown_mode_is_refused(world):
    with pytest.raises(DomainError):
        prefer(world.partner_user, deals="hourly")


def test_unread_count_is_shown_in_the_header(world):
    register(world, world.partner_user)
    relay(world)
    resp = portal_client(world.tenant, world.partner_user).get("/notifications/")
    assert find_all(resp, class_="badge", aria_label="1 unread")


def test_mark_all_read_clears_the_unread_count(world):
    register(world, world.partner_user)
    relay(world)
    client = portal_client(world.tenant, world.partner_user)
    client.post("/notifications/mark-all-read/")
    with tenant_context(world.tenant):
        assert notifications.unread_count(world.partner_user) == 0


def test_a_member_lists_only_their_own_notifications(world):
    register(world)
    relay(world)
    resp = api_client(world.tenant, world.other_partner_user).get("/api/v1/notifications/")
    assert resp.json()["results"] == []


def test_digest_mode_sends_the_event_in_the_daily_email(world, django_capture_on_commit_callbacks):
    prefer(world.partner_admin, deals="digest")
    register(world)
    relay(world)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        sent = notifications.digest_send(tenant=world.tenant, member=world.partner_admin)
    assert sent and "Deal registration approved" in mail.outbox[-1].body


def test_a_digested_notification_is_not_sent_again(world):
    prefer(world.partner_admin, deals="digest")
    register(world)
    relay(world)
    with tenant_context(world.tenant):
        notifications.digest_send(tenant=world.tenant, member=world.partner_admin)
        assert not notifications.digest_send(tenant=world.tenant, member=world.partner_admin)


def test_channel_managers_digest_lists_deals_waiting_for_review(
    world, django_capture_on_commit_callbacks
):
    deal = register(world, amount=Decimal("50000.01"))
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        notifications.digest_send(tenant=world.tenant, member=world.channel_manager)
    assert f"DR-{deal.pk}" in mail.outbox[-1].body


def test_digest_has_an_html_body_and_a_preferences_link(world, django_capture_on_commit_callbacks):
    register(world, amount=Decimal("50000.01"))
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        notifications.digest_send(tenant=world.tenant, member=world.channel_manager)
    message = mail.outbox[-1]
    assert message.alternatives[0][1] == "text/html"
    assert "/notifications/preferences/" in message.body


def test_preferences_api_sets_a_group(world):
    client = api_client(world.tenant, world.partner_user)
    resp = client.put(
        "/api/v1/notification-preferences/",
        {"preferences": [{"group": "mdf", "mode": "off"}]},
        format="json",
    )
    assert {"group": "mdf", "mode": "off"} in resp.json()["preferences"]


def test_preferences_api_refuses_an_unknown_group_with_a_field_error(world):
    client = api_client(world.tenant, world.partner_user)
    resp = client.put(
        "/api/v1/notification-preferences/",
        {"preferences": [{"group": "weather", "mode": "off"}]},
        format="json",
    )
    assert resp.status_code == 400 and "preferences" in resp.json()["errors"]


# --- Only choices that mean something -------------------------------------------------------


def radio_values(html: str, name: str) -> set[str]:
    return {e.attrs["value"] for e in find_all(html, "input", name=name)}


def test_the_daily_summary_offers_send_or_off_and_other_groups_all_three(world):
    html = portal_client(world.tenant, world.partner_user).get("/notifications/preferences/")
    html = html.content.decode()
    assert radio_values(html, "digest") == {"immediate", "off"}
    assert radio_values(html, "deals") == {"immediate", "digest", "off"}


def test_digest_mode_for_the_daily_summary_is_a_form_error(world):
    modes = dict.fromkeys(events.GROUPS, "immediate")
    resp = portal_client(world.tenant, world.partner_user).post(
        "/notifications/preferences/", modes | {"digest": "digest", "deals": "off"}
    )
    assert resp.status_code == 200 and resp.context["form"].errors.keys() == {"digest"}
    with tenant_context(world.tenant):
        assert notifications.preferences_for(world.partner_user)["deals"] == "immediate"


def test_digest_mode_for_the_daily_summary_is_a_400_in_the_api(world):
    client = api_client(world.tenant, world.partner_user)
    resp = client.put(
        "/api/v1/notification-preferences/",
        {"preferences": [{"group": "digest", "mode": "digest"}]},
        format="json",
    )
    assert resp.status_code == 400 and "digest" in resp.json()["errors"]
