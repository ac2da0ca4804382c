"""Rollups over time: the tier dimension is the tier held at the end of each quarter, and a
program-wide change (analytics settings, rules of engagement) marks the rollups stale and
queues one full recompute with visible progress. Also: negative numbers stay numbers in
CSV exports."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import selectors, services, tasks
from analytics.models import AnalyticsSettings, PartnerRollup, RollupRun
from dealreg import services as deal_services
from dealreg.models import DealStatus
from partners.models import Tier, TierChangeStatus
from prm.csv_export import safe
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import at, make_deal
from tests.analytics.test_analytics_rollups import won
from tests.conftest import portal_client
from tests.factories import ProgramCostFactory, TierChangeFactory, TierFactory

D = Decimal
Q1_25 = datetime.date(2025, 1, 1)
Q2_25 = datetime.date(2025, 4, 1)
Q3_25 = datetime.date(2025, 7, 1)


def _change(partner, from_tier, to_tier, when: datetime.datetime) -> None:
    TierChangeFactory(
        tenant=partner.tenant,
        partner=partner,
        from_tier=from_tier,
        to_tier=to_tier,
        direction="up",
        status=TierChangeStatus.APPLIED,
        decided_at=when,
    )


def _tier_history(world) -> tuple[Tier, Tier]:
    """Silver 5 %, Gold 15 %. world.partner: Silver from 1 Jan 2025, Gold from 15 May 2025,
    Silver again from 1 July 2025 00:00 UTC (the first instant of Q3), Silver today.
    world.other_partner: Gold today, no recorded change."""
    silver = TierFactory(tenant=world.tenant, name="Silver", rank=1, discount_pct="5")
    gold = TierFactory(tenant=world.tenant, name="Gold", rank=2, discount_pct="15")
    world.partner.tier = silver
    world.partner.save()
    world.other_partner.tier = gold
    world.other_partner.save()
    utc = datetime.UTC
    _change(world.partner, None, silver, datetime.datetime(2025, 1, 1, 9, tzinfo=utc))
    _change(world.partner, silver, gold, datetime.datetime(2025, 5, 15, 12, tzinfo=utc))
    _change(world.partner, gold, silver, datetime.datetime(2025, 7, 1, 0, tzinfo=utc))
    return silver, gold


def test_rollup_tier_is_the_tier_held_at_the_end_of_each_quarter(world):
    with tenant_context(world.tenant):
        silver, gold = _tier_history(world)
        services.rollups_compute(tenant=world.tenant, periods=[Q1_25, Q2_25, Q3_25])
        tiers = dict(
            PartnerRollup.objects.filter(partner=world.partner).values_list(
                "period_start", "tier_id"
            )
        )
        other = set(
            PartnerRollup.objects.filter(partner=world.other_partner).values_list(
                "tier_id", flat=True
            )
        )
    assert tiers == {Q1_25: silver.pk, Q2_25: gold.pk, Q3_25: silver.pk}
    assert other == {gold.pk}


def test_ropi_by_tier_for_a_past_quarter_uses_the_tier_of_that_time(world):
    """Hand-computed, margin 70 %, quarter Q2 2025 (both partners held Gold on 30 June):
    world.partner: 1,000.00 won 10 May (Silver then: discount 50.00) and 2,000.00 won 20 May
      (Gold: 300.00); return 2,100.00; half the Gold tier cost of 300.00 -> 150.00;
      investment 500.00.
    other partner: 400.00 won 10 June (Gold: 60.00); return 280.00; cost 150.00;
      investment 210.00.
    Gold: sourced 3,400.00, return 2,380.00, investment 710.00,
      ROPI = (2,380.00 - 710.00) / 710.00 = 2.352... -> 2.35. No Silver row for Q2
    (today's tiers would put world.partner's revenue under Silver and the whole tier cost on
    the other partner)."""
    with tenant_context(world.tenant):
        _silver, gold = _tier_history(world)
        won(world.partner, "1000.00", closed=datetime.date(2025, 5, 10))
        won(world.partner, "2000.00", closed=datetime.date(2025, 5, 20))
        won(world.other_partner, "400.00", closed=datetime.date(2025, 6, 10))
        ProgramCostFactory(
            tenant=world.tenant,
            tier=gold,
            amount=D("300.00"),
            currency="USD",
            incurred_on=datetime.date(2025, 6, 1),
            description="Gold summit",
        )
        services.rollups_compute(tenant=world.tenant, periods=[Q2_25])
        mine = PartnerRollup.objects.get(partner=world.partner, period_start=Q2_25)
        rows = selectors.ropi_by_tier(selectors.rollups(period=Q2_25))
    assert (mine.discounts, mine.program_costs, mine.investment, mine.ropi) == (
        D("350.00"),
        D("150.00"),
        D("500.00"),
        D("3.2000"),
    )
    keys = ("tier_name", "partners", "sourced", "return_amount", "investment", "ropi")
    gold_row = ("Gold", 2, D("3400.00"), D("2380.00"), D("710.00"), D("2.35"))
    assert [tuple(r[k] for k in keys) for r in rows] == [gold_row]


def test_current_quarter_uses_todays_tier_even_after_a_manual_change(world):
    with tenant_context(world.tenant):
        silver, gold = _tier_history(world)
        world.partner.tier = gold  # set by hand, no tier change recorded
        world.partner.save()
        current = services.quarter_start(timezone.localdate())
        services.rollups_compute(tenant=world.tenant, periods=[current])
        tier_id = PartnerRollup.objects.get(partner=world.partner, period_start=current).tier_id
    assert tier_id == gold.pk


# --- Stale rollups and the full recompute -------------------------------------------------


def _current_rollup(partner) -> PartnerRollup:
    current = services.quarter_start(timezone.localdate())
    return PartnerRollup.objects.get(partner=partner, period_start=current)


def _run_task(world, run: RollupRun) -> RollupRun:
    """The Celery task's function, run here as the worker would (it enters the tenant)."""
    tasks.run_rollups(tenant_id=world.tenant.pk, run_id=run.pk)
    with tenant_context(world.tenant):
        return RollupRun.objects.get(pk=run.pk)


