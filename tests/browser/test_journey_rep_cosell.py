"""A vendor sales rep co-sells (issue #19: "a vendor rep's account page shows which partners
know the account"; the shared opportunity "the vendor rep and the partners on it see"): the
rep opens one of their accounts from My accounts, sees the partner that knows it (as far as
the partner shares), opens the workspace of the partner's deal on that customer from the
menu and comments; the partner sees the comment arrive. The account page fits a phone and
axe finds nothing. Screenshots: docs/screenshots/journeys/rep-cosell-<n>-<step>.png."""

from __future__ import annotations

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from cosell import services
from prm.tenancy import tenant_context
from tests.accountmap.people_helpers import account, overlap, share
from tests.browser.conftest import Shots, menu_link
from tests.conftest import build_world
from tests.factories import DealFactory

pytestmark = [pytest.mark.celery_worker]

PHONE = {"width": 375, "height": 740}
LIVE = 15_000  # the workspace polls every 3 s


def test_journey_rep_sees_who_knows_an_account_and_comments_on_its_deal(site):
    world = build_world("repcosell")
    deal = DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        created_by=world.partner_admin,
        customer_name="Initech",
        status="approved",
        amount=Decimal("48000"),
    )
    with tenant_context(world.tenant):
        initech = account(
            world.tenant, "Initech", status="opportunity", owner_member=world.sales_rep
        )
        theirs = account(
            world.tenant,
            "Initech",
            partner=world.partner,
            status="customer",
            owner_name="Pat Partner",
            deal=deal,
        )
        overlap(initech, theirs)
        share(
            world.tenant,
            side="partner",
            partner=world.partner,
            status="customer",
            level="overlaps",
            fields=["status", "owner"],
        )
        opp, _new = services.opportunity_open(by=world.partner_admin, deal=deal)
    shot = Shots("rep-cosell")

    # The rep opens their account from My accounts: the partner that knows it, and as what.
    rep = site.sign_in(world.tenant, world.sales_rep.user.email)
    menu_link(rep, "My accounts").click()
    rep.get_by_role("link", name="Initech").click()
    expect(rep.get_by_role("heading", level=1)).to_have_text("Partners who know Initech")
    row = rep.get_by_role("row").filter(has_text=world.partner.name)
    expect(row).to_contain_text("Customer")
    expect(row).to_contain_text("Pat Partner")
    shot(rep, "who-knows")
    violations = Axe().run(rep).response["violations"]
    assert not violations, [v["id"] for v in violations]

    # The partner's workspace on that customer is the rep's to work in.
    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    partner.goto(site.url(world.tenant, f"/shared/{opp.pk}/"))
    menu_link(rep, "Shared opportunities").click()
    rep.get_by_role("link", name="Initech").first.click()
    expect(rep.get_by_role("heading", level=1)).to_contain_text("Initech")
    rep.get_by_role("textbox", name="Comment").fill("I own Initech: their CFO wants a demo.")
    rep.get_by_role("button", name="Post comment").click()
    expect(rep.locator("#comment-list")).to_contain_text("their CFO wants a demo")
    # Runs nothing: no closing or inviting.
    expect(rep.get_by_role("button", name="Close the workspace")).to_have_count(0)
    expect(rep.get_by_role("button", name="Invite partner")).to_have_count(0)
    shot(rep, "commented")
    expect(partner.locator("#comment-list")).to_contain_text("their CFO wants a demo", timeout=LIVE)
    shot(partner, "partner-sees-it")

    # The account page on a phone fits the screen.
    phone = site.sign_in(world.tenant, world.sales_rep.user.email, viewport=PHONE)
    phone.goto(site.url(world.tenant, f"/accounts/{initech.pk}/partners/"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "who-knows-phone")
