"""Parallel tier evaluations of one tenant leave one consistent result.

Each thread has its own database connection and transaction, as Celery workers evaluating
the same tenant at once (nightly beat plus an admin's on-demand run) would. Parallel MDF
approvals are in tests/mdf/test_mdf_concurrency.py; parallel registrations for one
customer in tests/dealreg/test_dealreg.py
(test_concurrent_registrations_for_one_customer_never_both_approve)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from partners import services
from partners.models import Partner, PartnerMetrics, PartnerStatus, TierChange
from prm.models import AuditEvent, OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import build_world
from tests.factories import PartnerFactory, TierFactory

EVALUATIONS = 6
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def program(transactional_db):
    world = build_world("tierrace")
    t = world.tenant
    with tenant_context(t):
        TierFactory(tenant=t, name="Registered", rank=0)
        TierFactory(tenant=t, name="Silver", rank=1, min_won_revenue_12m=Decimal("1000"))
        TierFactory(tenant=t, name="Gold", rank=2, min_won_revenue_12m=Decimal("9000"))
    partners = [
        PartnerFactory(tenant=t, name=f"Racer {i}", status=PartnerStatus.ACTIVE) for i in range(9)
    ]
    with tenant_context(t):
        Partner.objects.filter(pk__in=[world.partner.pk, world.other_partner.pk]).update(
            status=PartnerStatus.SUSPENDED  # only the racers are evaluated
        )
        for i, partner in enumerate(partners):
            PartnerMetrics.objects.update_or_create(
                tenant=t, partner=partner, defaults={"won_revenue_12m": Decimal(i * 1500)}
            )
    return world, partners


def _evaluate_in_parallel(world) -> list:
    barrier = threading.Barrier(EVALUATIONS)
    outcomes: list = []

    def go():
        try:
            barrier.wait(timeout=30)
            with tenant_context(world.tenant):
                outcomes.append(services.tiers_evaluate(tenant=world.tenant, today=TODAY))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(EVALUATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_parallel_tier_evaluations_leave_one_consistent_result(program):
    world, partners = program

    outcomes = _evaluate_in_parallel(world)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(outcomes) == EVALUATIONS
    # Exactly one run placed the partners; every other run found nothing left to change.
    assert sorted(o["upgraded"] for o in outcomes) == [0] * (EVALUATIONS - 1) + [len(partners)]
    with tenant_context(world.tenant):
        tiers = dict(
            Partner.objects.filter(pk__in=[p.pk for p in partners]).values_list(
                "name", "tier__name"
            )
        )
        changes = list(TierChange.objects.values_list("partner_id", flat=True))
        audited = list(
            AuditEvent.objects.filter(action="partner.tier_changed").values_list(
                "object_id", flat=True
            )
        )
        events = OutboxEvent.objects.filter(event_type="partner.tier_changed").count()
        evaluated = AuditEvent.objects.filter(action="tiers.evaluated").count()
    # Revenue 0 and 1,500*i: Registered below 1,000, Silver from 1,000, Gold from 9,000.
    assert tiers == {
        f"Racer {i}": ("Gold" if i * 1500 >= 9000 else "Silver" if i else "Registered")
        for i in range(len(partners))
    }
    assert sorted(changes) == sorted(p.pk for p in partners), "one TierChange per partner"
    assert sorted(audited) == sorted(str(p.pk) for p in partners), "one audit row per change"
    assert events == len(partners), "one webhook event per change"
    assert evaluated == EVALUATIONS, "each run is audited once"
