"""The portal as each role first meets it, on the demo tenant (`seed_demo`), with screenshots in
docs/screenshots/journeys/portal-*.png: the home page of each role, global search from the
keyboard, an irreversible action's confirmation, a notification that leads to its object, and a
phone with the collapsed menu."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dealreg.models import Deal, DealStatus
from demo.management.commands.seed_demo import PASSWORD
from prm.models import Tenant
from prm.tenancy import tenant_context

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def demo(site):
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        deal = (
            Deal.objects.filter(partner__name="Northwind Resellers", status=DealStatus.APPROVED)
            .order_by("-pk")
            .first()
        )
    assert deal is not None
    return tenant, deal


def test_journey_portal_each_role_home_search_confirm_notification_and_phone(site, demo, shots):
    tenant, deal = demo
    # The channel manager and the admin start on pages that say what needs them now.
    manager = site.sign_in(tenant, "manager@acme.example", PASSWORD)
    expect(manager.get_by_role("heading", name=re.compile("^Review queue"))).to_be_visible()
    shots(manager, "home-channel-manager")
    admin = site.sign_in(tenant, "admin@acme.example", PASSWORD)
    expect(admin.get_by_role("link", name="Register a deal")).to_have_count(0)
    shots(admin, "home-admin")

    # The partner: a Register-a-deal button, then search by keyboard for one of its deals.
    ada = site.sign_in(tenant, "ada@northwind.example", PASSWORD)
    expect(ada.get_by_role("link", name="Register a deal").first).to_be_visible()
    shots(ada, "home-partner")
    ada.locator("main").focus()
    ada.keyboard.press("/")
    expect(ada.get_by_role("searchbox", name="Search the portal")).to_be_focused()
    ada.keyboard.type(deal.number)
    with ada.expect_navigation():
        ada.keyboard.press("Enter")
    hits = ada.get_by_role("region", name="Deal registrations")
    expect(hits.get_by_role("link").first).to_contain_text(deal.number)
    shots(ada, "search-results")
    hits.get_by_role("link").first.click()
    ada.wait_for_url(f"**/deals/{deal.pk}/")

    # Withdrawing an approved registration cannot be undone: it asks first, with a reason.
    ada.get_by_role("link", name="Withdraw registration").click()
    dialog = ada.get_by_role("dialog")
    expect(dialog).to_contain_text(deal.number)
    shots(ada, "confirm-withdraw")
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    with tenant_context(tenant):
        assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED

    # A notification names its object and opens it.
    bell = ada.locator("header details.bell")
    bell.locator("summary").click()
    item = bell.locator("a[href*='/notifications/']").first
    expect(item).to_be_visible()
    shots(ada, "notifications-bell")
    item.click()
    ada.wait_for_load_state("load")
    assert "/notifications/" not in ada.url
    expect(ada.get_by_role("heading", level=1)).to_be_visible()
    shots(ada, "notification-opened")

    # On a phone the menu folds behind one button.
    ben = site.sign_in(tenant, "ben@northwind.example", PASSWORD, viewport=PHONE)
    menu = ben.get_by_role("navigation", name="Main")
    toggle = menu.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert menu.bounding_box()["height"] < 60
    shots(ben, "phone-menu-closed")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    shots(ben, "phone-menu-open")
    menu.get_by_role("link", name="My tier", exact=True).click()
    ben.wait_for_url("**/tier/")
    assert ben.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(ben, "phone-my-tier")
