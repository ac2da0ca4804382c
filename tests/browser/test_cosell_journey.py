"""Shared opportunities in Chromium (issue #19, item 6): a partner opens the workspace of its
deal from the deal page and invites a second partner; the vendor's channel manager comments
with a mention and the partner sees it arrive without reloading; a task given to the partner
arrives the same way and is ticked. The workspace fits a 375 px phone and axe finds nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from cosell.models import SharedOpportunity
from prm.tenancy import tenant_context
from tests.browser.test_axe import violations
from tests.conftest import build_world
from tests.factories import DealFactory

PHONE = {"width": 375, "height": 740}
LIVE = 15_000  # the page polls every 3 s


def test_journey_cosell_partner_and_vendor_work_one_deal_together(site, shots):
    world = build_world("cosell")
    deal = DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        created_by=world.partner_admin,
        customer_name="Globex Corporation",
        status="approved",
        amount=Decimal("48000"),
        expected_close_date=timezone.now().date() + datetime.timedelta(days=30),
    )
    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    partner.goto(site.url(world.tenant, f"/deals/{deal.pk}/"))
    partner.get_by_role("button", name="Start a shared opportunity").click()
    expect(partner.get_by_role("heading", level=1)).to_contain_text("Globex Corporation")
    with tenant_context(world.tenant):
        opp = SharedOpportunity.objects.get(deal=deal)
    workspace = site.url(world.tenant, f"/shared/{opp.pk}/")

    # The partner invites a systems integrator.
    partner.get_by_role("combobox", name="Partner").select_option(str(world.other_partner.pk))
    partner.get_by_role("combobox", name="Role").select_option("si")
    partner.get_by_role("button", name="Invite partner").click()
    people = partner.locator("#participant-list")
    expect(people).to_contain_text(world.other_partner.name)
    expect(people).to_contain_text("Systems integrator")
    shots(partner, "invited")

    # The vendor's channel manager mentions the partner admin.
    vendor = site.sign_in(world.tenant, world.channel_manager.user.email)
    vendor.goto(workspace)
    email = world.partner_admin.user.email
    vendor.get_by_role("textbox", name="Comment").fill(f"@{email} can you confirm the demo date?")
    vendor.get_by_role("button", name="Post comment").click()
    expect(vendor.locator("#comment-list")).to_contain_text("confirm the demo date")

    # ...and it arrives on the partner's open page without a reload.
    comments = partner.locator("#comment-list")
    expect(comments).to_contain_text("confirm the demo date", timeout=LIVE)
    expect(comments.locator(".mention")).to_have_text(f"@{email}")
    shots(partner, "mention-arrived")

    # A task for the partner admin, due tomorrow, arrives the same way and is ticked.
    vendor.get_by_role("textbox", name="Task").fill("Book the demo with Globex IT")
    vendor.get_by_role("combobox", name="Owner").select_option(str(world.partner_admin.pk))
    due = timezone.localdate() + datetime.timedelta(days=1)
    vendor.get_by_label("Due date").fill(due.isoformat())
    vendor.get_by_role("button", name="Add task").click()
    expect(vendor.locator("#task-list")).to_contain_text("Book the demo with Globex IT")
    tasks = partner.locator("#task-list")
    expect(tasks).to_contain_text("Book the demo with Globex IT", timeout=LIVE)
    task = tasks.locator("li", has_text="Book the demo with Globex IT")
    task.get_by_role("button", name=re.compile(r"^Mark done")).click()
    expect(partner.locator("#task-list .status.ok")).to_have_text("Done")
    expect(vendor.locator("#timeline-list")).to_contain_text("marked", timeout=LIVE)
    shots(partner, "task-done")

    problems = violations(partner, Axe())
    assert not problems, "\n".join(problems)

    phone = site.sign_in(world.tenant, world.partner_user.user.email, viewport=PHONE)
    phone.goto(workspace)
    expect(phone.locator("#comment-list")).to_contain_text("confirm the demo date")
    width, inner = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page scrolls sideways: {width} > {inner}"
    shots(phone, "phone")
