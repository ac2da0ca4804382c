"""Payouts journey (issue #20): a deal is won and the worker computes the commission; the
partner admin sees the earning and enters the payee details (bank account and tax form);
finance approves them; the channel manager approves the earning, prepares a payout batch and
gives the first approval; the admin marks it paid after confirming with the bank's reference
and writes the month's statements (on the worker); the partner admin downloads the statement
and the remittance advice from the earnings page, at 1280 px and at 375 px. Axe checks the
new pages. Screenshots go to docs/screenshots/journeys/payouts-<n>-<step>.png."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from incentives.models import Earning
from incentives.models_payouts import Statement
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, download, menu_link
from tests.browser.test_axe import violations
from tests.conftest import build_world, wait_for
from tests.factories import DealFactory
from tests.incentives.payouts_support import PDF
from tests.incentives.test_incentives_support import program

pytestmark = [pytest.mark.celery_worker]

PHONE = {"width": 375, "height": 800}


def test_journey_payouts_deal_won_earning_paid_statement_downloaded(site, celery_worker, tmp_path):
    world = build_world("payout")
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, name="Partner commission", clawback_days=0)
        deal = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status="approved",
            amount=Decimal("20000"),
            currency="USD",
            customer_name="Initrode",
            customer_name_tokens=["initrode"],
        )
    shot = Shots("payouts")
    axe = Axe()
    problems: list[str] = []

    # The deal is won.
    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    manager.goto(site.url(world.tenant, f"/deals/{deal.pk}/"))
    manager.get_by_label("Outcome").select_option("won")
    manager.get_by_label("Final amount").fill("20000")
    manager.get_by_role("button", name="Close deal").click()
    expect(manager.locator("#deal-status")).to_contain_text("Won")

    def computed():
        with tenant_context(world.tenant):
            return Earning.objects.filter(deal=deal).first()

    line = wait_for(computed)

    # The partner admin sees the earning and enters the payee details.
    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Earnings").click()
    expect(partner.get_by_role("link", name=line.number)).to_be_visible()
    partner.get_by_role("link", name="Edit payee details").click()
    partner.get_by_label("Account holder").fill("Payout Partner A Inc.")
    partner.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    partner.get_by_label("Address").fill("200 Harbor Way\nSeattle, WA 98101")
    partner.get_by_label("Payout currency").select_option("USD")
    form = tmp_path / "w-8ben-e.pdf"
    form.write_bytes(PDF)
    partner.get_by_label("Tax form").set_input_files(str(form))
    problems += violations(partner, axe)
    partner.get_by_role("button", name="Save and send for review").click()
    expect(partner.get_by_text("Payee details saved.")).to_be_visible()
    shot(partner, "payee")

    # Finance (the admin) approves them.
    admin = site.sign_in(world.tenant, world.admin.user.email)
    admin.goto(site.url(world.tenant, "/incentives/payees/"))
    problems += violations(admin, axe)
    admin.get_by_role("button", name="Approve").first.click()
    expect(admin.get_by_text("approved.").first).to_be_visible()

    # The manager approves the earning, prepares a batch and approves it.
    manager.goto(site.url(world.tenant, "/"))
    menu_link(manager, "Incentives").click()
    manager.get_by_label(f"Select {line.number}").check()
    manager.get_by_role("button", name="Approve selected").click()
    expect(manager.get_by_text("1 line approved.")).to_be_visible()
    menu_link(manager, "Payouts").click()
    manager.get_by_label("Currency").select_option("USD")
    manager.get_by_role("button", name="Prepare batch").click()
    expect(manager.locator(".payout-lines")).to_contain_text("$2,000.00")
    expect(manager.locator(".payout-lines")).to_contain_text("3000")
    expect(manager.locator(".payout-lines")).not_to_contain_text("DE89370400440532013000")
    problems += violations(manager, axe)
    shot(manager, "batch")
    manager.get_by_role("button", name="Approve").click()
    expect(manager.get_by_text("Batch approved")).to_be_visible()
    batch_url = manager.url

    # The admin marks it paid, confirming with the bank's reference, and writes statements.
    admin.goto(batch_url)
    admin.get_by_role("link", name="Mark paid", exact=True).click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Payment reference").fill("BANK-2026-11")
    dialog.get_by_role("button", name="Mark batch paid").click()
    expect(admin.get_by_text("Batch marked paid.")).to_be_visible()
    shot(admin, "paid")
    admin.goto(site.url(world.tenant, "/incentives/statements/"))
    admin.get_by_label("Month").fill(datetime.date.today().strftime("%Y-%m"))
    admin.get_by_role("button", name="Write statements now").click()
    expect(admin.get_by_text("are being written")).to_be_visible()

    def written():
        with tenant_context(world.tenant):
            return Statement.objects.filter(partner=world.partner).first()

    statement = wait_for(written)
    assert statement.paid == Decimal("2000.00")

    # The partner admin downloads the statement and the remittance advice.
    partner.goto(site.url(world.tenant, "/earnings/"))
    section = partner.locator("#statements")
    expect(section).to_contain_text("$2,000.00")
    problems += violations(partner, axe)
    shot(partner, "statements")
    pdf = download(partner, lambda: section.get_by_role("link", name="PDF").first.click())
    assert pdf.startswith(b"%PDF")
    remittance = download(
        partner, lambda: section.get_by_role("link", name="Remittance advice").first.click()
    )
    assert remittance.startswith(b"%PDF")

    phone = site.sign_in(world.tenant, world.partner_admin.user.email, viewport=PHONE)
    phone.goto(site.url(world.tenant, "/earnings/"))
    expect(phone.locator("#statements")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width
    shot(phone, "phone")
    assert not problems, problems
