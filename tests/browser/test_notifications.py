"""The notification bell: it shows the unread count and the newest notifications, each named
by its object; clicking one lands on the object (here the deal) and marks it read. It works
from the keyboard, fits a phone, and axe finds nothing with it open."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world
from tests.dealreg.test_dealreg import register_and_tell

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def bell_world(transactional_db):
    world = build_world("bell")
    # The approval e-mail and notice are sent by the e-mail task the decision queued.
    world.deal = register_and_tell(world, customer_name="Initech Holdings")
    return world


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_click_the_bell_then_the_notification_and_land_on_the_deal(site, bell_world, viewport):
    deal = bell_world.deal
    page = site.sign_in(bell_world.tenant, bell_world.partner_admin.user.email, viewport=viewport)
    bell = page.locator("header details.bell")
    expect(bell.locator("summary .badge")).to_have_text("1")
    bell.locator("summary").click()
    item = bell.get_by_role("link", name=f"DR-{deal.pk} Initech Holdings")
    expect(item).to_be_visible()
    problems = violations(page, Axe())
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    item.click()
    page.wait_for_url(f"**/deals/{deal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"DR-{deal.pk}")
    expect(page.locator("header details.bell summary .badge")).to_have_count(0)
    assert not problems, "\n".join(problems)


def test_the_bell_opens_and_closes_from_the_keyboard(site, bell_world):
    page = site.sign_in(bell_world.tenant, bell_world.partner_admin.user.email, viewport=DESKTOP)
    summary = page.locator("header details.bell summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("header details.bell").evaluate("d => d.open")
    page.keyboard.press("Tab")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href.startswith("/notifications/") and href.endswith("/open/")
    page.keyboard.press("Escape")
    assert not page.locator("header details.bell").evaluate("d => d.open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
