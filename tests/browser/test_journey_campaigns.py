"""The campaign journey (issue #21): a partner's admin opens a published campaign kit, sees
its co-branded landing page preview and launches it; an anonymous visitor opens the landing
page through the tracked link and sends the lead form with consent; the partner's admin sees
the lead in its inbox and on the campaign's funnel. The campaign was funded by an MDF request:
the partner's admin opens the request's claim, finds it pre-filled with the campaign's
figures, submits it, and the channel manager sees the campaign evidence and every automatic
check passed. The landing page is checked with axe at 1280 and 375 px. Screenshots go to
docs/screenshots/journeys/campaigns-<n>-<step>.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from marketing.campaign_models import Campaign
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.browser.test_axe import violations
from tests.conftest import build_world
from tests.marketing.campaign_helpers import KIT, funded_request, kit

pytestmark = [pytest.mark.celery_worker]

PHONE = {"width": 375, "height": 800}


def test_journey_partner_launches_a_campaign_and_a_visitor_becomes_its_lead(site, celery_worker):
    world = build_world("campaigns")
    k = kit(world)
    shot = Shots("campaigns")

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Campaigns").click()
    partner.get_by_role("link", name="Campaign kits").click()
    partner.get_by_role("link", name=k.name).click()
    expect(partner.get_by_role("heading", name="Landing page preview")).to_be_visible()
    shot(partner, "kit-preview")
    partner.get_by_role("button", name="Launch this campaign").click()
    expect(
        partner.get_by_text("Campaign launched: share its landing page and social posts.")
    ).to_be_visible()
    shot(partner, "launched")
    with tenant_context(world.tenant):
        campaign = Campaign.objects.get()
    tracked = partner.get_by_label("Tracked link (counts clicks)").input_value()
    assert tracked.endswith(f"/t/{campaign.code}/page/")

    problems: list[str] = []
    for viewport in (None, PHONE):
        visitor = site.new_page(viewport=viewport)
        visitor.goto(site.url(world.tenant, f"/t/{campaign.code}/page/"))
        expect(
            visitor.get_by_role("heading", name=KIT["landing_headline"], level=1)
        ).to_be_visible()
        problems += violations(visitor, Axe())
        scroll = visitor.evaluate("document.documentElement.scrollWidth")
        assert scroll <= visitor.viewport_size["width"], visitor.url
    shot(visitor, "landing-phone")

    visitor = site.new_page()
    visitor.goto(site.url(world.tenant, f"/t/{campaign.code}/page/"))
    visitor.get_by_label("Your name").fill("Dana Buyer")
    visitor.get_by_label("Your e-mail").fill("dana@initech.example")
    visitor.get_by_label("Company").fill("Initech")
    visitor.get_by_label("Message").fill("We want the spring offer.")
    visitor.get_by_label(f"I agree that {world.partner.name} may contact me").check()
    shot(visitor, "landing-form")
    visitor.wait_for_timeout(3200)  # a person takes a few seconds; faster is a bot
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Request sent")).to_be_visible()
    problems += violations(visitor, Axe())
    shot(visitor, "sent")

    partner.goto(site.url(world.tenant, "/leads/inbox/"))
    expect(partner.get_by_role("main").get_by_text("Initech").first).to_be_visible()
    shot(partner, "lead-inbox")
    partner.goto(site.url(world.tenant, campaign.get_absolute_url()))
    expect(partner.locator("[data-figure=leads]")).to_have_text("1")
    expect(partner.locator("[data-figure=views]")).to_have_text("3")
    shot(partner, "funnel")

    # The campaign was paid for by an approved MDF request (its forms have journeys of their
    # own); its claim is pre-filled from the campaign and passes the checks from that data.
    with tenant_context(world.tenant):
        req = funded_request(world, campaign, title="Spring landing page")
    menu_link(partner, "Requests and claims").click()
    partner.get_by_role("link", name="File the claim").click()
    evidence = partner.locator("[data-evidence=campaign]")
    expect(evidence).to_contain_text(campaign.code)
    expect(evidence).to_contain_text(KIT["name"])
    expect(partner.get_by_role("spinbutton", name="Leads", exact=True)).to_have_value("1")
    expect(partner.get_by_role("spinbutton", name="Impressions")).to_have_value("3")
    problems += violations(partner, Axe())
    shot(partner, "claim-prefilled")
    partner.get_by_label("Actual total cost").fill("2000")
    partner.get_by_label("Amount claimed").fill("1000")
    partner.get_by_role("button", name="Submit claim").click()
    expect(partner.get_by_text("Claim submitted for review.")).to_be_visible()
    expect(partner.get_by_role("link", name=f"campaign-report-{campaign.code}.pdf")).to_be_visible()
    shot(partner, "claim-submitted")

    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    manager.goto(site.url(world.tenant, "/mdf/review/claims/"))
    manager.get_by_role("link", name=req.title).first.click()
    checks = manager.locator(
        "section.card", has=manager.get_by_role("heading", name="Automatic checks")
    )
    expect(checks).to_contain_text("Campaign figures")
    expect(checks).to_contain_text("3 views")
    expect(checks).to_contain_text("1 leads, 0 registrations")
    expect(checks).to_contain_text(f"from campaign {KIT['name']} ({campaign.code})")
    expect(checks.locator(".status.bad")).to_have_count(0)
    expect(checks.locator(".status.warn")).to_have_count(0)
    expect(manager.locator("[data-evidence=campaign]")).to_contain_text(campaign.code)
    problems += violations(manager, Axe())
    shot(manager, "claim-review")
    assert not problems, "\n".join(problems)
