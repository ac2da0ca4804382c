"""The main journeys, driven through the portal as people use it (Playwright + Chromium).

Only the preconditions a journey does not cover itself are set up with factories and
services; everything the journey is about happens by clicking, typing and pressing keys.
Each journey saves screenshots of its key steps to docs/screenshots/journeys/.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dealreg import services as deal_services
from dealreg.models import Deal
from partners import services as partner_services
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, download, menu_link
from tests.conftest import build_world

pytestmark = [pytest.mark.celery_worker]


def nav(page, name: str):
    menu_link(page, name).click()


# --- 2. Deal registration: conflict rejected by the manager, clean deal auto-approved ------


def _register_with_keyboard(page, *, customer: str, domain: str, amount: str, close: datetime.date):
    """Fills the deal form with the keyboard only: Tab between fields, Enter to submit."""
    kb = page.keyboard
    page.get_by_label("Customer company").focus()
    kb.type(customer)
    kb.press("Tab")
    kb.type(domain)
    for _ in range(2):
        kb.press("Tab")  # country, then region
    while page.evaluate("document.activeElement.name") != "amount":
        kb.press("Tab")
    kb.type(amount)
    kb.press("Tab")  # currency keeps the tenant's default
    kb.press("Tab")
    assert page.evaluate("document.activeElement.name") == "expected_close_date"
    kb.type(close.strftime("%m%d%Y"))
    while page.evaluate("document.activeElement.textContent.trim()") != "Submit for approval":
        kb.press("Tab")
    kb.press("Enter")


def registered_deal(world, member, customer: str, domain: str) -> Deal:
    """A submitted deal whose rules have run (a precondition, not a journey step)."""
    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=member,
            data={
                "customer_name": customer,
                "customer_domain_input": domain,
                "amount": 20000,
                "expected_close_date": timezone.now().date() + datetime.timedelta(days=30),
            },
            submit=True,
        )
        deal_services.deal_evaluate(deal_id=deal.pk)
        deal.refresh_from_db()
        return deal


def test_journey_deals_conflict_rejected_and_clean_deal_approved_live(site, celery_worker):
    world = build_world("deals")
    close = timezone.now().date() + datetime.timedelta(days=30)
    first = registered_deal(world, world.other_partner_user, "Globex Corporation", "globex.com")
    assert first.status == "approved"
    shot = Shots("deals")

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    nav(partner, "Deal registrations")
    partner.get_by_role("link", name="Register a deal").first.click()
    _register_with_keyboard(
        partner,
        customer="GLOBEX Corp.",
        domain="buyer@sales.globex.com",
        amount="15000",
        close=close,
    )
    expect(partner.locator("#deal-status")).to_contain_text("Under review", timeout=20_000)
    shot(partner, "conflict-under-review")

    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    nav(manager, "Review queue")
    manager.get_by_role("row").filter(has_text="GLOBEX Corp.").get_by_role("link").first.click()
    side = manager.get_by_role("table").filter(has_text="Customer").last
    expect(side).to_contain_text("GLOBEX Corp.")
    expect(side).to_contain_text("Globex Corporation")
    expect(side).to_contain_text("Submitted first")
    side.scroll_into_view_if_needed()
    shot(manager, "side-by-side")
    # Rejecting cannot be undone: the button opens a confirmation that asks for the reason.
    manager.get_by_role("link", name="Reject", exact=True).click()
    dialog = manager.get_by_role("dialog")
    dialog.get_by_label("Reason for the partner").fill(
        "Globex is already registered and protected for another partner."
    )
    dialog.get_by_role("button", name="Reject").click()
    # Opened from the review queue: the decision goes on to the next registration, here back
    # to the queue, which is empty now.
    expect(manager.locator(".messages")).to_contain_text("rejected.")
    expect(manager.get_by_text("No more registrations wait in the review queue.")).to_be_visible()
    expect(manager.get_by_role("heading", name="Review queue", level=1)).to_be_visible()

    partner.reload()
    expect(partner.locator("#deal-status")).to_contain_text("already registered")
    shot(partner, "rejected-with-reason")

    nav(partner, "Deal registrations")
    partner.get_by_role("link", name="Register a deal").first.click()
    _register_with_keyboard(
        partner, customer="Initech", domain="initech.example", amount="12000", close=close
    )
    status = partner.locator("#deal-status")
    expect(status).to_have_attribute("aria-live", "polite")
    # No reload by hand: the page polls and shows the worker's decision by itself.
    expect(status).to_contain_text("Approved", timeout=20_000)
    expect(status).to_contain_text("Protected until")
    shot(partner, "approved-live")
    with tenant_context(world.tenant):
        assert Deal.objects.get(customer_name="Initech").status == "approved"


# --- 6. Dashboards render their charts; a partner downloads its business-review PDF --------


def test_journey_dashboards_charts_for_every_role_and_review_pdf(site, celery_worker):
    world = build_world("dash")
    with tenant_context(world.tenant):  # the manager looks after both partners
        for company in (world.partner, world.other_partner):
            partner_services.partner_update(
                partner=company, by=world.admin, owner=world.channel_manager
            )
    registered_deal(world, world.partner_admin, "Globex Corporation", "globex.com")
    waiting = registered_deal(world, world.other_partner_user, "Globex Corp.", "globex.com")
    assert waiting.status == "under_review"  # the manager's queue chart has a bar
    shot = Shots("dashboards")
    dashboards = [
        ("admin", "Program analytics", "program"),
        ("channel_manager", "Partner health", "manager"),
        ("partner_admin", "Performance", "partner"),
    ]
    pages = {}
    for role, menu, step in dashboards:
        page = site.sign_in(world.tenant, world.member(role).user.email)
        nav(page, menu)
        # Each chart is drawn wide and narrow; the card's width shows one of them.
        charts = page.locator("main .chart-card svg").filter(visible=True)
        expect(charts.first).to_be_visible()
        assert charts.count() >= 1
        shot(page, step)
        pages[role] = page

    partner = pages["partner_admin"]
    nav(partner, "Business reviews")
    partner.get_by_role("button", name="Prepare the PDF").click()
    expect(partner.get_by_role("status")).to_contain_text("being prepared")
    pdf_link = partner.get_by_role("link", name=re.compile(r"^PDF "))
    # The PDF is rendered by the Celery worker; a person refreshes the list until it is there.
    for _attempt in range(40):
        if pdf_link.count():
            break
        partner.wait_for_timeout(500)
        partner.reload()
    shot(partner, "review-ready")
    body = download(partner, pdf_link.first.click)
    assert body.startswith(b"%PDF-")
