"""Incentives journey (issue #20): a channel manager closes a deal won in the portal; the
worker computes the commission; the partner admin sees the held earning (and, before, what
the open deal would earn); once the clawback window has passed, the manager approves the line
from the Incentives queue; the partner admin sees it approved, at 1280 px and at 375 px.
Screenshots go to docs/screenshots/journeys/incentives-<n>-<step>.png."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incentives import services
from incentives.models import Earning
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.conftest import build_world, wait_for
from tests.factories import DealFactory
from tests.incentives.test_incentives_support import program

pytestmark = [pytest.mark.celery_worker]

PHONE = {"width": 375, "height": 800}


def test_journey_incentives_deal_won_earning_held_then_approved(site, celery_worker):
    world = build_world("earn")
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, name="Partner commission", clawback_days=30)
        deal = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status="approved",
            amount=Decimal("20000"),
            currency="USD",
            customer_name="Initrode",
            customer_name_tokens=["initrode"],
        )
    shot = Shots("incentives")

    # The partner admin sees what the open registration would earn.
    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    partner.goto(site.url(world.tenant, f"/deals/{deal.pk}/"))
    expect(partner.locator("#earnings")).to_contain_text("$2,000.00")
    shot(partner, "projection")

    # The channel manager closes the deal won.
    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    manager.goto(site.url(world.tenant, f"/deals/{deal.pk}/"))
    manager.get_by_label("Outcome").select_option("won")
    manager.get_by_label("Final amount").fill("20000")
    manager.get_by_role("button", name="Close deal").click()
    expect(manager.locator("#deal-status")).to_contain_text("Won")

    def computed():
        with tenant_context(world.tenant):
            return Earning.objects.filter(deal=deal).first()

    line = wait_for(computed)

    # The partner admin finds it under Earnings: held for the clawback window.
    partner.goto(site.url(world.tenant, "/"))
    menu_link(partner, "Earnings").click()
    expect(partner.locator("td[data-bucket=held]")).to_have_text("$2,000.00")
    expect(partner.get_by_role("link", name=line.number)).to_be_visible()
    shot(partner, "held")

    # The window passes (the daily release).
    with tenant_context(world.tenant):
        services.earnings_release(today=timezone.localdate() + datetime.timedelta(days=31))

    # The manager approves it from the queue.
    manager.goto(site.url(world.tenant, "/"))
    menu_link(manager, "Incentives").click()
    manager.get_by_label(f"Select {line.number}").check()
    shot(manager, "queue")
    manager.get_by_role("button", name="Approve selected").click()
    expect(manager.get_by_text("1 line approved.")).to_be_visible()

    # The partner admin sees it approved, with the computation on the line's page.
    partner.reload()
    expect(partner.locator("td[data-bucket=approved]")).to_have_text("$2,000.00")
    partner.get_by_role("link", name=line.number).click()
    expect(partner.locator("dl.facts")).to_contain_text("Partner commission")
    shot(partner, "approved")

    phone = site.sign_in(world.tenant, world.partner_admin.user.email, viewport=PHONE)
    phone.goto(site.url(world.tenant, "/earnings/"))
    expect(phone.locator("td[data-bucket=approved]")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width
    shot(phone, "phone")
