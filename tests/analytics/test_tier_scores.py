"""The health run stores each tier's score counts of the day (TierScores), so a partner's
standing among its tier's peers is one row read, whatever the tier's size (issue #24 item 4),
and equals counting the peers' snapshots."""

from __future__ import annotations

import copy
import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import selectors, services
from analytics.models import HealthSnapshot, TierScores
from partners.models import Partner
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import make_deal
from tests.factories import PartnerFactory, TierFactory


def _program(world):
    """Gold: our partner and five peers with different pipelines (so different scores);
    Silver: two partners."""
    gold = TierFactory(tenant=world.tenant, name="Gold", rank=2)
    silver = TierFactory(tenant=world.tenant, name="Silver", rank=1)
    world.partner.tier = gold
    world.partner.status = "active"
    world.partner.save()
    today = timezone.localdate()
    make_deal(world.partner, submitted=today - datetime.timedelta(days=5), amount=4000)
    for i in range(5):
        peer = PartnerFactory(tenant=world.tenant, tier=gold, status="active")
        for d in range(i):
            make_deal(peer, submitted=today - datetime.timedelta(days=d + 1), amount=1000 * (d + 1))
    for _ in range(2):
        PartnerFactory(tenant=world.tenant, tier=silver, status="active")
    world.other_partner.tier = None
    world.other_partner.save()
    return gold, silver


def test_the_health_run_stores_each_tiers_score_counts(world):
    with tenant_context(world.tenant):
        gold, silver = _program(world)
        services.health_compute(tenant=world.tenant, notify=False)
        today = timezone.localdate()
        rows = {r.tier_id: r.counts for r in TierScores.objects.filter(day=today)}
        for tier in (gold, silver):
            scores = HealthSnapshot.objects.filter(day=today, partner__tier=tier).values_list(
                "score", flat=True
            )
            expected = [0] * 101
            for s in scores:
                expected[s] += 1
            assert rows[tier.pk] == expected
        assert set(rows) == {gold.pk, silver.pk}  # no row for partners without a tier
        assert HealthSnapshot.objects.get(partner=world.partner, day=today).tier_id == gold.pk


def test_the_stored_benchmark_equals_counting_the_peers(world):
    with tenant_context(world.tenant):
        gold, _silver = _program(world)
        services.health_compute(tenant=world.tenant, notify=False)
        snapshot = selectors.latest_health(world.partner)
        with CaptureQueriesContext(connection) as queries:
            stored = selectors.benchmark(world.partner, snapshot)
        legacy = copy.copy(snapshot)
        legacy.tier_id = None  # a snapshot from before tiers were stored: counted
        counted = selectors.benchmark(world.partner, legacy)
    assert stored == counted
    assert stored.peers == 5 and stored.tier_name == "Gold"
    assert 0 < stored.percentile <= 100
    assert len(queries) == 1


def test_a_rerun_the_same_day_follows_a_tier_move(world):
    with tenant_context(world.tenant):
        gold, silver = _program(world)
        services.health_compute(tenant=world.tenant, notify=False)
        world.partner.tier = silver
        world.partner.save()
        services.health_compute(tenant=world.tenant, notify=False)
        today = timezone.localdate()
        counts = dict(TierScores.objects.filter(day=today).values_list("tier_id", "counts"))
        assert (sum(counts[gold.pk]), sum(counts[silver.pk])) == (5, 3)
        bench = selectors.benchmark(world.partner, selectors.latest_health(world.partner))
        # Two Silver peers: too few to show a percentile.
        assert bench is None
        # Nobody left in Gold: its row goes.
        Partner.objects.filter(tier=gold).update(tier=silver)
        services.health_compute(tenant=world.tenant, notify=False)
        assert set(TierScores.objects.filter(day=today).values_list("tier_id", flat=True)) == {
            silver.pk
        }
