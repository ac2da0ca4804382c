"""Global search from the keyboard ("/" and Ctrl+K on any page), and the new API key's Copy
button (Clipboard API, a spoken "Copied")."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dealreg.models import DealStatus
from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world
from tests.factories import DealFactory


@pytest.fixture
def search_world(transactional_db):
    world = build_world("finder")
    world.deal = DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        status=DealStatus.SUBMITTED,
        customer_name="Wayne Enterprises",
        customer_domain="wayne.example",
    )
    world.other_deal = DealFactory(
        tenant=world.tenant,
        partner=world.other_partner,
        status=DealStatus.SUBMITTED,
        customer_name="Wayne Foundation",
    )
    return world


def test_journey_search_press_slash_type_a_customer_and_open_the_deal(site, search_world):
    w = search_world
    page = site.sign_in(w.tenant, w.partner_user.user.email)
    page.goto(site.url(w.tenant, "/"))
    page.locator("main").focus()  # nothing focused that takes text
    page.keyboard.press("/")
    field = page.get_by_role("searchbox", name="Search the portal")
    expect(field).to_be_focused()
    page.keyboard.type("wayne")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    results = page.get_by_role("region", name="Deal registrations")
    # Only the partner's own company's deal; the other partner's is not there.
    expect(results.get_by_role("link")).to_have_count(1)
    results.get_by_role("link", name=f"{w.deal.number} Wayne Enterprises").click()
    page.wait_for_url(f"**/deals/{w.deal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wayne Enterprises")


def test_ctrl_k_focuses_the_search_but_slash_types_inside_a_field(site, search_world):
    w = search_world
    page = site.sign_in(w.tenant, w.admin.user.email)
    page.goto(site.url(w.tenant, "/search/?q=wayne"))
    field = page.get_by_role("searchbox", name="Search the portal").first
    page.locator("#search-page-q").focus()
    page.keyboard.press("End")
    page.keyboard.type("/x")
    expect(page.locator("#search-page-q")).to_have_value("wayne/x")
    page.keyboard.press("Control+k")
    expect(page.locator("#global-search-q")).to_be_focused()
    assert field.count() == 1
    # The staff see both partners' deals; the page is accessible.
    expect(page.get_by_role("region", name="Deal registrations").get_by_role("link")).to_have_count(
        2
    )
    assert not violations(page, Axe())


def test_search_fits_a_phone(site, search_world):
    w = search_world
    page = site.sign_in(w.tenant, w.channel_manager.user.email, viewport=PHONE)
    page.goto(site.url(w.tenant, "/search/?q=wayne"))
    expect(page.locator("#global-search-q")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not violations(page, Axe())


def test_a_new_api_key_is_copied_with_one_click(site, search_world):
    w = search_world
    page = site.sign_in(w.tenant, w.partner_admin.user.email)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=site.url(w.tenant, "").rstrip("/")
    )
    page.goto(site.url(w.tenant, "/api-keys/"))
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Create key").click()
    key_field = page.get_by_label("New key")
    expect(key_field).to_have_attribute("readonly", "")
    key = key_field.input_value()
    assert key.startswith("prm_")
    expect(page.get_by_text("Shown once.")).to_be_visible()
    # Wide enough to show the whole key.
    assert key_field.bounding_box()["width"] >= 600
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#newkey-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == key
    assert not violations(page, Axe())
