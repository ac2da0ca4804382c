"""The deal page a reviewer works from (issue #18, item 8), in Chromium: the side-by-side of
two registrations of one customer stays readable on a 375 px phone (no sideways scrolling,
each value named by its deal number) and at 1280 px, and axe finds nothing on it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from dealreg import services as deal_services
from dealreg.models import Deal
from prm.tenancy import tenant_context
from tests.browser.test_axe import violations
from tests.conftest import build_world

PHONE = {"width": 375, "height": 740}
WIDE = {"width": 1280, "height": 900}


def _register(world, member, name: str, domain: str) -> Deal:
    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=member,
            data={
                "customer_name": name,
                "customer_domain_input": domain,
                "amount": Decimal("90000"),  # a person decides
                "currency": "EUR",
                "contact_name": "Ada Buyer with a rather long name",
                "contact_email": "ada.buyer.with.a.long.address@procurement.globex.com",
                "expected_close_date": timezone.now().date() + datetime.timedelta(days=40),
            },
            submit=True,
        )
        deal_services.deal_evaluate(deal_id=deal.pk)
        return Deal.objects.get(pk=deal.pk)


@pytest.fixture
def conflict(transactional_db):
    world = build_world("detail")
    first = _register(world, world.partner_admin, "Globex Corporation", "globex.com")
    second = _register(
        world, world.other_partner_user, "GLOBEX Corporation International", "sales.globex.com"
    )
    return world, first, second


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_side_by_side_fits_the_screen_and_names_who_was_first(site, conflict, viewport):
    world, first, second = conflict
    page = site.sign_in(world.tenant, world.channel_manager.user.email, viewport=viewport)
    page.goto(site.url(world.tenant, f"/deals/{second.pk}/?from=queue"))
    side = page.locator("#side-by-side")
    expect(side).to_contain_text("Submitted first")
    expect(side).to_contain_text("Submitted second")
    expect(side).to_contain_text("Ada Buyer")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page scrolls sideways: {width} > {inner}"
    expect(page.get_by_role("link", name="Next in queue →")).to_be_visible()
    problems = violations(page, Axe())
    assert not problems, "\n".join(problems)