def test_settings_change_marks_rollups_stale_and_queues_a_full_run(
    world, django_capture_on_commit_callbacks
):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00", closed=timezone.localdate())
        services.rollups_compute(tenant=world.tenant)
        assert _current_rollup(world.partner).return_amount == D("700.00")
    with django_capture_on_commit_callbacks() as queued:
        with tenant_context(world.tenant):
            services.settings_update(tenant=world.tenant, gross_margin_pct=D("50"))
            run = RollupRun.objects.get()
            config = AnalyticsSettings.for_tenant(world.tenant)
            audited = AuditEvent.objects.filter(action="analytics.rollups_marked_stale").count()
    assert queued, "the run is queued once the change commits"
    assert (run.status, run.requested_by, "gross_margin_pct" in run.reason) == (
        RollupRun.Status.QUEUED,
        None,
        True,
    )
    assert config.rollups_stale_since is not None and audited == 1
    run = _run_task(world, run)
    with tenant_context(world.tenant):
        config = AnalyticsSettings.for_tenant(world.tenant)
        assert _current_rollup(world.partner).return_amount == D("500.00")
    assert run.status == RollupRun.Status.DONE and run.rows > 0
    assert config.rollups_stale_since is None and config.rollups_stale_reason == ""


def test_second_change_before_the_run_starts_reuses_the_queued_run(world):
    with tenant_context(world.tenant):
        services.settings_update(tenant=world.tenant, gross_margin_pct=D("50"))
        services.settings_update(tenant=world.tenant, attribution_model="weighted")
        runs = list(RollupRun.objects.values_list("status", flat=True))
    assert runs == [RollupRun.Status.QUEUED]


def test_unchanged_settings_do_not_mark_rollups_stale(world):
    with tenant_context(world.tenant):
        config = AnalyticsSettings.for_tenant(world.tenant)
        services.settings_update(tenant=world.tenant, gross_margin_pct=config.gross_margin_pct)
        assert not RollupRun.objects.exists()
        assert AnalyticsSettings.for_tenant(world.tenant).rollups_stale_since is None


