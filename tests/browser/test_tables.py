"""Tables that do not break (issue #18, item 7): a very long customer name does not widen the
deals page, and on a phone the deal list keeps what, status and amount on screen without the
page scrolling sideways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from tests.browser.test_axe import PHONE
from tests.conftest import build_world
from tests.factories import DealFactory

DESKTOP = {"width": 1280, "height": 800}
# One unbroken word as long as the column allows (customer_name holds 200 characters): the
# worst case, since a name with spaces would at least wrap.
LONG_NAME = ("Supercalifragilisticexpialidocious" * 7)[:200]


@pytest.fixture
def deals_world(transactional_db):
    world = build_world("tables")
    # Deal numbers grow with the table ("DR-" and the id): in a long-lived database they have
    # seven digits or more, so the test takes numbers that long (alone it would see DR-1).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dealreg_deal', 'id'),"
            " GREATEST(10000000, (SELECT last_value FROM dealreg_deal_id_seq)))"
        )
    DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        customer_name=LONG_NAME,
        customer_domain="a-very-long-customer-domain-name-for-testing.example.com",
        amount=Decimal("2000000"),
        currency="USD",
        status="submitted",
    )
    # The longest status labels: two words in English, one long word in German.
    for status in ("under_review", "withdrawn"):
        DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            customer_name=f"Customer {status}",
            amount=Decimal("1500000"),
            currency="USD",
            status=status,
        )
    return world


def on_screen(page, locator, width: int) -> bool:
    box = locator.bounding_box()
    return bool(box) and locator.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_a_long_customer_name_does_not_widen_the_deals_page(site, deals_world):
    page = site.sign_in(deals_world.tenant, deals_world.admin.user.email, viewport=DESKTOP)
    page.goto(site.url(deals_world.tenant, "/deals/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    # The table itself fits: the name is cut, not the table scrolled.
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    # The whole name is still there, on hover.
    assert page.locator(f'[title="{LONG_NAME}"]').count() == 1
    row = page.locator("tbody tr", has=page.locator(f'[title="{LONG_NAME}"]'))
    assert on_screen(page, row.locator(".status"), DESKTOP["width"])
    assert on_screen(page, row.get_by_text("$2,000,000"), DESKTOP["width"])


@pytest.mark.parametrize("role", ["partner_user", "admin"])
def test_on_a_phone_the_deal_list_keeps_status_and_amount_visible(site, deals_world, role):
    member = deals_world.member(role)
    page = site.sign_in(deals_world.tenant, member.user.email, viewport=PHONE)
    page.goto(site.url(deals_world.tenant, "/deals/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator("tbody tr", has=page.locator(f'[title="{LONG_NAME}"]'))
    assert on_screen(page, row.locator(".status"), PHONE["width"]), "status is off-screen"
    # Not cut by the table's own box either: the table fits it without scrolling inside.
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the table scrolls on a phone"
    for cell in page.locator("tbody .status").all():
        assert cell.evaluate(
            "s => s.getBoundingClientRect().right"
            " <= s.closest('.table-wrap').getBoundingClientRect().right"
        ), f"status {cell.inner_text()!r} is cut by the table's edge"
    assert on_screen(page, row.get_by_text("$2,000,000"), PHONE["width"]), "amount off-screen"
    # Secondary columns step aside on a phone (the deal number among them: the customer name
    # links to the deal); the key ones stay.
    assert not page.locator("th.col-secondary").first.is_visible()
    row.get_by_role("link", name=LONG_NAME).click()
    page.wait_for_url("**/deals/*/")
