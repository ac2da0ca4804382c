"""The KPIs stored by the rollup run (velocity, approval SLA and rate, MDF ROI, funnel,
time-to-first-deal cohorts), discounts at the tier of the won date, currency conversion at
the deal date, dashboard filters and the CSV export of every table."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.utils import timezone

from analytics import services
from analytics.models import FirstDealCohort, PartnerRollup
from dealreg.models import DealStatus
from mdf.models import FundRequest, LedgerKind
from partners.models import TierChangeStatus
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import at, make_deal
from tests.analytics.test_analytics_rollups import Q2, won
from tests.conftest import api_client, portal_client
from tests.factories import (
    ExchangeRateFactory,
    LedgerEntryFactory,
    MdfProgramFactory,
    PartnerFactory,
    RulesVersionFactory,
    TierChangeFactory,
    TierFactory,
)

D = Decimal


def csv_text(resp) -> str:
    return b"".join(resp.streaming_content).decode()


def rollup(partner) -> PartnerRollup:
    return PartnerRollup.objects.get(partner=partner, period_start=Q2)


def compute(world):
    services.rollups_compute(tenant=world.tenant, periods=[Q2])


# --- Velocity, approval SLA and rate ------------------------------------------------------


def test_deal_velocity_is_median_and_average_days_from_submission_to_won(world):
    with tenant_context(world.tenant):
        for days in (10, 20, 60):
            make_deal(
                world.partner,
                submitted=datetime.date(2026, 4, 1),
                status=DealStatus.WON,
                closed=datetime.date(2026, 4, 1) + datetime.timedelta(days=days),
                won_amount=100,
            )
        compute(world)
        r = rollup(world.partner)
    assert (r.velocity_median_days, r.velocity_avg_days, r.velocity_deals) == (
        D("20.0"),
        D("30.0"),
        3,
    )


def _decided(world, rules, *, hours: int, status):
    return make_deal(
        world.partner,
        submitted=datetime.date(2026, 5, 1),
        status=status,
        decided_at=at(datetime.date(2026, 5, 1)) + datetime.timedelta(hours=hours),
        rules_version=rules,
    )


def test_sla_attainment_uses_the_review_target_of_the_rules_applied(world):
    with tenant_context(world.tenant):
        rules = RulesVersionFactory(tenant=world.tenant, version=7, review_sla_hours=24)
        _decided(world, rules, hours=10, status=DealStatus.APPROVED)
        _decided(world, rules, hours=30, status=DealStatus.APPROVED)
        _decided(world, rules, hours=40, status=DealStatus.REJECTED)
        compute(world)
        r = rollup(world.partner)
    assert (r.deals_decided, r.deals_decided_in_sla, r.sla_attainment_pct) == (3, 1, D("33.33"))


def test_approval_rate_is_approved_over_decided(world):
    with tenant_context(world.tenant):
        rules = RulesVersionFactory(tenant=world.tenant, version=7, review_sla_hours=24)
        _decided(world, rules, hours=10, status=DealStatus.APPROVED)
        _decided(world, rules, hours=10, status=DealStatus.WON)
        _decided(world, rules, hours=10, status=DealStatus.REJECTED)
        make_deal(world.partner, submitted=datetime.date(2026, 5, 1), status="under_review")
        compute(world)
        r = rollup(world.partner)
    assert (r.deals_approved, r.approval_rate_pct) == (2, D("66.67"))


# --- MDF ROI ------------------------------------------------------------------------------


def _program(world, currency="USD"):
    return MdfProgramFactory(
        tenant=world.tenant,
        name=f"MDF {currency}",
        period="year",
        currency=currency,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        budget=D("100000"),
    )


def _pay(world, program, amount, day=datetime.date(2026, 5, 2)):
    LedgerEntryFactory(
        tenant=world.tenant,
        program=program,
        partner=world.partner,
        kind=LedgerKind.PAYMENT,
        amount=D(amount),
        created_at=at(day),
    )


def _mdf_fixture(world):
    program = _program(world)
    FundRequest.objects.create(
        tenant=world.tenant,
        program=program,
        partner=world.partner,
        activity_type="webinar",
        title="Webinar",
        description="x",
        start_date=datetime.date(2026, 4, 1),
        end_date=datetime.date(2026, 4, 2),
        planned_cost=D("1000"),
        requested_amount=D("500"),
        target_audience="CIOs",
        campaign_code="MDF-WEB1",
    )
    _pay(world, program, "500.00")
    # Registered by another partner, but from our partner's campaign: it counts for ours.
    d = won(world.other_partner, "2000.00")
    d.mdf_campaign_code = "MDF-WEB1"
    d.save()
    won(world.partner, "9999.00")  # no campaign code: not MDF-attributed


def test_mdf_roi_counts_won_deals_with_the_partners_campaign_code(world):
    with tenant_context(world.tenant):
        _mdf_fixture(world)
        compute(world)
        r = rollup(world.partner)
    # (2,000.00 - 500.00) / 500.00 = 3
    assert (r.mdf_won_revenue, r.mdf_paid, r.mdf_roi) == (D("2000.00"), D("500.00"), D("3.0000"))


# --- Discounts at the tier of the won date ------------------------------------------------


def test_discounts_use_the_tier_the_partner_had_when_each_deal_was_won(world):
    """Hand-computed: Silver 5 %, Gold 15 %. History: Silver from January, Gold from 15 May
    12:00 UTC, back to Silver on 20 June (today's tier).
    1,000.00 won 10 May (Silver)   ->  50.00
    2,000.00 won 20 May (Gold)     -> 300.00
      100.00 won 15 May (Gold: the change was applied that day) -> 15.00
    discounts = 365.00 (today's tier alone would give 3,100.00 x 5 % = 155.00)."""
    with tenant_context(world.tenant):
        silver = TierFactory(tenant=world.tenant, name="Silver", rank=1, discount_pct="5")
        gold = TierFactory(tenant=world.tenant, name="Gold", rank=2, discount_pct="15")
        world.partner.tier = silver
        world.partner.save()
        for from_tier, to_tier, when in (
            (None, silver, datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)),
            (silver, gold, datetime.datetime(2026, 5, 15, 12, tzinfo=datetime.UTC)),
            (gold, silver, datetime.datetime(2026, 6, 20, 9, tzinfo=datetime.UTC)),
        ):
            TierChangeFactory(
                tenant=world.tenant,
                partner=world.partner,
                from_tier=from_tier,
                to_tier=to_tier,
                direction="up",
                status=TierChangeStatus.APPLIED,
                decided_at=when,
            )
        won(world.partner, "1000.00", closed=datetime.date(2026, 5, 10))
        won(world.partner, "2000.00", closed=datetime.date(2026, 5, 20))
        won(world.partner, "100.00", closed=datetime.date(2026, 5, 15))
        won(world.partner, "5000.00", closed=datetime.date(2026, 5, 20), role="referral")
        compute(world)
        assert rollup(world.partner).discounts == D("365.00")


def test_deal_before_any_recorded_change_gets_the_tier_it_changed_from(world):
    with tenant_context(world.tenant):
        silver = TierFactory(tenant=world.tenant, name="Silver", rank=1, discount_pct="5")
        gold = TierFactory(tenant=world.tenant, name="Gold", rank=2, discount_pct="15")
        world.partner.tier = gold
        world.partner.save()
        TierChangeFactory(
            tenant=world.tenant,
            partner=world.partner,
            from_tier=silver,
            to_tier=gold,
            direction="up",
            status=TierChangeStatus.APPLIED,
            decided_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        )
        won(world.partner, "1000.00", closed=datetime.date(2026, 5, 10))
        compute(world)
        assert rollup(world.partner).discounts == D("50.00")


# --- Several currencies -------------------------------------------------------------------


def test_ropi_converts_deals_at_the_rate_of_their_closing_day_to_the_cent(world):
    """Hand-computed, reporting currency USD, margin 70 %, tier discount 10 %:
    EUR 1,000.00 won 10 May at 1.10 (rate from 1 April)      -> 1,100.00
    EUR   333.33 won 20 May at 1.20 (rate from 15 May)       ->   400.00 (399.996)
    GBP   500.00 (no rate)                                     -> left out
    USD   250.25                                               ->   250.25
    sourced = 1,750.25; return = 1,750.25 x 70 % = 1,225.175 -> 1,225.18
    MDF paid: EUR 100.00 on 2 May at 1.10 -> 110.00
    discounts = 1,750.25 x 10 % = 175.025 -> 175.03; investment = 285.03
    ROPI = (1,225.18 - 285.03) / 285.03 = 3.29842... -> 3.2984"""
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Silver", rank=1, discount_pct="10")
        world.partner.tier = tier
        world.partner.save()
        for valid_from, rate in (
            (datetime.date(2026, 4, 1), "1.10"),
            (datetime.date(2026, 5, 15), "1.20"),
        ):
            ExchangeRateFactory(
                tenant=world.tenant,
                from_currency="EUR",
                to_currency="USD",
                rate=D(rate),
                valid_from=valid_from,
            )
        won(world.partner, "1000.00", currency="EUR", closed=datetime.date(2026, 5, 10))
        won(world.partner, "333.33", currency="EUR", closed=datetime.date(2026, 5, 20))
        won(world.partner, "500.00", currency="GBP", closed=datetime.date(2026, 5, 20))
        won(world.partner, "250.25", currency="USD", closed=datetime.date(2026, 5, 20))
        _pay(world, _program(world, "EUR"), "100.00")
        compute(world)
        r = rollup(world.partner)
    assert (r.sourced_revenue, r.return_amount, r.mdf_paid, r.discounts, r.investment, r.ropi) == (
        D("1750.25"),
        D("1225.18"),
        D("110.00"),
        D("175.03"),
        D("285.03"),
        D("3.2984"),
    )


# --- Funnel and cohorts are stored --------------------------------------------------------


def test_funnel_is_stored_per_partner_and_quarter(world):
    with tenant_context(world.tenant):
        day = datetime.date(2026, 5, 3)
        for status in ("submitted", "approved", "won", "lost", "rejected", "draft"):
            make_deal(world.partner, submitted=day, status=status)
        compute(world)
        r = rollup(world.partner)
    assert (r.funnel_submitted, r.funnel_approved, r.funnel_won, r.funnel_rejected) == (
        5,
        3,
        1,
        1,
    )


def test_first_deal_cohorts_are_stored_by_the_rollup_run(world):
    with tenant_context(world.tenant):
        march = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
        for p, days in ((world.partner, 10), (world.other_partner, 30)):
            p.activated_at = march
            p.first_deal_at = march + datetime.timedelta(days=days)
            p.save()
        late = PartnerFactory(tenant=world.tenant, activated_at=march)
        compute(world)
        rows = dict(FirstDealCohort.objects.values_list("partner_id", "first_deal_days"))
        cohort_months = set(FirstDealCohort.objects.values_list("cohort_month", flat=True))
    assert late.first_deal_at is None
    assert rows == {world.partner.pk: 10, world.other_partner.pk: 30, late.pk: None}
    assert cohort_months == {datetime.date(2026, 3, 1)}


def test_program_dashboard_reads_stored_cohorts_and_funnel_without_recomputing(world):
    today = timezone.localdate()
    with tenant_context(world.tenant):
        world.partner.activated_at = timezone.now() - datetime.timedelta(days=20)
        world.partner.first_deal_at = timezone.now() - datetime.timedelta(days=5)
        world.partner.save()
        make_deal(world.partner, submitted=today)
        services.rollups_compute(tenant=world.tenant)
        # Data changes after the run are not on the dashboard until the next run.
        make_deal(world.partner, submitted=today)
        world.partner.first_deal_at = None
        world.partner.save()
    resp = portal_client(world.tenant, world.admin).get(
        "/analytics/program/export.csv?table=funnel"
    )
    funnel = {row["stage"]: row["deals"] for row in csv.DictReader(io.StringIO(csv_text(resp)))}
    resp = portal_client(world.tenant, world.admin).get(
        "/analytics/program/export.csv?table=cohorts"
    )
    cohorts = list(csv.DictReader(io.StringIO(csv_text(resp))))
    assert funnel["Submitted"] == "1"
    assert [(c["activated"], c["with_deal"], c["avg_days"]) for c in cohorts] == [("1", "1", "15")]


# --- Incremental recompute covers the new columns -----------------------------------------


def test_incremental_recompute_equals_full_for_the_kpi_columns(world):
    fields = [
        "velocity_median_days",
        "velocity_avg_days",
        "velocity_deals",
        "deals_decided",
        "deals_decided_in_sla",
        "deals_approved",
        "sla_attainment_pct",
        "approval_rate_pct",
        "funnel_submitted",
        "funnel_approved",
        "funnel_won",
        "funnel_rejected",
        "mdf_won_revenue",
        "mdf_roi",
        "discounts",
        "sourced_revenue",
    ]
    with tenant_context(world.tenant):
        _mdf_fixture(world)
        rules = RulesVersionFactory(tenant=world.tenant, version=3, review_sla_hours=24)
        _decided(world, rules, hours=10, status=DealStatus.APPROVED)
        _decided(world, rules, hours=50, status=DealStatus.REJECTED)
        for p, days in ((world.partner, 12), (world.other_partner, 40)):
            make_deal(
                p,
                submitted=datetime.date(2026, 4, 2),
                status=DealStatus.WON,
                closed=datetime.date(2026, 4, 2) + datetime.timedelta(days=days),
                won_amount=700,
                decided_at=at(datetime.date(2026, 4, 3)),
            )
        compute(world)
        full = {r.partner_id: [getattr(r, f) for f in fields] for r in PartnerRollup.objects.all()}
        PartnerRollup.objects.all().delete()
        for partner_id in sorted(full):
            services.rollups_compute(tenant=world.tenant, periods=[Q2], partner_ids=[partner_id])
        partial = {
            r.partner_id: [getattr(r, f) for f in fields] for r in PartnerRollup.objects.all()
        }
    assert partial == full and any(v[0] is not None for v in full.values())


# --- Dashboards: filters, exports, new KPIs -----------------------------------------------


def _seed_rollups(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Gold", rank=2, discount_pct="10")
        world.partner.tier = tier
        world.partner.region = "emea"
        world.partner.owner = world.channel_manager
        world.partner.save()
        make_deal(
            world.partner,
            submitted=timezone.localdate() - datetime.timedelta(days=12),
            status=DealStatus.WON,
            closed=timezone.localdate(),
            won_amount=1000,
        )
        services.health_compute(tenant=world.tenant)
        services.rollups_compute(tenant=world.tenant)
    return tier


def test_manager_dashboard_bad_filter_is_a_form_error_not_a_crash(world):
    resp = portal_client(world.tenant, world.channel_manager).get(
        "/analytics/manager/?tier=abc&region=mars&period=2026-13-01"
    )
    assert resp.status_code == 200 and b"Error:" in resp.content


def test_manager_dashboard_filter_by_region_hides_other_partners(world):
    _seed_rollups(world)
    with tenant_context(world.tenant):
        world.other_partner.owner = world.channel_manager
        world.other_partner.save()
    client = portal_client(world.tenant, world.channel_manager)
    everyone = client.get("/analytics/manager/").content.decode()
    emea = client.get("/analytics/manager/?region=emea").content.decode()
    assert world.other_partner.name in everyone and world.other_partner.name not in emea


def test_program_dashboard_shows_the_new_kpis(world):
    _seed_rollups(world)
    body = portal_client(world.tenant, world.admin).get("/analytics/program/").content.decode()
    assert "12.0 days from submission to won" in body and "Approval SLA attainment" in body


def test_every_program_table_exports_as_csv_with_the_filters(world):
    tier = _seed_rollups(world)
    client = portal_client(world.tenant, world.admin)
    names = [
        "tier",
        "type",
        "period",
        "partner",
        "kpi_tier",
        "kpi_partner",
        "funnel",
        "cohorts",
        "psat",
        "status",
    ]
    for name in names:
        resp = client.get(f"/analytics/program/export.csv?table={name}&tier={tier.pk}")
        assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv"), name
    rows = list(
        csv.DictReader(
            io.StringIO(
                csv_text(
                    client.get(f"/analytics/program/export.csv?table=kpi_partner&tier={tier.pk}")
                )
            )
        )
    )
    assert [r["partner_name"] for r in rows] == [world.partner.name]


def test_export_with_a_bad_filter_is_a_400_and_unknown_table_a_404(world):
    client = portal_client(world.tenant, world.admin)
    bad = client.get("/analytics/program/export.csv?table=tier&year=abc")
    unknown = client.get("/analytics/manager/export.csv?table=nope")
    assert (bad.status_code, unknown.status_code) == (400, 404)


def test_every_manager_and_partner_table_exports(world):
    _seed_rollups(world)
    manager = portal_client(world.tenant, world.channel_manager)
    partner = portal_client(world.tenant, world.partner_admin)
    codes = [
        manager.get(f"/analytics/manager/export.csv?table={t}").status_code
        for t in ("queue", "at_risk", "expiring", "stuck", "kpis")
    ] + [
        partner.get(f"/analytics/export.csv?table={t}").status_code
        for t in ("components", "quarters", "mdf", "benchmark")
    ]
    costs = portal_client(world.tenant, world.admin).get("/analytics/costs/export.csv?table=costs")
    assert set(codes) == {200} and costs.status_code == 200


def test_at_risk_export_lists_the_reason(world):
    _seed_rollups(world)
    with tenant_context(world.tenant):
        world.other_partner.owner = world.channel_manager
        world.other_partner.save()
        services.health_compute(tenant=world.tenant)
    body = csv_text(
        portal_client(world.tenant, world.channel_manager).get(
            "/analytics/manager/export.csv?table=at_risk"
        )
    )
    assert body.splitlines()[0] == "partner,score,reason,since" and "is below" in body


def test_partner_sees_its_kpis_and_an_anonymised_tier_percentile(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Gold", rank=2)
        peers = [PartnerFactory(tenant=world.tenant, tier=tier, name=f"Peer {i}") for i in range(3)]
        world.partner.tier = tier
        world.partner.save()
        won(world.partner, "3000.00")
        won(peers[0], "1000.00")
        compute(world)
    body = portal_client(world.tenant, world.partner_admin).get("/analytics/").content.decode()
    assert "Compared with the 3 other Gold partners" in body
    assert not any(p.name in body for p in peers)
    resp = portal_client(world.tenant, world.partner_admin).get(
        "/analytics/export.csv?table=benchmark"
    )
    rows = {r["kpi"]: r["percentile"] for r in csv.DictReader(io.StringIO(csv_text(resp)))}
    assert rows["Sourced revenue"] == "100"


# --- API ----------------------------------------------------------------------------------


def test_api_rollups_expose_the_kpis_and_filter_by_region(world):
    _seed_rollups(world)
    client = api_client(world.tenant, world.admin)
    rows = client.get("/api/v1/analytics/rollups/?region=emea").json()["results"]
    assert {r["partner"] for r in rows} == {world.partner.pk}
    current = [r for r in rows if r["won_deals"]]
    assert current[0]["velocity_median_days"] == "12.0" and "approval_rate_pct" in current[0]


def test_api_schema_documents_the_rollup_filters(world):
    schema = api_client(world.tenant, world.admin).get("/api/v1/schema/?format=json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/analytics/rollups/"]["get"]["parameters"]}
    assert {"tier", "partner_type", "region", "manager", "period_start", "year"} <= params
