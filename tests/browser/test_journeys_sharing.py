"""Co-selling journey (issue #19, items 3 and 4): the vendor admin shares the overlapping
customers with one partner, with two fields; the partner admin sees them (counts, the shared
accounts and fields, nothing else) and registers a deal from an overlap, prefilled, with the
availability pre-check shown. The accounts and overlaps are set up with factories (the import
is another journey); everything the journey is about is done by clicking.
Screenshots: docs/screenshots/journeys/sharing-<n>-<step>.png."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dealreg.models import Deal
from prm.tenancy import tenant_context
from tests.accountmap import sharing_world as sw
from tests.browser.conftest import Shots, menu_link
from tests.browser.test_axe import violations
from tests.conftest import build_world

PHONE = {"width": 375, "height": 740}


def test_journey_sharing_vendor_shares_partner_registers_a_deal_from_an_overlap(site):
    world = build_world("cosell")
    sw.build(world)
    shot = Shots("sharing")
    axe = Axe()
    problems = []

    # The vendor admin opens the matrix and overrides it for the partner.
    admin = site.sign_in(world.tenant, world.admin.user.email)
    menu_link(admin, "Account sharing").click()
    expect(admin.get_by_role("heading", name="Account sharing", level=1)).to_be_visible()
    problems += violations(admin, axe)
    admin.get_by_role("link", name=world.partner.name, exact=True).click()
    admin.get_by_label("Level for Customer").select_option("overlaps")
    fields = admin.get_by_role("group", name="Fields shown for Customer")
    fields.get_by_label("Industry").check()
    fields.get_by_label("Owner rep").check()
    shot(admin, "vendor-shares-customers")
    admin.get_by_role("button", name="Save overrides").click()
    expect(admin.get_by_text("Sharing saved (1 changed).")).to_be_visible()
    problems += violations(admin, axe)

    # The partner admin sees the shared overlap and what is shared with them.
    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Account overlaps").click()
    row = partner.get_by_role("row").filter(has_text=sw.V_NAME)
    expect(row).to_contain_text(sw.V_INDUSTRY)
    expect(row).to_contain_text(sw.V_OWNER)
    body = partner.locator("main").inner_text()
    assert sw.VP_NAME not in body and str(sw.V_EMPLOYEES) not in body
    assert sw.VG_NAME not in body
    shot(partner, "partner-sees-overlaps")
    problems += violations(partner, axe)

    # ... and registers a deal from it: prefilled, the pre-check already run.
    row.get_by_role("link", name="Register a deal").click()
    expect(partner.get_by_label("Customer company")).to_have_value(sw.P_NAME)
    expect(partner.get_by_role("status")).to_contain_text("Likely available")
    shot(partner, "deal-prefilled-prechecked")
    partner.get_by_role("button", name="Save draft", exact=True).click()
    partner.wait_for_url("**/deals/*/")
    with tenant_context(world.tenant):
        deal = Deal.objects.get(partner=world.partner)
    assert deal.customer_name == sw.P_NAME
    shot(partner, "deal-saved")

    # The overlap page fits a phone.
    phone = site.sign_in(world.tenant, world.partner_user.user.email, viewport=PHONE)
    phone.goto(site.url(world.tenant, "/accounts/overlaps/"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width}px"
    shot(phone, "phone-overlaps")
    assert not problems, "\n".join(problems)
