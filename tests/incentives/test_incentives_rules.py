"""Every rule type with hand-computed amounts, computed from won deals through the service
(tenant, attribution, versions, period volumes and all)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from incentives import services
from incentives.models import Earning, EarningStatus
from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.factories import (
    AnalyticsSettingsFactory,
    DealInfluencerFactory,
    ExchangeRateFactory,
    PartnerFactory,
    ProductFactory,
    TierFactory,
)
from tests.incentives.test_incentives_support import compute, program, won_deal

D = Decimal


def amounts(lines):
    return sorted((e.partner_id, e.role, e.amount) for e in lines)


def test_commission_pays_the_sourced_rate_and_the_influencers_even_shares(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10", "influenced_rate": "3"})
        third = PartnerFactory(tenant=world.tenant)
        deal = won_deal(world, amount="20000")
        DealInfluencerFactory(tenant=world.tenant, deal=deal, partner=world.other_partner)
        DealInfluencerFactory(tenant=world.tenant, deal=deal, partner=third, weight=D("3"))
        lines = compute(deal)
    # 20,000 × 10 % sourced; 20,000 × ½ × 3 % each influencer (even split by default)
    assert amounts(lines) == sorted(
        [
            (world.partner.pk, "sourced", D("2000.00")),
            (world.other_partner.pk, "influenced", D("300.00")),
            (third.pk, "influenced", D("300.00")),
        ]
    )


def test_weighted_attribution_splits_influenced_commission_by_weight(world):
    with tenant_context(world.tenant):
        AnalyticsSettingsFactory(tenant=world.tenant, attribution_model="weighted")
        program(world, rules={"sourced_rate": "10", "influenced_rate": "4"})
        third = PartnerFactory(tenant=world.tenant)
        deal = won_deal(world, amount="10000")
        DealInfluencerFactory(tenant=world.tenant, deal=deal, partner=world.other_partner)
        DealInfluencerFactory(tenant=world.tenant, deal=deal, partner=third, weight=D("3"))
        lines = {e.partner_id: e for e in compute(deal)}
    # shares ¼ and ¾ of 10,000 at 4 %: 100 and 300
    assert lines[world.other_partner.pk].amount == D("100.00")
    assert lines[world.other_partner.pk].share == D("0.25")
    assert lines[third.pk].amount == D("300.00")


def test_the_most_specific_override_wins_tier_product_deal_type_partner_type(world):
    with tenant_context(world.tenant):
        gold = TierFactory(tenant=world.tenant, name="Gold", rank=2)
        world.partner.tier = gold
        world.partner.partner_type = "reseller"
        world.partner.save()
        product = ProductFactory(tenant=world.tenant)
        program(
            world,
            rules={
                "sourced_rate": "10",
                "overrides": [
                    {"tier": gold.pk, "sourced_rate": "12"},
                    {"tier": gold.pk, "deal_type": "renewal", "sourced_rate": "5"},
                    {"product": product.pk, "partner_type": "reseller", "sourced_rate": "15"},
                    {"partner_type": "isv", "sourced_rate": "20"},
                ],
            },
        )
        new = won_deal(world, amount="1000", deal_type="new")
        renewal = won_deal(world, amount="1000", deal_type="renewal")
        with_product = won_deal(world, amount="1000", deal_type="new")
        with_product.products.add(product, through_defaults={"tenant": world.tenant})
        assert [e.amount for e in compute(new)] == [D("120.00")]  # tier Gold: 12 %
        assert [e.amount for e in compute(renewal)] == [D("50.00")]  # Gold + renewal: 5 %
        # product + partner type (two filters) beats tier alone (one): 15 %
        assert [e.amount for e in compute(with_product)] == [D("150.00")]


def test_accelerator_pays_the_higher_rate_only_above_the_threshold_crossed_mid_period(world):
    with tenant_context(world.tenant):
        program(
            world,
            rules={
                "sourced_rate": "10",
                "period": "quarter",
                "accelerators": [{"threshold": "100000", "multiplier": "1.5"}],
            },
        )
        q = datetime.date(2026, 4, 1)
        first = won_deal(world, amount="80000", closed_at=q + datetime.timedelta(days=5))
        crossing = won_deal(world, amount="50000", closed_at=q + datetime.timedelta(days=20))
        above = won_deal(world, amount="10000", closed_at=q + datetime.timedelta(days=40))
        next_quarter = won_deal(world, amount="10000", closed_at=datetime.date(2026, 7, 2))
        assert compute(first)[0].amount == D("8000.00")
        # 20,000 below the threshold at 10 % + 30,000 above at 15 % = 2,000 + 4,500
        line = compute(crossing)[0]
        assert line.amount == D("6500.00")
        assert [s["portion"] for s in line.computation["steps"] if s["step"] == "band"] == [
            "20000.00",
            "30000.00",
        ]
        assert compute(above)[0].amount == D("1500.00")
        assert compute(next_quarter)[0].amount == D("1000.00")  # a new period starts at 0


def test_referral_fee_flat_per_won_referral_deal_and_percent_per_accepted_lead(world):
    with tenant_context(world.tenant):
        program(
            world, kind="referral", rules={"basis": "won_deal", "mode": "flat", "amount": "250"}
        )
        program(
            world, kind="referral", rules={"basis": "accepted_lead", "mode": "percent", "rate": "2"}
        )
        referral = won_deal(world, amount="9000", partner_role="referral")
        resale = won_deal(world, amount="9000", partner_role="resell")
        assert [e.amount for e in compute(referral)] == [D("250.00")]
        assert compute(resale) == []
        lead_deal = won_deal(world, amount="30000", source="vendor_lead")
        lines = services.earnings_compute_for_lead(deal_id=lead_deal.pk)
        assert [(e.amount, e.rate) for e in lines] == [(D("600.00"), D("2"))]
        assert services.earnings_compute_for_lead(deal_id=lead_deal.pk) == []  # once


def test_rebate_is_retroactive_to_the_first_unit_once_a_threshold_is_met(world):
    with tenant_context(world.tenant):
        program(
            world,
            kind="rebate",
            rules={
                "period": "quarter",
                "tiers": [{"threshold": "0", "rate": "1"}, {"threshold": "100000", "rate": "3"}],
            },
        )
        q = datetime.date(2026, 1, 1)
        a = won_deal(world, amount="60000", closed_at=q + datetime.timedelta(days=3))
        assert [e.amount for e in compute(a)] == [D("600.00")]  # 60,000 × 1 %
        b = won_deal(world, amount="50000", closed_at=q + datetime.timedelta(days=30))
        # 110,000 × 3 % = 3,300 due for the quarter; 600 already earned: 2,700
        line = compute(b)[0]
        assert line.amount == D("2700.00") and line.base_amount == D("110000.00")
        total = sum(e.amount for e in Earning.objects.filter(kind="rebate"))
        assert total == D("3300.00")


def test_spiff_for_a_product_in_its_window_and_for_the_first_won_deal(world):
    with tenant_context(world.tenant):
        product = ProductFactory(tenant=world.tenant)
        window = {"starts_on": "2026-01-01", "ends_on": "2026-03-31"}
        program(
            world,
            kind="spiff",
            rules={"trigger": "product", "product": product.pk, "amount": "500"} | window,
        )
        program(world, kind="spiff", rules={"trigger": "first_deal", "amount": "1000"} | window)
        inside = won_deal(world, amount="1000", closed_at=datetime.date(2026, 2, 1))
        inside.products.add(product, through_defaults={"tenant": world.tenant})
        outside = won_deal(world, amount="1000", closed_at=datetime.date(2026, 4, 2))
        outside.products.add(product, through_defaults={"tenant": world.tenant})
        assert sorted(e.amount for e in compute(inside)) == [D("500.00"), D("1000.00")]
        assert compute(outside) == []
        second = won_deal(world, amount="1000", closed_at=datetime.date(2026, 3, 1))
        assert compute(second) == []  # not the first deal any more


def test_partner_referral_reward_once_the_referred_partner_is_active(world):
    with tenant_context(world.tenant):
        program(world, kind="partner_referral", rules={"amount": "750"})
        referred = PartnerFactory(tenant=world.tenant, status="onboarding")
        assert services.partner_referral_reward(referrer=world.partner, referred=referred) == []
        referred.status = "active"
        referred.save()
        lines = services.partner_referral_reward(referrer=world.partner, referred=referred)
        assert [(e.partner_id, e.amount, e.status) for e in lines] == [
            (world.partner.pk, D("750.00"), EarningStatus.PENDING)
        ]
        assert services.partner_referral_reward(referrer=world.partner, referred=referred) == []


def test_each_line_records_the_version_in_force_when_the_deal_closed(world):
    from tests.factories import ProgramVersionFactory

    with tenant_context(world.tenant):
        p = program(world, rules={"sourced_rate": "10"})
        v2 = ProgramVersionFactory(
            tenant=world.tenant,
            program=p,
            version=2,
            rules={
                "sourced_rate": "20",
                "influenced_rate": "0",
                "period": "quarter",
                "overrides": [],
                "accelerators": [],
            },
            effective_from=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        )
        before = compute(won_deal(world, amount="1000", closed_at=datetime.date(2026, 2, 27)))
        after = compute(won_deal(world, amount="1000", closed_at=datetime.date(2026, 3, 2)))
    assert (before[0].version.version, before[0].amount) == (1, D("100.00"))
    assert (after[0].version_id, after[0].amount) == (v2.pk, D("200.00"))


def test_a_computation_run_twice_writes_each_line_once(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        deal = won_deal(world)
        assert len(compute(deal)) == 1
        assert compute(deal) == []
        assert Earning.objects.filter(deal=deal).count() == 1


def test_rules_refuse_bad_input_at_the_field(world):
    from incentives.rules import clean_rules

    with pytest.raises(DomainError) as exc:
        clean_rules("commission", {"sourced_rate": "120"})
    assert exc.value.field == "sourced_rate"
    with pytest.raises(DomainError) as exc:
        clean_rules("rebate", {"tiers": []})
    assert exc.value.field == "tiers"
    with pytest.raises(DomainError) as exc:
        clean_rules(
            "spiff", {"trigger": "product", "starts_on": "2026-02-01", "ends_on": "2026-01-01"}
        )
    assert exc.value.field == "ends_on"


def test_currency_of_a_deal_is_kept_and_volume_converts_at_the_closing_days_rate(world):
    with tenant_context(world.tenant):
        ExchangeRateFactory(
            tenant=world.tenant,
            from_currency="EUR",
            to_currency="USD",
            rate=D("1.10"),
            valid_from=datetime.date(2026, 1, 1),
        )
        program(
            world,
            rules={
                "sourced_rate": "10",
                "accelerators": [{"threshold": "11000", "multiplier": "2"}],
            },
        )
        first = won_deal(world, amount="10000", currency="EUR", closed_at=datetime.date(2026, 1, 5))
        second = won_deal(
            world, amount="10000", currency="EUR", closed_at=datetime.date(2026, 1, 6)
        )
        assert [(e.amount, e.currency) for e in compute(first)] == [(D("1000.00"), "EUR")]
        # 11,000 USD before (10,000 EUR × 1.10): the whole second deal is above: 20 %
        assert [(e.amount, e.currency) for e in compute(second)] == [(D("2000.00"), "EUR")]


def test_certification_spiff_pays_the_members_partner_once_per_certificate(world):
    from tests.factories import CertificateFactory, CertificationFactory

    today = datetime.date.today()
    with tenant_context(world.tenant):
        wanted = CertificationFactory(tenant=world.tenant)
        other = CertificationFactory(tenant=world.tenant)
        window = {
            "starts_on": (today - datetime.timedelta(days=1)).isoformat(),
            "ends_on": (today + datetime.timedelta(days=1)).isoformat(),
        }
        program(
            world,
            kind="spiff",
            rules={"trigger": "certification", "certification": wanted.pk, "amount": "200"}
            | window,
        )
        cert = CertificateFactory(
            tenant=world.tenant, certification=wanted, member=world.partner_user
        )
        lines = services.earnings_compute_for_certificate(
            certificate_id=cert.pk, member_id=world.partner_user.pk
        )
        assert [(e.partner_id, e.amount, e.status) for e in lines] == [
            (world.partner.pk, D("200.00"), EarningStatus.PENDING)
        ]
        assert (
            services.earnings_compute_for_certificate(
                certificate_id=cert.pk, member_id=world.partner_user.pk
            )
            == []
        )
        not_it = CertificateFactory(
            tenant=world.tenant, certification=other, member=world.partner_admin
        )
        assert (
            services.earnings_compute_for_certificate(
                certificate_id=not_it.pk, member_id=world.partner_admin.pk
            )
            == []
        )
