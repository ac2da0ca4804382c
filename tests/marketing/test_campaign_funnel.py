"""A campaign's funnel counts its registrations and sums its won revenue in the program's
reporting currency, converted as ROPI converts it (mdf's rate in force on the closing day);
a deal in a currency with no rate yet is left out, never added as if it were dollars."""

from __future__ import annotations

import datetime
from decimal import Decimal

from marketing import campaign_selectors
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import DealFactory, ExchangeRateFactory
from tests.html_helpers import find
from tests.marketing.campaign_helpers import launched

CLOSED = datetime.date(2026, 3, 10)


def _deal(world, campaign, *, status, amount, currency, won_amount=None):
    return DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        status=status,
        amount=Decimal(amount),
        won_amount=Decimal(won_amount) if won_amount else None,
        currency=currency,
        closed_at=CLOSED if status == "won" else None,
        mdf_campaign_code=campaign.code,
    )


def test_won_revenue_is_converted_to_the_reporting_currency_and_unrated_deals_are_left_out(
    world,
):
    campaign = launched(world)
    with tenant_context(world.tenant):
        ExchangeRateFactory(
            tenant=world.tenant, from_currency="EUR", to_currency="USD", rate=Decimal("1.1")
        )
        # A later rate is not yet in force on the closing day.
        ExchangeRateFactory(
            tenant=world.tenant,
            from_currency="EUR",
            to_currency="USD",
            rate=Decimal("2"),
            valid_from=CLOSED + datetime.timedelta(days=1),
        )
        _deal(world, campaign, status="won", amount="1000", currency="USD", won_amount="1200")
        _deal(world, campaign, status="won", amount="1000.00", currency="EUR")
        _deal(world, campaign, status="won", amount="5000", currency="GBP")  # no rate yet
        _deal(world, campaign, status="submitted", amount="9000", currency="USD")
        figures = campaign_selectors.funnel([campaign])[campaign.pk]
    assert figures["registrations"] == 4
    # 1,200 (the won amount) + 1,000 EUR x 1.1; the GBP deal has no rate.
    assert figures["won_revenue"] == Decimal("2300.00") and figures["currency"] == "USD"
    page = portal_client(world.tenant, world.partner_admin).get(campaign.get_absolute_url())
    assert "$2,300" in find(page, "dd", data_figure="won_revenue").text()


def test_nothing_won_shows_no_currency(world):
    campaign = launched(world)
    with tenant_context(world.tenant):
        _deal(world, campaign, status="submitted", amount="9000", currency="USD")
        figures = campaign_selectors.funnel([campaign])[campaign.pk]
    assert figures["registrations"] == 1
    assert figures["won_revenue"] == 0 and figures["currency"] == ""


def test_a_hit_counts_on_the_tenants_calendar_day_the_day_an_activity_period_names(world):
    """At 00:30 UTC on 6 December it is still 5 December in New York: a view then counts on
    the 5th, so an MDF activity period ending on the 5th (the partner's calendar) includes it
    and one starting on the 6th does not."""
    import time_machine

    from marketing import campaign_services
    from marketing.campaign_models import CampaignDay

    world.tenant.timezone = "America/New_York"
    world.tenant.save(update_fields=["timezone"])
    campaign = launched(world)
    moment = datetime.datetime(2026, 12, 6, 0, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False), tenant_context(world.tenant):
        campaign_services.campaign_count(campaign_id=campaign.pk, counter="views")
        assert list(CampaignDay.objects.values_list("day", flat=True)) == [
            datetime.date(2026, 12, 5)
        ]
        fifth = datetime.date(2026, 12, 5)
        sixth = datetime.date(2026, 12, 6)
        assert (
            campaign_selectors.funnel([campaign], first=fifth, last=fifth)[campaign.pk]["views"]
            == 1
        )
        assert (
            campaign_selectors.funnel([campaign], first=sixth, last=sixth)[campaign.pk]["views"]
            == 0
        )
