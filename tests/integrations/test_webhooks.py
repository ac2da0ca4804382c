"""Outbox and webhook delivery, against a real HTTP receiver on loopback."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from dealreg import services as deal_services
from integrations import services
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from integrations.relay import backoff, relay_tenant
from prm import events
from prm.errors import DomainError
from prm.models import OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.dealreg.test_dealreg import data, register
from tests.integrations import test_webhooks_support as support
from tests.integrations.test_webhooks_support import verify

pytestmark = pytest.mark.django_db
receiver = support.receiver  # the loopback receiver fixture


def endpoint_for(world, url, event_types=("deal.approved",)):
    with tenant_context(world.tenant):
        return services.webhook_endpoint_create(
            by=world.admin, url=url, event_types=list(event_types)
        )


def relay(world, now=None):
    return relay_tenant(tenant=world.tenant, now=now)


def delivery_of(endpoint):
    with tenant_context(endpoint.tenant):
        return WebhookDelivery.objects.get(endpoint=endpoint)


# --- The outbox ---------------------------------------------------------------------------


def test_approving_a_deal_writes_an_outbox_event(world):
    deal = register(world)
    with tenant_context(world.tenant):
        event = OutboxEvent.objects.get(event_type="deal.approved")
    assert event.payload["deal_id"] == deal.pk and event.payload["partner_id"] == world.partner.pk


def test_no_outbox_event_when_the_change_rolls_back(world):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), tenant_context(world.tenant), transaction.atomic():
        deal_services.deal_save(by=world.partner_admin, data=data(), submit=True)
        raise Boom
    with tenant_context(world.tenant):
        assert not OutboxEvent.objects.exists()


def test_amounts_in_payloads_are_strings(world):
    deal = register(world)
    with tenant_context(world.tenant):
        deal_services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=deal.amount)
        payload = OutboxEvent.objects.get(event_type="deal.won").payload
    assert payload["won_amount"] == "20000.00" and payload["currency"] == "USD"


def test_set_based_expiry_writes_one_event_per_expired_deal(world):
    deal = register(world)
    with tenant_context(world.tenant):
        deal_services.deals_expire(
            tenant=world.tenant, today=deal.protected_until + datetime.timedelta(days=1)
        )
        event = OutboxEvent.objects.get(event_type="deal.expired")
    assert event.payload["deal_id"] == deal.pk and event.payload["partner_id"] == world.partner.pk


def test_unknown_event_types_are_refused(world):
    with tenant_context(world.tenant), pytest.raises(ValueError):
        events.emit("deal.approvd", {"deal_id": 1}, world.tenant)


# --- Delivery -----------------------------------------------------------------------------


def test_delivery_is_signed_over_timestamp_and_body(world, receiver):
    endpoint = endpoint_for(world, receiver.url)
    deal = register(world)
    relay(world)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert verify(endpoint.secret, headers["x-prm-signature"], body)
    assert json.loads(body)["data"]["deal_id"] == deal.pk


def test_a_tampered_body_does_not_verify(world, receiver):
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    headers, body = receiver.requests[0]
    assert not verify(endpoint.secret, headers["x-prm-signature"], body.replace(b"}", b" }", 1))


def test_only_subscribed_events_are_delivered(world, receiver):
    endpoint_for(world, receiver.url, event_types=["deal.rejected"])
    register(world)
    relay(world)
    assert receiver.requests == []


def test_a_500_is_retried_after_the_back_off(world, receiver):
    receiver.codes = [500, 200]
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    first = delivery_of(endpoint)
    assert first.status == "pending" and first.response_code == 500
    relay(world)  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    relay(world, now=first.next_attempt_at + datetime.timedelta(seconds=1))
    assert delivery_of(endpoint).status == "delivered"


def test_every_attempt_is_logged_with_code_and_time(world, receiver):
    receiver.codes = [500, 200]
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    relay(world, now=timezone.now() + datetime.timedelta(minutes=5))
    with tenant_context(world.tenant):
        codes = list(
            DeliveryAttempt.objects.filter(delivery__endpoint=endpoint)
            .order_by("id")
            .values_list("response_code", "ok")
        )
    assert codes == [(500, False), (200, True)]


def test_back_off_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(30).total_seconds() == 4 * 3600


def test_retries_stop_after_24_hours(world, receiver):
    receiver.codes = [500]
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    relay(world, now=timezone.now() + datetime.timedelta(hours=24, minutes=1))
    assert delivery_of(endpoint).status == "failed"


def test_endpoint_failing_for_a_day_is_disabled(world, receiver):
    receiver.codes = [500]
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    relay(world, now=timezone.now() + datetime.timedelta(hours=24, minutes=1))
    with tenant_context(world.tenant):
        assert not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_an_endpoint_failing_for_less_than_a_day_stays_active(world, receiver):
    receiver.codes = [500]
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    relay(world, now=timezone.now() + datetime.timedelta(hours=23))
    with tenant_context(world.tenant):
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_redelivery_sends_a_delivered_event_again(world, receiver):
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    with tenant_context(world.tenant):
        services.webhook_redeliver(by=world.admin, delivery=delivery_of(endpoint))
    relay(world)
    assert len(receiver.requests) == 2


def test_disabled_endpoints_receive_nothing(world, receiver):
    endpoint = endpoint_for(world, receiver.url)
    with tenant_context(world.tenant):
        services.webhook_endpoint_set_active(by=world.admin, endpoint=endpoint, active=False)
    register(world)
    relay(world)
    assert receiver.requests == []


# --- URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
    ],
)
def test_private_addresses_are_refused_in_production(url):
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False), pytest.raises(DomainError):
        services.validate_url(url)


def test_plain_http_is_refused_in_production():
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False), pytest.raises(DomainError):
        services.validate_url("http://93.184.216.34/hook")


def test_a_public_https_address_is_accepted_in_production():
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        assert services.validate_url("https://93.184.216.34/hook")


def test_delivery_to_a_private_address_is_refused_in_production(world, receiver):
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        relay(world)
    assert receiver.requests == [] and "refused" in delivery_of(endpoint).error


def test_a_partner_admin_cannot_register_an_endpoint(world, receiver):
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.webhook_endpoint_create(
            by=world.partner_admin, url=receiver.url, event_types=["deal.approved"]
        )


def test_disabling_after_a_day_emails_the_admins(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.codes = [500]
    endpoint = endpoint_for(world, receiver.url)
    with tenant_context(world.tenant):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            failing_since=timezone.now() - datetime.timedelta(hours=25)
        )
    register(world)
    with django_capture_on_commit_callbacks(execute=True):
        relay(world)
    assert [m.to for m in mail.outbox if "Webhook disabled" in m.subject] == [
        [world.admin.user.email]
    ]


# --- Portal and API -----------------------------------------------------------------------


def test_an_admin_registers_an_endpoint_in_the_portal(world, receiver):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        "/integrations/webhooks/", {"url": receiver.url, "event_types": ["deal.approved"]}
    )
    with tenant_context(world.tenant):
        endpoint = WebhookEndpoint.objects.get()
    assert resp["Location"] == f"/integrations/webhooks/{endpoint.pk}/"


def test_a_refused_url_is_a_form_error_in_the_portal(world):
    client = portal_client(world.tenant, world.admin)
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        resp = client.post(
            "/integrations/webhooks/",
            {"url": "https://127.0.0.1/x", "event_types": ["deal.approved"]},
        )
    assert resp.status_code == 200 and b"private, loopback or link-local" in resp.content


def test_a_refused_url_is_a_400_field_error_in_the_api(world):
    client = api_client(world.tenant, world.admin)
    with override_settings(PRM_WEBHOOKS_ALLOW_PRIVATE=False):
        resp = client.post(
            "/api/v1/webhook-endpoints/",
            {"url": "https://169.254.169.254/", "event_types": ["deal.approved"]},
            format="json",
        )
    assert resp.status_code == 400 and "url" in resp.json()["errors"]


def test_an_unknown_event_type_is_a_400_field_error_in_the_api(world, receiver):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": receiver.url, "event_types": ["deal.teleported"]},
        format="json",
    )
    assert resp.status_code == 400 and "event_types" in resp.json()["errors"]


def test_the_delivery_log_lists_attempts_through_the_api(world, receiver):
    receiver.codes = [503]
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    delivery = delivery_of(endpoint)
    resp = api_client(world.tenant, world.admin).get(
        f"/api/v1/webhook-deliveries/{delivery.pk}/attempts/"
    )
    assert [a["response_code"] for a in resp.json()] == [503]


def test_the_endpoint_page_lists_its_deliveries(world, receiver):
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    resp = portal_client(world.tenant, world.admin).get(f"/integrations/webhooks/{endpoint.pk}/")
    assert b"deal.approved" in resp.content and b"Delivered" in resp.content


def test_the_api_lists_what_the_admin_may_do_with_an_endpoint_and_a_delivery(world, receiver):
    endpoint = endpoint_for(world, receiver.url)
    register(world)
    relay(world)
    client = api_client(world.tenant, world.admin)
    body = client.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/").json()
    assert body["allowed_actions"] == ["disable", "edit", "rotate_secret"]
    disabled = client.post(f"/api/v1/webhook-endpoints/{endpoint.pk}/disable/").json()
    assert disabled["allowed_actions"] == ["edit", "enable", "rotate_secret"]
    delivery = client.get(f"/api/v1/webhook-deliveries/{delivery_of(endpoint).pk}/").json()
    assert delivery["allowed_actions"] == ["redeliver"]
