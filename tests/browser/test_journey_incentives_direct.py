"""Incentives journey, part two (issue #20): the CRM marks one of the vendor's direct deals won;
the worker pays its influencing partner; the partner admin sees the held earning on the home
page, finds the line by its number in the global search and opens it (the direct deal named);
the admin recomputes the commission program from its page. Pages checked with axe; at
1280 px and 375 px. Screenshots: docs/screenshots/journeys/incentives-direct-<n>-<step>.png."""

from __future__ import annotations

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dealreg import services as deal_services
from incentives.models import Earning
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots
from tests.browser.test_axe import violations
from tests.conftest import build_world, wait_for
from tests.incentives.test_incentives_support import program

pytestmark = [pytest.mark.celery_worker]

PHONE = {"width": 375, "height": 800}


def test_journey_direct_deal_won_pays_the_influencer_found_from_home_and_search(
    site, celery_worker
):
    world = build_world("earndirect")
    with tenant_context(world.tenant):
        prog = program(
            world,
            name="Partner commission",
            rules={"sourced_rate": "10", "influenced_rate": "4"},
            clawback_days=30,
        )
        deal_services.direct_deal_upsert(
            by=world.admin,
            external_id="OPP-9001",
            customer_name="Globex Logistics",
            amount=Decimal("50000"),
            currency="USD",
            status="won",
            influencers=[{"partner": world.partner.pk}],
        )

    def computed():
        with tenant_context(world.tenant):
            return Earning.objects.filter(direct_deal__external_id="OPP-9001").first()

    line = wait_for(computed)
    shot = Shots("incentives-direct")
    problems = []

    # Home: the partner admin's earnings, held for the clawback window (50,000 × 4 %).
    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    partner.goto(site.url(world.tenant, "/"))
    card = partner.locator("#home-incentives-partner")
    expect(card.locator("a[data-bucket=held]")).to_have_text("$2,000.00")
    problems += violations(partner, Axe())
    shot(partner, "home")

    # Global search by the line's number, then the line's page names the direct deal.
    partner.goto(site.url(world.tenant, f"/search/?q={line.number}"))
    partner.get_by_role("link", name=f"{line.number} Commission").click()
    expect(partner.locator("dl.facts")).to_contain_text("OPP-9001 Globex Logistics")
    problems += violations(partner, Axe())
    shot(partner, "line")

    # The admin recomputes the program (nothing is missing: no new line).
    admin = site.sign_in(world.tenant, world.admin.user.email)
    admin.goto(site.url(world.tenant, f"/incentives/programs/{prog.pk}/"))
    admin.get_by_role("button", name="Recompute earnings").click()
    expect(admin.get_by_text("Recomputing on the worker")).to_be_visible()
    problems += violations(admin, Axe())
    shot(admin, "recompute")

    phone = site.sign_in(world.tenant, world.partner_admin.user.email, viewport=PHONE)
    phone.goto(site.url(world.tenant, "/"))
    expect(phone.locator("#home-incentives-partner")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width
    shot(phone, "phone")
    assert problems == []
