"""Issue #8's "done means", end to end: an admin registers a webhook pointing at a receiver on
this machine, a partner's deal is approved while no Celery worker runs, a worker starts later
and the receiver gets one correctly signed deal.approved event, after a 500 and a retry.
Committed data, a real worker process, a real HTTP server on loopback."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from dealreg import services as deal_services
from integrations import relay, services, tasks
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from prm.celery import app
from prm.errors import DomainError
from prm.models import OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import ROOT, build_world, portal_client, wait_for
from tests.dealreg.test_dealreg import register
from tests.integrations import test_webhooks_support as support
from tests.integrations.test_webhooks_support import verify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]
receiver = support.receiver  # the loopback receiver fixture


def test_loopback_receivers_are_allowed_in_test_settings(receiver):
    assert settings.PRM_WEBHOOKS_ALLOW_PRIVATE is True
    assert services.validate_url(receiver.url) == receiver.url


def test_production_settings_refuse_loopback_even_if_the_environment_asks():
    code = (
        "import django; django.setup(); from integrations import services; "
        "from django.conf import settings; print(settings.PRM_WEBHOOKS_ALLOW_PRIVATE)\n"
        "try:\n    services.validate_url('https://127.0.0.1:8443/hook')\n"
        "except Exception as exc:\n    print(type(exc).__name__)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prm.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "PRM_WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.stdout.split() == ["False", DomainError.__name__], out.stderr


def _no_worker_running() -> bool:
    return not app.control.ping(timeout=0.5)


def test_an_approval_made_while_no_worker_runs_reaches_the_receiver_once_signed(request, receiver):
    world = build_world("wdone")
    resp = portal_client(world.tenant, world.admin).post(
        "/integrations/webhooks/", {"url": receiver.url, "event_types": ["deal.approved"]}
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        endpoint = WebhookEndpoint.objects.get()

    assert _no_worker_running()
    deal = register(world, amount=Decimal("90000"))  # waits for a channel manager
    with tenant_context(world.tenant):
        deal_services.deal_approve(deal=deal, by=world.channel_manager)
    with tenant_context(world.tenant):
        assert OutboxEvent.objects.filter(event_type="deal.approved", relayed_at=None).exists()
    assert receiver.requests == []

    receiver.codes = [500, 200]
    request.getfixturevalue("celery_worker")  # the worker comes back
    tasks.relay_all.delay()  # the beat's next tick

    def attempts() -> list:
        with tenant_context(world.tenant):
            return list(
                DeliveryAttempt.objects.filter(delivery__endpoint=endpoint)
                .order_by("id")
                .values_list("response_code", flat=True)
            )

    assert wait_for(attempts, timeout=30) == [500]
    with tenant_context(world.tenant):  # the back-off has elapsed
        WebhookDelivery.objects.filter(endpoint=endpoint).update(
            next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    tasks.relay_all.delay()
    wait_for(lambda: len(attempts()) == 2, timeout=30)
    assert attempts() == [500, 200]

    assert relay.relay_tenant(tenant=world.tenant)["attempts"] == 0  # nothing is left
    assert len(receiver.requests) == 2  # the 500, then the one that was accepted
    event_ids = {headers["x-prm-event-id"] for headers, _body in receiver.requests}
    assert len(event_ids) == 1
    for headers, body in receiver.requests:
        assert verify(endpoint.secret, headers["x-prm-signature"], body)
        event = json.loads(body)
        assert (event["type"], event["data"]["deal_id"]) == ("deal.approved", deal.pk)
        assert event["data"]["status"] == "approved" and event["tenant"] == "wdone"
    with tenant_context(world.tenant):
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
