"""Webhook portal actions: one POST-only URL per action, offered and refused by the machines
in integrations/states.py (no posted `op` selects an action), and status badges from the
declared tones rather than status comparisons in templates."""

from __future__ import annotations

import pytest

from integrations import services
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.relay import relay_tenant
from integrations.states import DELIVERY, ENDPOINT
from prm.models import AuditEvent, OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.dealreg.test_dealreg import register
from tests.html_helpers import find
from tests.integrations import test_webhooks_support as support

pytestmark = pytest.mark.django_db
receiver = support.receiver  # the loopback receiver fixture

HOOK = "https://hooks.example.com/prm"


def make_endpoint(world, url=HOOK):
    with tenant_context(world.tenant):
        return services.webhook_endpoint_create(
            by=world.admin, url=url, event_types=["deal.approved"]
        )


def fresh(endpoint):
    with tenant_context(endpoint.tenant):
        return WebhookEndpoint.objects.get(pk=endpoint.pk)


def test_disable_and_enable_each_have_their_own_url_and_the_page_offers_the_possible_one(world):
    endpoint = make_endpoint(world)
    client = portal_client(world.tenant, world.admin)
    base = f"/integrations/webhooks/{endpoint.pk}/"

    page = client.get(base).content.decode()
    assert f'action="{base}disable/"' in page and f'action="{base}enable/"' not in page

    resp = client.post(f"{base}disable/")
    assert resp.status_code == 302 and resp["Location"] == base
    assert not fresh(endpoint).is_active
    page = client.get(base).content.decode()
    assert f'action="{base}enable/"' in page and f'action="{base}disable/"' not in page

    assert client.post(f"{base}enable/").status_code == 302
    assert fresh(endpoint).is_active
    with tenant_context(world.tenant):
        actions = list(
            AuditEvent.objects.filter(object_id=str(endpoint.pk), action__startswith="webhook.")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["webhook.created", "webhook.disabled", "webhook.enabled"]


def test_a_posted_op_field_selects_no_action_any_more(world):
    endpoint = make_endpoint(world)
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/integrations/webhooks/{endpoint.pk}/action/", {"op": "disable"})
    assert resp.status_code == 404
    # Posting an op to the endpoint's page is an edit form without its fields, not a disable.
    client.post(f"/integrations/webhooks/{endpoint.pk}/", {"op": "disable"})
    assert fresh(endpoint).is_active


def test_action_urls_act_on_post_only_and_irreversible_ones_show_a_confirmation(world):
    endpoint = make_endpoint(world)
    client = portal_client(world.tenant, world.admin)
    assert client.get(f"/integrations/webhooks/{endpoint.pk}/enable/").status_code == 405
    for action in ("disable", "rotate-secret"):  # prm/confirm.py: GET is the confirmation
        page = client.get(f"/integrations/webhooks/{endpoint.pk}/{action}/")
        assert page.status_code == 200, action
        assert HOOK in find(page, "h1").text()
    assert fresh(endpoint).is_active and fresh(endpoint).secret == endpoint.secret


def test_disable_keeps_its_reason_and_offers_undo(world):
    endpoint = make_endpoint(world)
    client = portal_client(world.tenant, world.admin)
    base = f"/integrations/webhooks/{endpoint.pk}/"
    resp = client.post(f"{base}disable/", {"reason": "Receiver under maintenance"}, follow=True)
    assert fresh(endpoint).disabled_reason == "Receiver under maintenance"
    assert find(resp, "form", text="Undo", action=f"{base}enable/")
    client.post(f"{base}enable/")
    assert fresh(endpoint).is_active


def test_rotating_the_secret_through_its_url_replaces_it(world):
    endpoint = make_endpoint(world)
    resp = portal_client(world.tenant, world.admin).post(
        f"/integrations/webhooks/{endpoint.pk}/rotate-secret/"
    )
    assert resp.status_code == 302
    assert fresh(endpoint).secret != endpoint.secret


def test_a_failed_delivery_is_shown_as_failed_and_redelivered_through_its_own_url(world, receiver):
    receiver.codes = [500]
    endpoint = make_endpoint(world, receiver.url)
    register(world)
    relay_tenant(tenant=world.tenant)
    with tenant_context(world.tenant):
        WebhookDelivery.objects.filter(endpoint=endpoint).update(
            status="failed", next_attempt_at=None
        )
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    client = portal_client(world.tenant, world.admin)
    page = client.get(f"/integrations/deliveries/{delivery.pk}/").content.decode()
    assert '<span class="status bad">Failed</span>' in page
    assert f'action="/integrations/deliveries/{delivery.pk}/redeliver/"' in page
    # The page itself no longer takes a POST as "redeliver".
    assert client.post(f"/integrations/deliveries/{delivery.pk}/").status_code == 405
    with tenant_context(world.tenant):
        assert WebhookDelivery.objects.get(pk=delivery.pk).status == "failed"

    resp = client.post(f"/integrations/deliveries/{delivery.pk}/redeliver/")
    assert resp.status_code == 302
    assert resp["Location"] == f"/integrations/deliveries/{delivery.pk}/"
    with tenant_context(world.tenant):
        again = WebhookDelivery.objects.get(pk=delivery.pk)
    assert again.status == "pending" and again.next_attempt_at is not None


def test_the_machines_offer_webhook_actions_to_admins_only(world):
    endpoint = make_endpoint(world)
    with tenant_context(world.tenant):
        event = OutboxEvent.objects.create(tenant=world.tenant, event_type="deal.approved")
        delivery = WebhookDelivery.objects.create(
            tenant=world.tenant, endpoint=endpoint, event=event, status="delivered"
        )
    assert ENDPOINT.allowed(endpoint, world.admin) == {"edit", "disable", "rotate_secret"}
    assert DELIVERY.allowed(delivery, world.admin) == {"redeliver"}
    for member in (world.channel_manager, world.partner_admin, world.partner_user):
        assert ENDPOINT.allowed(endpoint, member) == frozenset()
        assert DELIVERY.allowed(delivery, member) == frozenset()
