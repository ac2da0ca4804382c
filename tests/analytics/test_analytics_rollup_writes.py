"""The rollup's write path (a rerun rewrites only rows whose figures moved), and the
benchmark's hand-written query (bench/ropi.py HAND_SQL), which must compute every stored
figure exactly as the service does, on data that exercises each rule."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from analytics import services
from analytics.models import AnalyticsSettings, FirstDealCohort, PartnerRollup
from bench.ropi import HAND_SQL, ROLLUP_COLUMNS
from mdf.models import FundRequest
from partners.models import Tier, TierChangeStatus
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_kpis import _mdf_fixture
from tests.analytics.test_analytics_rollups import _ropi_fixture, won
from tests.factories import ExchangeRateFactory, TierChangeFactory, TierFactory

Q1 = datetime.date(2026, 1, 1)
Q2 = datetime.date(2026, 4, 1)
OLD = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def stamps() -> dict[int, datetime.datetime]:
    return dict(PartnerRollup.objects.values_list("partner_id", "computed_at"))


def test_rerun_with_unchanged_figures_leaves_every_row_untouched(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        PartnerRollup.objects.update(computed_at=OLD)
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert set(stamps().values()) == {OLD}


def test_rerun_rewrites_the_row_whose_figures_changed_and_only_it(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        PartnerRollup.objects.update(computed_at=OLD)
        won(world.partner, "250.00")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        changed = PartnerRollup.objects.get(partner=world.partner, period_start=Q2)
        others = {s for p, s in stamps().items() if p != world.partner.pk}
    assert (changed.won_deals, changed.sourced_revenue) == (2, Decimal("1250.00"))
    assert changed.computed_at != OLD and others == {OLD}


def test_rerun_reports_every_row_computed_changed_or_not(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00")
        first = services.rollups_compute(tenant=world.tenant, periods=[Q2])
        again = services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert first == again == PartnerRollup.objects.count() > 0


def _hand_rows(tenant, periods) -> dict:
    config = AnalyticsSettings.for_tenant(tenant)
    params = {
        "t": tenant.pk,
        "starts": periods,
        "today": timezone.localdate(),
        "cur": config.currency,
        "weighted": config.attribution_model == "weighted",
        "margin": config.gross_margin_pct,
    }
    with connection.cursor() as cur:
        cur.execute(HAND_SQL, params)
        return {(r[0], r[1]): tuple(r[2:]) for r in cur.fetchall()}


def test_benchmark_hand_query_equals_every_stored_figure(world):
    """Tiers, influence, MDF paid and attributed, program costs (own and shared), a tier
    change inside the quarter, a deal in another currency converted at the day's rate, and
    deals decided and submitted in the quarter (velocity, SLA, funnel)."""
    with tenant_context(world.tenant):
        _ropi_fixture(world)
        _mdf_fixture(world)
        gold = Tier.objects.get(tenant=world.tenant, name="Gold")
        silver = TierFactory(tenant=world.tenant, name="Silver", rank=1, discount_pct="5")
        TierChangeFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            from_tier=silver,
            to_tier=gold,
            direction="up",
            status=TierChangeStatus.APPLIED,
            decided_at=datetime.datetime(2026, 5, 15, 12, tzinfo=datetime.UTC),
        )
        won(world.other_partner, "700.00", closed=datetime.date(2026, 5, 3))
        ExchangeRateFactory(
            tenant=world.tenant,
            from_currency="EUR",
            to_currency="USD",
            rate=Decimal("1.0833"),
            valid_from=datetime.date(2026, 5, 1),
        )
        won(world.partner, "333.33", currency="EUR", closed=datetime.date(2026, 5, 20))
        assert FundRequest.objects.exclude(campaign_code="").exists()
        services.rollups_compute(tenant=world.tenant, periods=[Q1, Q2])
        rows = PartnerRollup.objects.values_list("partner_id", "period_start", *ROLLUP_COLUMNS)
        stored = {(r[0], r[1]): tuple(r[2:]) for r in rows}
        expected = _hand_rows(world.tenant, [Q1, Q2])
    assert stored == expected


# --- Time-to-first-deal cohorts, stored by the same run ------------------------------------


def _activated(world) -> None:
    start = timezone.now() - datetime.timedelta(days=40)
    for partner, region in ((world.partner, "emea"), (world.other_partner, "apac")):
        partner.region = region
        partner.activated_at = start
        partner.save()


def test_cohort_rerun_rewrites_only_the_partner_whose_dimensions_changed(world):
    with tenant_context(world.tenant):
        _activated(world)
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        FirstDealCohort.objects.update(computed_at=OLD)
        world.other_partner.region = "emea"
        world.other_partner.save()
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        rows = {r.partner_id: r for r in FirstDealCohort.objects.all()}
    changed, same = rows[world.other_partner.pk], rows[world.partner.pk]
    assert (changed.region, changed.computed_at != OLD, same.computed_at) == ("emea", True, OLD)


def test_cohort_row_of_a_partner_no_longer_activated_is_removed(world):
    with tenant_context(world.tenant):
        _activated(world)
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        world.other_partner.activated_at = None
        world.other_partner.save()
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        partners = set(FirstDealCohort.objects.values_list("partner_id", flat=True))
    assert partners == {world.partner.pk}
