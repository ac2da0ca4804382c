"""A confirmation for an irreversible action, in Chromium (prm/confirm.py, static/js/confirm.js):
Withdraw on a deal opens a dialog with the focus inside; Escape and Cancel leave the deal as it
was and give the focus back to the button; Confirm with a reason withdraws it. The open dialog
passes axe, and fits a phone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from dealreg import services as deal_services
from dealreg.models import Deal
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world

# What has the focus: a field's name, or a button's or link's text
FOCUSED = "() => document.activeElement.name || document.activeElement.textContent.trim()"


@pytest.fixture
def approved(transactional_db):
    world = build_world("confirm")
    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": "Umbrella Corp",
                "customer_domain_input": "umbrella.example",
                "amount": Decimal("5000"),
                "expected_close_date": timezone.now().date() + datetime.timedelta(days=20),
            },
            submit=True,
        )
        deal = deal_services.deal_approve(deal=deal, by=world.channel_manager)
    return world, deal


def _status(world, deal) -> str:
    with tenant_context(world.tenant):
        return Deal.objects.get(pk=deal.pk).status


def test_withdraw_asks_in_a_dialog_cancel_keeps_the_deal_and_confirm_withdraws(site, approved):
    world, deal = approved
    page = site.sign_in(world.tenant, world.partner_admin.user.email)
    page.goto(site.url(world.tenant, f"/deals/{deal.pk}/"))
    button = page.get_by_role("link", name="Withdraw registration")
    dialog = page.get_by_role("dialog")

    button.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Withdraw registration {deal.number} for Umbrella Corp?")
    expect(dialog).to_contain_text("The protection ends")
    assert page.evaluate(FOCUSED) == "reason"  # the focus moved into the dialog
    assert violations(page, Axe()) == []

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUSED) == "Withdraw registration"  # and came back

    button.click()
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert page.url.endswith(f"/deals/{deal.pk}/")
    assert _status(world, deal) == "approved"

    button.click()
    dialog.get_by_label("Why are you withdrawing it?").fill("The customer bought elsewhere.")
    dialog.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".messages")).to_contain_text("Withdrawn.")
    assert _status(world, deal) == "withdrawn"
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="deal.withdrawn", object_id=str(deal.pk))
    assert event.after["reason"] == "The customer bought elsewhere."


def test_withdraw_dialog_fits_a_phone(site, approved):
    world, deal = approved
    page = site.sign_in(world.tenant, world.partner_admin.user.email, viewport=PHONE)
    page.goto(site.url(world.tenant, f"/deals/{deal.pk}/"))
    page.get_by_role("link", name="Withdraw registration").click()
    box = page.get_by_role("dialog").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_without_javascript_withdraw_leads_to_the_confirmation_page(site, approved):
    world, deal = approved
    page = site.sign_in(world.tenant, world.partner_admin.user.email)
    page.context.route("**/confirm.js", lambda route: route.abort())
    page.goto(site.url(world.tenant, f"/deals/{deal.pk}/"))
    page.get_by_role("link", name="Withdraw registration").click()
    page.wait_for_url(f"**/deals/{deal.pk}/withdraw/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(deal.number)
    assert _status(world, deal) == "approved"
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".messages")).to_contain_text("Withdrawn.")
    assert _status(world, deal) == "withdrawn"
