"""People mapping's journey: an admin sets up a territory and assigns a sales rep; the rep
signs in, finds My accounts on the home page and in the menu, and sees the partner that
knows one of them (as far as the partner shares). Accounts and their overlap come from the
account map's data (set up with services); everything the journey is about is clicked.
Screenshots: docs/screenshots/journeys/people-<n>-<step>.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from prm.tenancy import tenant_context
from tests.accountmap.people_helpers import account, overlap, share
from tests.browser.conftest import Shots, menu_link
from tests.conftest import build_world

pytestmark = [pytest.mark.celery_worker]

PHONE = {"width": 375, "height": 740}


def test_journey_people_a_rep_sees_my_accounts_and_a_partner_that_knows_one(site):
    world = build_world("cosell")
    with tenant_context(world.tenant):
        initech = account(world.tenant, "Initech", status="opportunity", country="DE")
        account(world.tenant, "Globex", status="customer", country="DE")
        account(world.tenant, "Paris Bakery", status="prospect", country="FR")
        theirs = account(world.tenant, "Initech", partner=world.partner, status="customer")
        overlap(initech, theirs)
        share(
            world.tenant,
            side="partner",
            partner=world.partner,
            status="customer",
            level="overlaps",
            fields=["status"],
        )
    shot = Shots("people")

    # The admin adds a territory and assigns the rep.
    admin = site.sign_in(world.tenant, world.admin.user.email)
    menu_link(admin, "Territories").click()
    admin.get_by_label("Name").fill("DACH")
    admin.get_by_label("Countries").fill("Germany, AT, CH")
    admin.get_by_role("button", name="Add territory").click()
    expect(admin.get_by_role("heading", name="DACH", level=1)).to_be_visible()
    admin.get_by_label("Rep").select_option(
        label=f"{world.sales_rep.user.display_name} <{world.sales_rep.user.email}>"
    )
    admin.get_by_role("button", name="Assign rep").click()
    expect(admin.get_by_text("Rep assigned.")).to_be_visible()
    expect(admin.get_by_role("heading", name="2 accounts in this territory")).to_be_visible()
    shot(admin, "territory")

    # The rep signs in: the home card counts the accounts and names the partner.
    rep = site.sign_in(world.tenant, world.sales_rep.user.email)
    card = rep.locator("#home-my-accounts")
    expect(card.get_by_role("heading", name="My accounts")).to_be_visible()
    expect(card.locator('[data-count="accounts"]')).to_have_text("2")
    expect(card.get_by_text(world.partner.name)).to_be_visible()
    shot(rep, "home")

    menu_link(rep, "My accounts").click()
    expect(rep.get_by_role("heading", name="My accounts", level=1)).to_be_visible()
    row = rep.get_by_role("row").filter(has_text="Initech")
    expect(row).to_contain_text(world.partner.name)
    expect(row).to_contain_text("Customer")
    expect(rep.get_by_role("row").filter(has_text="Globex")).to_contain_text("None shared")
    expect(rep.get_by_text("Paris Bakery")).to_have_count(0)
    shot(rep, "my-accounts")
    violations = Axe().run(rep).response["violations"]
    assert not violations, [v["id"] for v in violations]

    # The same page on a phone fits the screen.
    phone = site.sign_in(world.tenant, world.sales_rep.user.email, viewport=PHONE)
    phone.goto(site.url(world.tenant, "/my-accounts/"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "my-accounts-phone")


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, PHONE], ids=["1280px", "375px"]
)
def test_a_sales_reps_home_fits_the_screen_and_passes_axe(site, viewport):
    world = build_world("rephome")
    with tenant_context(world.tenant):
        account(world.tenant, "Initech", status="opportunity", owner_member=world.sales_rep)
    page = site.sign_in(world.tenant, world.sales_rep.user.email, viewport=viewport)
    expect(page.locator("#home-my-accounts")).to_be_visible()
    expect(page.get_by_text("You sell with the partners of")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = Axe().run(page).response["violations"]
    assert not violations, [v["id"] for v in violations]
