"""End to end on the real Celery worker: a deal closed won is computed by the worker (the
deal.won subscriber queues it after the commit); approval tells the partner through the
outbox relay; closing the won deal lost reverses what it earned."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealreg import services as deal_services
from incentives import services
from incentives.models import Earning
from prm.models import Notification, OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import build_world, wait_for
from tests.factories import DealFactory
from tests.incentives.test_incentives_support import program

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def _lines(world, deal):
    with tenant_context(world.tenant):
        return list(Earning.objects.filter(deal=deal).order_by("id"))


def test_won_deal_earns_on_the_worker_approval_notifies_and_losing_reverses(celery_worker):
    world = build_world("earnworker")
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        kept, lost = (
            DealFactory(
                tenant=world.tenant,
                partner=world.partner,
                status="approved",
                amount=Decimal("5000"),
                customer_name_tokens=["x"],
            )
            for _ in range(2)
        )
    with tenant_context(world.tenant):
        for deal in (kept, lost):
            deal_services.deal_close(
                deal=deal, by=world.channel_manager, won=True, amount=Decimal("5000")
            )
    (line,) = wait_for(lambda: _lines(world, kept))
    assert (line.amount, line.status) == (Decimal("500.00"), "pending")
    wait_for(lambda: _lines(world, lost))

    with tenant_context(world.tenant):
        services.earning_approve(earning=line, by=world.channel_manager)
        assert OutboxEvent.objects.filter(event_type="earning.approved").count() == 1

    def told():
        with tenant_context(world.tenant):
            return Notification.objects.filter(
                member=world.partner_admin, event_type="earning.approved"
            ).exists()

    assert wait_for(told)

    with tenant_context(world.tenant):
        deal_services.deal_close(deal=lost, by=world.channel_manager, won=False, reason="Refund")
    (reversed_line,) = wait_for(lambda: [e for e in _lines(world, lost) if e.status == "reversed"])
    assert reversed_line.reversal_reason == "Refund"
