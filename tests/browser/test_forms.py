"""Forms in the browser (issue #18): the deal form pairs short fields in two columns at
1280 px and stacks them at 375 px without sideways scrolling; a refused submit moves the
focus to the error summary, whose links lead to the fields, and axe stays clean."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def forms_world(transactional_db):
    return build_world("forms")


def box(page, field: str) -> dict:
    return page.locator(f"#id_{field}_field").bounding_box()


def test_the_deal_form_has_two_columns_on_a_wide_screen(site, forms_world):
    page = site.sign_in(forms_world.tenant, forms_world.partner_user.user.email, viewport=DESKTOP)
    page.goto(site.url(forms_world.tenant, "/deals/new/"))
    name, website = box(page, "customer_name"), box(page, "customer_domain_input")
    assert name["y"] == website["y"] and website["x"] > name["x"] + name["width"] - 1
    notes = box(page, "notes")
    assert notes["width"] > name["width"] + website["width"]  # a textarea takes the whole row
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]


def test_the_deal_form_has_one_column_on_a_phone(site, forms_world):
    page = site.sign_in(forms_world.tenant, forms_world.partner_user.user.email, viewport=PHONE)
    page.goto(site.url(forms_world.tenant, "/deals/new/"))
    name, website = box(page, "customer_name"), box(page, "customer_domain_input")
    assert website["y"] >= name["y"] + name["height"] and website["x"] == name["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_a_refused_submit_focuses_the_summary_whose_links_reach_the_fields(
    site, forms_world, viewport
):
    page = site.sign_in(forms_world.tenant, forms_world.partner_user.user.email, viewport=viewport)
    page.goto(site.url(forms_world.tenant, "/deals/new/"))
    page.get_by_label("Customer company").fill("Globex Corporation")
    page.get_by_role("button", name="Submit for approval").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.evaluate("el => el === document.activeElement")
    summary.get_by_role("link", name="Estimated amount").click()
    assert page.evaluate("document.activeElement.id") == "id_amount"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not violations(page, Axe())
