"""Fresh analytics after each change (issue #24 item 1): a change to a partner's rollup inputs
marks the partners it moves in its own transaction, and one Celery task per tenant recomputes
them with the full run's statements once it commits. The incremental figures equal a full
recompute's."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase
from django.utils import timezone

from analytics import services
from analytics.models import AnalyticsSettings, PartnerRollup, RollupPending
from analytics.services import rollups
from analytics.services.periods import quarter_start
from analytics.services.rollups import REFRESH_KEY
from dealreg import services as deal_services
from dealreg.models import DealStatus
from mdf import services as mdf_services
from partners import services as partner_services
from partners import tiering
from prm.celery import app
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import make_deal
from tests.analytics.test_analytics_rollups import influence, won
from tests.factories import TierFactory
from tests.mdf.test_mdf_claims import approved, media, submit  # noqa: F401  (fixtures)
from tests.queued_tasks import run_queued

D = Decimal
TASK = "analytics.refresh_rollups"


def _today() -> datetime.date:
    return timezone.localdate()


def _approved_deal(partner, amount="1000"):
    return make_deal(partner, submitted=_today() - datetime.timedelta(days=3), amount=amount)


def _marked(tenant) -> set[int]:
    with tenant_context(tenant):
        return set(RollupPending.objects.values_list("partner_id", flat=True))


def _rows(tenant) -> dict:
    """Every stored rollup, without the time it was computed."""
    with tenant_context(tenant):
        rows = PartnerRollup.objects.order_by("partner_id", "period_start").values()
        return {
            (r["partner_id"], r["period_start"]): {
                k: v for k, v in r.items() if k not in ("id", "computed_at")
            }
            for r in rows
        }


def _current(partner) -> PartnerRollup:
    return PartnerRollup.objects.get(partner=partner, period_start=quarter_start(_today()))


def test_a_won_deal_marks_its_partner_and_influencers_and_the_refresh_shows_it(world):
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
        deal = _approved_deal(world.partner, "1000")
        influence(deal, world.other_partner)
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.deal_close(
                deal=deal, by=world.channel_manager, won=True, amount=D("1200")
            )
    assert _marked(world.tenant) == {world.partner.pk, world.other_partner.pk}

    assert run_queued(TASK, tenant=world.tenant) == [2]
    assert _marked(world.tenant) == set()
    with tenant_context(world.tenant):
        assert _current(world.partner).sourced_revenue == D("1200.00")
        assert _current(world.partner).won_deals == 1
        assert _current(world.other_partner).influenced_revenue == D("1200.00")


def test_the_incremental_figures_equal_a_full_recompute(world):
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
        first = _approved_deal(world.partner, "500")
        second = _approved_deal(world.other_partner, "800")
        influence(second, world.partner)
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.deal_close(
                deal=first, by=world.channel_manager, won=True, amount=D("500")
            )
            deal_services.deal_close(
                deal=second, by=world.channel_manager, won=False, reason="Budget cut"
            )
    run_queued(TASK, tenant=world.tenant)
    incremental = _rows(world.tenant)
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
    assert incremental == _rows(world.tenant)
    assert incremental[(world.partner.pk, quarter_start(_today()))]["won_deals"] == 1


@pytest.fixture(autouse=True)
def no_refresh_keys():
    """Tenant ids start again with each test database, so a key an earlier run left for a
    tenant of the same id (held up to two minutes) would keep this test's task unqueued, and
    a task message it left would be taken for this test's."""
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(cache.make_key(REFRESH_KEY.format(tenant="*"))):
        client.delete(key)
    with app.connection_for_write() as conn:
        queue = conn.default_channel.client
        for raw in queue.lrange("fresh", 0, -1):
            if json.loads(raw)["headers"]["task"] == TASK:
                queue.lrem("fresh", 1, raw)


def _tuple(row: PartnerRollup) -> str:
    """The row version's physical place: an UPDATE writes a new version elsewhere (the
    computed_at of rows written in one test transaction cannot tell them apart)."""
    with connection.cursor() as cur:
        cur.execute("SELECT ctid::text FROM analytics_partnerrollup WHERE id = %s", [row.pk])
        return cur.fetchone()[0]


def test_a_direct_deal_won_in_the_crm_moves_its_influencers(world):
    with tenant_context(world.tenant):
        values = {
            "by": world.admin,
            "external_id": "OPP-9",
            "customer_name": "Direct Buyer GmbH",
            "amount": D("4000"),
            "currency": "USD",
            "influencers": [{"partner": world.partner.pk}, {"partner": world.other_partner.pk}],
        }
        deal_services.direct_deal_upsert(**values)
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.direct_deal_upsert(**values, status="won", closed_at=_today())
    assert _marked(world.tenant) == {world.partner.pk, world.other_partner.pk}
    run_queued(TASK, tenant=world.tenant)
    incremental = _rows(world.tenant)
    with tenant_context(world.tenant):
        assert _current(world.partner).influenced_revenue == D("2000.00")
        services.rollups_compute(tenant=world.tenant)
    assert incremental == _rows(world.tenant)


