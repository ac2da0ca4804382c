"""Attribution and ROPI rollups against hand-computed figures, to the cent."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from analytics import services
from analytics.models import AnalyticsSettings, PartnerRollup, RollupRun
from dealreg.models import DealStatus
from mdf.models import LedgerKind
from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import make_deal
from tests.factories import (
    DealInfluencerFactory,
    LedgerEntryFactory,
    MdfProgramFactory,
    PartnerFactory,
    ProgramCostFactory,
    TierFactory,
)

Q2 = datetime.date(2026, 4, 1)
IN_Q2 = datetime.date(2026, 5, 10)


def won(partner, amount, *, role="resell", closed=IN_Q2, currency="USD"):
    return make_deal(
        partner,
        submitted=closed - datetime.timedelta(days=30),
        status=DealStatus.WON,
        amount=amount,
        won_amount=amount,
        closed=closed,
        partner_role=role,
        currency=currency,
    )


def influence(deal, partner, weight="1"):
    return DealInfluencerFactory(
        tenant=deal.tenant, deal=deal, partner=partner, weight=Decimal(weight)
    )


def rollup(partner) -> PartnerRollup:
    return PartnerRollup.objects.get(partner=partner, period_start=Q2)


def configure(tenant, **values):
    config = AnalyticsSettings.for_tenant(tenant)
    for k, v in values.items():
        setattr(config, k, v)
    config.save()


def test_sourced_revenue_goes_to_the_registering_partner(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert rollup(world.partner).sourced_revenue == Decimal("1000.00")


def test_influenced_revenue_is_split_evenly(world):
    with tenant_context(world.tenant):
        third = PartnerFactory(tenant=world.tenant)
        deal = won(world.partner, "1000.00")
        influence(deal, world.other_partner, "3")
        influence(deal, third, "1")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert (
            rollup(world.other_partner).influenced_revenue,
            rollup(third).influenced_revenue,
        ) == (Decimal("500.00"), Decimal("500.00"))


def test_influenced_revenue_is_split_by_weight(world):
    with tenant_context(world.tenant):
        configure(world.tenant, attribution_model="weighted")
        third = PartnerFactory(tenant=world.tenant)
        deal = won(world.partner, "1000.00")
        influence(deal, world.other_partner, "3")
        influence(deal, third, "1")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert (
            rollup(world.other_partner).influenced_revenue,
            rollup(third).influenced_revenue,
        ) == (Decimal("750.00"), Decimal("250.00"))


def test_sourced_and_influenced_stay_separate(world):
    with tenant_context(world.tenant):
        deal = won(world.partner, "1000.00")
        influence(deal, world.other_partner)
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        r = rollup(world.partner)
        assert (r.sourced_revenue, r.influenced_revenue) == (Decimal("1000.00"), Decimal("0"))


def test_requested_influencers_get_nothing(world):
    with tenant_context(world.tenant):
        deal = won(world.partner, "1000.00")
        DealInfluencerFactory(
            tenant=world.tenant, deal=deal, partner=world.other_partner, status="requested"
        )
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert rollup(world.other_partner).influenced_revenue == Decimal("0")


def test_deals_in_another_currency_are_left_out(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00", currency="EUR")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert rollup(world.partner).sourced_revenue == Decimal("0")


def _ropi_fixture(world):
    """Hand-computed:
    tier discount 12.5 %, margin 62.5 %.
    partner: resale deal 10,000.00 + referral deal 2,345.67 -> sourced 12,345.67;
             influences other's 1,001.01 deal with another influencer -> 500.51 (even, rounded)
    return   = (12,345.67 + 500.51) x 62.5 % = 12,846.18 x 0.625 = 8,028.8625 -> 8,028.86
    discounts= 10,000.00 x 12.5 % = 1,250.00
    MDF paid = 333.33; program costs = 400.00 (own) + 900.00 / 3 partners in tier = 700.00
    invest   = 1,250.00 + 333.33 + 700.00 = 2,283.33
    ROPI     = (8,028.86 - 2,283.33) / 2,283.33 = 2.5163...
    """
    configure(world.tenant, gross_margin_pct=Decimal("62.5"))
    tier = TierFactory(tenant=world.tenant, name="Gold", rank=2, discount_pct="12.5")
    third = PartnerFactory(tenant=world.tenant, tier=tier)
    for p in (world.partner, world.other_partner):
        p.tier = tier
        p.save()
    won(world.partner, "10000.00", role="resell")
    won(world.partner, "2345.67", role="referral")
    other = won(world.other_partner, "1001.01", role="referral")
    influence(other, world.partner)
    influence(other, third)
    program = MdfProgramFactory(
        tenant=world.tenant,
        name="2026",
        period="year",
        currency="USD",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        budget=Decimal("10000"),
    )
    LedgerEntryFactory(
        tenant=world.tenant,
        program=program,
        partner=world.partner,
        kind=LedgerKind.PAYMENT,
        amount=Decimal("333.33"),
        created_at=datetime.datetime(2026, 5, 20, 12, tzinfo=datetime.UTC),
    )
    ProgramCostFactory(
        tenant=world.tenant,
        partner=world.partner,
        incurred_on=IN_Q2,
        amount=Decimal("400.00"),
        currency="USD",
        description="QBR travel",
    )
    ProgramCostFactory(
        tenant=world.tenant,
        tier=tier,
        incurred_on=IN_Q2,
        amount=Decimal("900.00"),
        currency="USD",
        description="Gold summit",
    )


def test_ropi_matches_hand_computed_figures_to_the_cent(world):
    with tenant_context(world.tenant):
        _ropi_fixture(world)
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        r = rollup(world.partner)
    assert (
        r.sourced_revenue,
        r.influenced_revenue,
        r.return_amount,
        r.discounts,
        r.mdf_paid,
        r.program_costs,
        r.investment,
        r.ropi,
    ) == (
        Decimal("12345.67"),
        Decimal("500.51"),
        Decimal("8028.86"),
        Decimal("1250.00"),
        Decimal("333.33"),
        Decimal("700.00"),
        Decimal("2283.33"),
        Decimal("2.5163"),
    )


def test_ropi_is_empty_without_investment(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00", role="referral")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert rollup(world.partner).ropi is None


def test_incremental_recompute_equals_full_recompute(world):
    fields = [
        "sourced_revenue",
        "influenced_revenue",
        "return_amount",
        "discounts",
        "mdf_paid",
        "program_costs",
        "investment",
        "ropi",
        "velocity_median_days",
        "velocity_avg_days",
        "deals_decided",
        "approval_rate_pct",
        "sla_attainment_pct",
        "funnel_submitted",
        "funnel_won",
        "mdf_won_revenue",
        "mdf_roi",
    ]
    with tenant_context(world.tenant):
        _ropi_fixture(world)
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        full = {r.partner_id: [getattr(r, f) for f in fields] for r in PartnerRollup.objects.all()}
        PartnerRollup.objects.all().delete()
        for partner_id in sorted(full):
            services.rollups_compute(tenant=world.tenant, periods=[Q2], partner_ids=[partner_id])
        partial = {
            r.partner_id: [getattr(r, f) for f in fields] for r in PartnerRollup.objects.all()
        }
    assert partial == full


def test_recompute_is_idempotent(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00")
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert PartnerRollup.objects.filter(partner=world.partner).count() == 1


def test_deal_is_counted_in_the_quarter_it_closed(world):
    with tenant_context(world.tenant):
        won(world.partner, "1000.00", closed=datetime.date(2026, 7, 1))
        services.rollups_compute(tenant=world.tenant, periods=[Q2, datetime.date(2026, 7, 1)])
        assert rollup(world.partner).won_deals == 0


def test_quarters_back_lists_quarter_starts_oldest_first():
    assert services.quarters_back(datetime.date(2026, 2, 10), 3) == [
        datetime.date(2025, 7, 1),
        datetime.date(2025, 10, 1),
        datetime.date(2026, 1, 1),
    ]


def test_second_on_demand_run_is_refused_while_one_is_queued(world):
    with tenant_context(world.tenant):
        services.rollup_run_request(tenant=world.tenant, member=world.admin)
        with pytest.raises(DomainError):
            services.rollup_run_request(tenant=world.tenant, member=world.admin)


def test_on_demand_run_records_its_result(world):
    with tenant_context(world.tenant):
        run = services.rollup_run_request(tenant=world.tenant, member=world.admin)
        services.rollup_run_execute(tenant=world.tenant, run_id=run.pk)
        run.refresh_from_db()
    assert (run.status, run.rows > 0) == (RollupRun.Status.DONE, True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_on_demand_run_completes_in_the_worker(celery_worker):
    from tests.conftest import build_world, wait_for

    world = build_world("ropiworker")
    with tenant_context(world.tenant):
        run = services.rollup_run_request(tenant=world.tenant, member=world.admin)

    def done():
        with tenant_context(world.tenant):
            return RollupRun.objects.get(pk=run.pk).status == RollupRun.Status.DONE

    assert wait_for(done, timeout=30)


def test_failed_run_is_recorded_and_does_not_block_the_next(world, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("disk full")

    with tenant_context(world.tenant):
        run = services.rollup_run_request(tenant=world.tenant, member=world.admin)
        monkeypatch.setattr(services.rollups, "rollups_compute", boom)
        services.rollup_run_execute(tenant=world.tenant, run_id=run.pk)
        run.refresh_from_db()
        services.rollup_run_request(tenant=world.tenant, member=world.admin)
    assert (run.status, run.message) == (RollupRun.Status.FAILED, "disk full")


MID_QUARTER = datetime.date(2026, 5, 20)


def test_nightly_refresh_recomputes_only_partners_whose_deals_changed(world):
    from prm.audit import log_action

    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
        PartnerRollup.objects.filter(partner=world.other_partner).update(
            sourced_revenue=Decimal("999")
        )
        deal = won(world.partner, "1000.00", closed=datetime.date.today())
        log_action("deal.won", obj=deal)
        services.rollups_refresh(tenant=world.tenant, today=MID_QUARTER)
        current = services.quarter_start(datetime.date.today())
        mine = PartnerRollup.objects.get(partner=world.partner, period_start=current)
        theirs = PartnerRollup.objects.filter(partner=world.other_partner).first()
    assert (mine.sourced_revenue, theirs.sourced_revenue) == (Decimal("1000.00"), Decimal("999"))


def test_nightly_refresh_is_full_after_a_settings_change(world):
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
        PartnerRollup.objects.update(sourced_revenue=Decimal("999"))
        services.settings_update(tenant=world.tenant, gross_margin_pct=Decimal("50"))
        services.rollups_refresh(tenant=world.tenant, today=MID_QUARTER)
        assert not PartnerRollup.objects.filter(sourced_revenue=Decimal("999")).exists()


def test_influencers_of_won_direct_deals_get_influenced_revenue_not_sourced(world):
    from dealreg.models import DirectDeal, DirectDealInfluencer

    with tenant_context(world.tenant):
        direct = DirectDeal.objects.create(
            tenant=world.tenant,
            external_id="OPP-1",
            customer_name="Globex",
            amount=Decimal("10000.00"),
            currency="USD",
            status=DirectDeal.Status.WON,
            closed_at=IN_Q2,
        )
        DirectDealInfluencer.objects.create(
            tenant=world.tenant, direct_deal=direct, partner=world.partner, weight=Decimal("1")
        )
        lost = DirectDeal.objects.create(
            tenant=world.tenant,
            external_id="OPP-2",
            customer_name="Initech",
            amount=Decimal("5000.00"),
            status=DirectDeal.Status.LOST,
            closed_at=IN_Q2,
        )
        DirectDealInfluencer.objects.create(
            tenant=world.tenant, direct_deal=lost, partner=world.partner
        )
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        r = rollup(world.partner)
        assert (r.sourced_revenue, r.influenced_revenue) == (Decimal("0"), Decimal("10000.00"))
        assert r.won_deals == 0


def test_nightly_refresh_recomputes_a_partner_the_crm_took_off_a_won_direct_deal(world):
    from dealreg import services as deal_services

    def put(influencers):
        deal_services.direct_deal_upsert(
            by=world.admin,
            external_id="OPP-1",
            customer_name="Globex",
            amount=Decimal("10000.00"),
            status="won",
            closed_at=datetime.date.today(),
            influencers=influencers,
        )

    with tenant_context(world.tenant):
        put([{"partner": world.partner.pk}])
        services.rollups_compute(tenant=world.tenant)
        current = services.quarter_start(datetime.date.today())
        mine = PartnerRollup.objects.get(partner=world.partner, period_start=current)
        assert mine.influenced_revenue == Decimal("10000.00")
        put([{"partner": world.other_partner.pk}])
        services.rollups_refresh(tenant=world.tenant, today=MID_QUARTER)
        mine.refresh_from_db()
        theirs = PartnerRollup.objects.get(partner=world.other_partner, period_start=current)
    assert (mine.influenced_revenue, theirs.influenced_revenue) == (
        Decimal("0.00"),
        Decimal("10000.00"),
    )
