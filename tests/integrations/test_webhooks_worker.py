"""The outbox relay through a real Celery worker and concurrent relays (committed data)."""

from __future__ import annotations

import json
import threading
from unittest import mock

import pytest
from celery.app.task import Task
from kombu.exceptions import OperationalError

from integrations import relay, services, tasks
from prm.models import OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import build_world, wait_for
from tests.dealreg.test_dealreg import register
from tests.integrations import test_webhooks_support as support
from tests.integrations.test_webhooks_support import verify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]
receiver = support.receiver  # the loopback receiver fixture


def _endpoint(world, url):
    with tenant_context(world.tenant):
        return services.webhook_endpoint_create(
            by=world.admin, url=url, event_types=["deal.approved"]
        )


def _broker_down(*args, **kwargs):
    raise OperationalError("broker unreachable")


def test_event_committed_while_the_broker_was_down_is_delivered_later(celery_worker, receiver):
    world = build_world("wbroker")
    endpoint = _endpoint(world, receiver.url)
    with mock.patch.object(Task, "apply_async", _broker_down):
        deal = register(world)  # approved and committed; nothing could be queued
    with tenant_context(world.tenant):
        assert OutboxEvent.objects.filter(event_type="deal.approved", relayed_at=None).exists()
    assert receiver.requests == []
    tasks.relay_all.delay()  # the beat's next tick, once the broker is back
    wait_for(lambda: receiver.requests, timeout=30)
    headers, body = receiver.requests[0]
    assert verify(endpoint.secret, headers["x-prm-signature"], body)
    assert json.loads(body)["data"]["deal_id"] == deal.pk


def test_two_relays_at_once_deliver_an_event_only_once(receiver):
    receiver.delay = 0.5  # keeps the first relay's row lock held while the second looks
    world = build_world("wtwice")
    _endpoint(world, receiver.url)
    with mock.patch.object(Task, "apply_async", _broker_down):
        register(world)  # no relay kick: only the two relays below compete
    with tenant_context(world.tenant):
        relay.fan_out(tenant=world.tenant)
    barrier = threading.Barrier(2)

    def run():
        from django.db import connection

        barrier.wait(timeout=30)
        try:
            relay.deliver_one(tenant=world.tenant)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a relay never finished"
    assert len(receiver.requests) == 1