def test_an_influencer_added_to_a_won_deal_is_credited_at_once(world):
    with tenant_context(world.tenant):
        deal = won(world.other_partner, "900.00", closed=_today())
        services.rollups_compute(tenant=world.tenant)
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.influencer_add(deal=deal, by=world.admin, partner=world.partner)
    assert _marked(world.tenant) == {world.partner.pk, world.other_partner.pk}
    run_queued(TASK, tenant=world.tenant)
    with tenant_context(world.tenant):
        assert _current(world.partner).influenced_revenue == D("900.00")


def test_an_influencer_the_crm_takes_off_a_won_direct_deal_loses_the_revenue(world):
    with tenant_context(world.tenant):
        values = {
            "by": world.admin,
            "external_id": "OPP-10",
            "customer_name": "Direct Buyer AG",
            "amount": D("1000"),
            "currency": "USD",
            "status": "won",
            "closed_at": _today(),
        }
        deal_services.direct_deal_upsert(
            **values,
            influencers=[{"partner": world.partner.pk}, {"partner": world.other_partner.pk}],
        )
        services.rollups_compute(tenant=world.tenant)
        assert _current(world.partner).influenced_revenue == D("500.00")
        RollupPending.objects.all().delete()
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.direct_deal_upsert(
                **values, influencers=[{"partner": world.other_partner.pk}]
            )
    assert _marked(world.tenant) == {world.partner.pk, world.other_partner.pk}
    run_queued(TASK, tenant=world.tenant)
    with tenant_context(world.tenant):
        assert _current(world.partner).influenced_revenue == D("0.00")
        assert _current(world.other_partner).influenced_revenue == D("1000.00")


def test_the_nightly_run_still_finds_changes_no_event_marked(world):
    """An influencer written straight to a won deal (not through a service) marks nothing;
    a refresh for another change rewrites rows after it; the nightly run still finds it."""
    with tenant_context(world.tenant):
        deal = won(world.other_partner, "1000.00", closed=_today())
        services.rollups_compute(tenant=world.tenant)
        influence(deal, world.partner)
        other = _approved_deal(world.other_partner, "5")
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.deal_close(deal=other, by=world.channel_manager, won=True, amount=D("5"))
    run_queued(TASK, tenant=world.tenant)
    with tenant_context(world.tenant):
        assert _current(world.partner).influenced_revenue == D("0.00")
        services.rollups_refresh(tenant=world.tenant)
        assert _current(world.partner).influenced_revenue == D("1000.00")
        assert AnalyticsSettings.for_tenant(world.tenant).rollups_checked_at is not None


def test_partners_not_marked_are_not_rewritten(world):
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
        other, own = _tuple(_current(world.other_partner)), _tuple(_current(world.partner))
        deal = _approved_deal(world.partner)
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=D("9"))
    run_queued(TASK, tenant=world.tenant)
    with tenant_context(world.tenant):
        assert _tuple(_current(world.other_partner)) == other
        assert _tuple(_current(world.partner)) != own
        assert _current(world.partner).sourced_revenue == D("9.00")


def test_a_refresh_of_very_many_partners_is_one_full_run(world, monkeypatch):
    monkeypatch.setattr(rollups, "REFRESH_FULL_ABOVE", 1)
    with tenant_context(world.tenant):
        deal = _approved_deal(world.partner, "40")
        influence(deal, world.other_partner)
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=D("40"))
        AnalyticsSettings.objects.update(rollups_checked_at=None)
    assert run_queued(TASK, tenant=world.tenant) == [2]
    with tenant_context(world.tenant):
        # The full run covered the partners, and recorded itself as the last check.
        assert _current(world.other_partner).influenced_revenue == D("40.00")
        assert AnalyticsSettings.for_tenant(world.tenant).rollups_checked_at is not None


def test_a_rolled_back_change_leaves_no_mark_and_queues_nothing(world):
    with tenant_context(world.tenant):
        deal = _approved_deal(world.partner)
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                deal_services.deal_close(
                    deal=deal, by=world.channel_manager, won=True, amount=D("1")
                )
                raise RuntimeError("the caller failed after the change")
        deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED
    assert callbacks == [] and _marked(world.tenant) == set()
    assert run_queued(TASK, tenant=world.tenant) == []


def test_many_changes_queue_one_task_until_it_starts(world):
    with tenant_context(world.tenant):
        deals = [_approved_deal(world.partner, str(100 * (i + 1))) for i in range(3)]
        for deal in deals:
            with TestCase.captureOnCommitCallbacks(execute=True):
                deal_services.deal_close(
                    deal=deal, by=world.channel_manager, won=True, amount=deal.amount
                )
    # One task for three commits; it recomputes the partner once.
    assert run_queued(TASK, tenant=world.tenant) == [1]
    with tenant_context(world.tenant):
        assert _current(world.partner).sourced_revenue == D("600.00")
        # The task cleared the key when it started: the next change queues a new one.
        deal = _approved_deal(world.other_partner, "50")
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=D("50"))
    assert run_queued(TASK, tenant=world.tenant) == [1]


