"""The vendor's direct deals: a direct deal won in the CRM pays its influencers the
influenced commission on their attribution share (hand-computed), once; lost or reopened
after it was won, the lines are reversed or clawed back. dealreg emits the events, the
worker computes (last test)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dealreg import services as deal_services
from incentives import selectors, services
from incentives.models import Earning
from prm.tenancy import tenant_context
from tests.conftest import build_world, wait_for
from tests.factories import (
    AnalyticsSettingsFactory,
    DirectDealFactory,
    DirectDealInfluencerFactory,
    PartnerFactory,
)
from tests.incentives.test_incentives_support import program

D = Decimal


def _won_direct(world, amount="20000", **fields):
    return DirectDealFactory(
        tenant=world.tenant,
        status="won",
        amount=D(amount),
        currency="USD",
        closed_at=datetime.date.today(),
        **fields,
    )


def _amounts(lines):
    return sorted((e.partner_id, e.role, e.share, e.rate, e.amount) for e in lines)


def test_a_won_direct_deal_pays_each_influencer_the_influenced_rate_on_its_even_share(world):
    with tenant_context(world.tenant):
        isv = PartnerFactory(tenant=world.tenant, partner_type="isv")
        program(
            world,
            rules={
                "sourced_rate": "10",
                "influenced_rate": "3",
                "overrides": [{"partner_type": "isv", "influenced_rate": "5"}],
            },
        )
        deal = _won_direct(world)
        DirectDealInfluencerFactory(tenant=world.tenant, direct_deal=deal, partner=world.partner)
        DirectDealInfluencerFactory(tenant=world.tenant, direct_deal=deal, partner=isv)
        lines = services.earnings_compute_for_direct_deal(direct_deal_id=deal.pk)
        again = services.earnings_compute_for_direct_deal(direct_deal_id=deal.pk)
        stored = Earning.objects.filter(direct_deal=deal).count()
    # 20,000 × ½ = 10,000 each: × 3 % = 300 (the base rate), × 5 % = 500 (the isv override)
    assert _amounts(lines) == sorted(
        [
            (world.partner.pk, "influenced", D("0.5"), D("3"), D("300.00")),
            (isv.pk, "influenced", D("0.5"), D("5"), D("500.00")),
        ]
    )
    assert {e.deal_id for e in lines} == {None}
    assert (again, stored) == ([], 2)


def test_weighted_attribution_splits_a_direct_deal_by_weight_and_nobody_earns_sourced(world):
    with tenant_context(world.tenant):
        AnalyticsSettingsFactory(tenant=world.tenant, attribution_model="weighted")
        program(world, rules={"sourced_rate": "10", "influenced_rate": "4"})
        deal = _won_direct(world, amount="10000")
        DirectDealInfluencerFactory(
            tenant=world.tenant, direct_deal=deal, partner=world.partner, weight=D("1")
        )
        DirectDealInfluencerFactory(
            tenant=world.tenant, direct_deal=deal, partner=world.other_partner, weight=D("3")
        )
        lines = services.earnings_compute_for_direct_deal(direct_deal_id=deal.pk)
    # ¼ and ¾ of 10,000 at 4 %: 100 and 300; no sourced line (no partner registered it)
    assert _amounts(lines) == sorted(
        [
            (world.partner.pk, "influenced", D("0.25"), D("4"), D("100.00")),
            (world.other_partner.pk, "influenced", D("0.75"), D("4"), D("300.00")),
        ]
    )


def test_an_open_direct_deal_or_one_without_influencers_earns_nothing(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10", "influenced_rate": "4"})
        lonely = _won_direct(world)
        open_deal = DirectDealFactory(tenant=world.tenant, amount=D("5000"))
        DirectDealInfluencerFactory(tenant=world.tenant, direct_deal=open_deal)
        assert services.earnings_compute_for_direct_deal(direct_deal_id=lonely.pk) == []
        assert services.earnings_compute_for_direct_deal(direct_deal_id=open_deal.pk) == []


def test_a_direct_deal_lost_after_it_was_won_reverses_held_lines_and_claws_back_approved(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10", "influenced_rate": "2"}, clawback_days=0)
        deal = _won_direct(world, amount="10000")
        DirectDealInfluencerFactory(tenant=world.tenant, direct_deal=deal, partner=world.partner)
        DirectDealInfluencerFactory(
            tenant=world.tenant, direct_deal=deal, partner=world.other_partner
        )
        lines = {
            e.partner_id: e
            for e in services.earnings_compute_for_direct_deal(direct_deal_id=deal.pk)
        }
        services.earning_approve(earning=lines[world.partner.pk], by=world.channel_manager)
        # Still won: nothing is taken back.
        assert services.earnings_reverse_for_direct_deal(direct_deal_id=deal.pk) == 0
        deal_services.direct_deal_upsert(
            by=world.admin,
            external_id=deal.external_id,
            customer_name=deal.customer_name,
            amount=deal.amount,
            currency="USD",
            status="lost",
            closed_at=deal.closed_at,
        )
        services.earnings_reverse_for_direct_deal(direct_deal_id=deal.pk)
        services.earnings_reverse_for_direct_deal(direct_deal_id=deal.pk)  # twice: one clawback
        other = Earning.objects.get(pk=lines[world.other_partner.pk].pk)
        clawbacks = list(Earning.objects.filter(kind="clawback"))
        balance = selectors.balances(partner_id=world.partner.pk)["USD"]
    # 10,000 × ½ × 2 % = 100 each
    assert (other.status, other.reversal_reason) == ("reversed", "The direct deal was lost.")
    assert [(c.amount, c.direct_deal_id, c.reverses_id) for c in clawbacks] == [
        (D("-100.00"), deal.pk, lines[world.partner.pk].pk)
    ]
    assert balance["approved"] == D("0.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_crm_marking_a_direct_deal_won_then_lost_earns_and_reverses_on_the_worker(
    celery_worker,
):
    world = build_world("directearn")
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10", "influenced_rate": "5"}, clawback_days=0)
        values = {
            "by": world.admin,
            "external_id": "OPP-77",
            "customer_name": "Direct Buyer GmbH",
            "amount": D("4000"),
            "currency": "USD",
            "influencers": [{"partner": world.partner.pk}],
        }
        deal, _created = deal_services.direct_deal_upsert(**values)
    with tenant_context(world.tenant):
        deal_services.direct_deal_upsert(**values, status="won")

    def lines():
        with tenant_context(world.tenant):
            return list(Earning.objects.filter(direct_deal=deal))

    (line,) = wait_for(lines)
    # 4,000 × 1 × 5 %
    assert (line.partner_id, line.amount, line.status) == (world.partner.pk, D("200.00"), "pending")
    with tenant_context(world.tenant):
        deal_services.direct_deal_upsert(**values, status="lost")
    (gone,) = wait_for(lambda: [e for e in lines() if e.status == "reversed"])
    assert gone.reversal_reason == "The direct deal was lost."