def test_publishing_rules_recomputes_sla_attainment_for_every_partner(world):
    """A decision 10 hours after submission, with no rules version recorded, is measured
    against the rules in force: within the default 48-hour target, outside a new 4-hour one.
    The other partner has no changed data: a full run still recomputes it."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    with tenant_context(world.tenant):
        for partner in (world.partner, world.other_partner):
            make_deal(
                partner,
                submitted=day,
                status=DealStatus.APPROVED,
                decided_at=at(day) + datetime.timedelta(hours=10),
            )
        services.rollups_compute(tenant=world.tenant)
        before = _current_rollup(world.other_partner).deals_decided_in_sla
        deal_services.rules_publish(by=world.admin, review_sla_hours=4)
        run = RollupRun.objects.get()
        stale = AnalyticsSettings.for_tenant(world.tenant).rollups_stale_reason
    assert before == 1 and "v2" in stale and run.reason == stale
    run = _run_task(world, run)
    with tenant_context(world.tenant):
        partners = (world.partner, world.other_partner)
        after = [_current_rollup(p).sla_attainment_pct for p in partners]
    assert run.status == RollupRun.Status.DONE and after == [D("0.00"), D("0.00")]


def test_nightly_refresh_is_full_while_rollups_are_stale(world):
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
        PartnerRollup.objects.update(sourced_revenue=D("999"))
        AnalyticsSettings.objects.update(rollups_stale_since=timezone.now())
        services.rollups_refresh(tenant=world.tenant, today=datetime.date(2026, 5, 20))
        assert not PartnerRollup.objects.filter(sourced_revenue=D("999")).exists()
        assert AnalyticsSettings.for_tenant(world.tenant).rollups_stale_since is None


def test_program_dashboard_says_when_figures_are_out_of_date(world):
    with tenant_context(world.tenant):
        services.settings_update(tenant=world.tenant, gross_margin_pct=D("50"))
    body = portal_client(world.tenant, world.admin).get("/analytics/program/").content.decode()
    assert "Out of date since" in body and "gross_margin_pct" in body


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_settings_change_is_recomputed_by_the_worker(celery_worker):
    from tests.conftest import build_world, wait_for

    world = build_world("stalerun")
    with tenant_context(world.tenant):
        won(world.partner, "1000.00", closed=timezone.localdate())
        services.rollups_compute(tenant=world.tenant)
    with tenant_context(world.tenant):
        # No partner at risk: no notification task left running when the test ends.
        services.settings_update(tenant=world.tenant, gross_margin_pct=D("50"), at_risk_below=0)

    def done():
        with tenant_context(world.tenant):
            run = RollupRun.objects.get()
            stale = AnalyticsSettings.for_tenant(world.tenant).rollups_stale_since
            return run.status == RollupRun.Status.DONE and stale is None

    assert wait_for(done, timeout=30)
    with tenant_context(world.tenant):
        assert _current_rollup(world.partner).return_amount == D("500.00")


# --- CSV: negative numbers stay numbers ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (D("-0.5"), "-0.5"),
        (-3, "-3"),
        (-2.25, "-2.25"),
        ("-0.50", "-0.50"),
        ("+12", "+12"),
        ("-1e3", "-1e3"),
        ("=1+2", "'=1+2"),
        ("-2+3", "'-2+3"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-", "'-"),
        ("Acme", "Acme"),
    ],
)
def test_csv_cell_defuses_formulas_but_not_numbers(value, cell):
    assert safe(value) == cell


def test_analytics_export_writes_a_negative_ropi_as_a_number(world):
    with tenant_context(world.tenant):
        ProgramCostFactory(
            tenant=world.tenant,
            partner=world.partner,
            amount=D("1000.00"),
            currency="USD",
            incurred_on=timezone.localdate(),
            description="Enablement",
        )
        services.rollups_compute(tenant=world.tenant)
    resp = portal_client(world.tenant, world.admin).get(
        "/analytics/program/export.csv?table=partner"
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode())))
    mine = next(r for r in rows if r["partner_name"] == world.partner.name)
    assert (mine["investment"], mine["ropi"]) == ("1000.00", "-1.00")