def test_a_paid_claim_moves_the_partners_investment(approved):  # noqa: F811
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = mdf_services.claim_transition(
            claim=submit(world, req), to="approved", by=world.admin
        )
        RollupPending.objects.all().delete()
        with TestCase.captureOnCommitCallbacks(execute=True):
            mdf_services.claim_transition(
                claim=claim, to="paid", by=world.admin, payment_reference="PAY-1", paid_on=_today()
            )
    assert _marked(world.tenant) == {world.partner.pk}
    run_queued(TASK, tenant=world.tenant)
    with tenant_context(world.tenant):
        claim.refresh_from_db()
        assert _current(world.partner).mdf_paid == claim.approved_amount


def _tier_with_cost(world, name, rank):
    tier = TierFactory(tenant=world.tenant, name=name, rank=rank)
    _cost(world, "300", tier=tier)
    return tier


def _cost(world, amount: str, **whose):
    """A program cost of today, for a partner or a tier (`whose`)."""
    return services.program_cost_add(
        tenant=world.tenant,
        amount=D(amount),
        currency="USD",
        incurred_on=_today(),
        description="Partner event",
        **whose,
    )


def test_a_tier_cost_marks_every_partner_sharing_it(world):
    with tenant_context(world.tenant):
        gold = TierFactory(tenant=world.tenant, name="Gold", rank=2)
        world.partner.tier = gold
        world.partner.save()
        with TestCase.captureOnCommitCallbacks(execute=True):
            _cost(world, "300", tier=gold)
    assert _marked(world.tenant) == {world.partner.pk}
    run_queued(TASK, tenant=world.tenant)
    with tenant_context(world.tenant):
        assert _current(world.partner).program_costs == D("300.00")
        # A partner cost marks that partner only.
        with TestCase.captureOnCommitCallbacks(execute=True):
            _cost(world, "40", partner=world.other_partner)
    assert _marked(world.tenant) == {world.other_partner.pk}


def test_a_tier_change_remarks_the_partners_sharing_the_tiers_cost(world):
    with tenant_context(world.tenant):
        gold = _tier_with_cost(world, "Gold", 2)
        world.other_partner.tier = gold
        world.other_partner.save()
        services.rollups_compute(tenant=world.tenant)
        assert _current(world.other_partner).program_costs == D("300.00")
        RollupPending.objects.all().delete()
        with TestCase.captureOnCommitCallbacks(execute=True):
            partner_services.partner_set_tier(
                partner=world.partner, by=world.admin, tier=gold, reason="Strategic"
            )
    # The cost is now shared by two partners: both figures move.
    assert _marked(world.tenant) == {world.partner.pk, world.other_partner.pk}
    run_queued(TASK, tenant=world.tenant)
    with tenant_context(world.tenant):
        assert _current(world.other_partner).program_costs == D("150.00")
        assert _current(world.partner).program_costs == D("150.00")


def test_the_set_based_tier_evaluation_marks_the_partners_it_moved(world):
    with tenant_context(world.tenant):
        TierFactory(tenant=world.tenant, name="Registered", rank=1)
        with TestCase.captureOnCommitCallbacks(execute=True):
            result = tiering.evaluate(tenant=world.tenant)
    moved = set(result.upgraded) | set(result.downgraded)
    assert moved == {world.partner.pk, world.other_partner.pk}
    assert _marked(world.tenant) == moved


def test_the_sweep_refreshes_marks_whose_task_was_lost(world):
    with tenant_context(world.tenant):
        deal = _approved_deal(world.partner, "70")
        with TestCase.captureOnCommitCallbacks(execute=True):
            deal_services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=D("70"))
    cache.delete(REFRESH_KEY.format(tenant=world.tenant.pk))
    # The queued task is lost (taken off the broker, never run).
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("fresh")
    with tenant_context(world.tenant):
        # Young marks have a task on the way: the sweep leaves them.
        assert services.rollups_refresh_sweep(tenant=world.tenant) == 0
        RollupPending.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
        assert services.rollups_refresh_sweep(tenant=world.tenant) == 1
        assert _current(world.partner).sourced_revenue == D("70.00")
    assert _marked(world.tenant) == set()


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_worker_shows_a_won_deal_within_seconds(celery_worker):
    from tests.conftest import build_world, wait_for, wait_worker_idle

    world = build_world("freshroll")
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
        deal = _approved_deal(world.partner, "700")
    with tenant_context(world.tenant):
        deal_services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=D("750"))

    def shown():
        with tenant_context(world.tenant):
            row = PartnerRollup.objects.filter(
                partner=world.partner, period_start=quarter_start(_today())
            ).first()
            return row is not None and row.sourced_revenue == D("750.00")

    assert wait_for(shown, timeout=20)
    assert _marked(world.tenant) == set()
    wait_worker_idle()
