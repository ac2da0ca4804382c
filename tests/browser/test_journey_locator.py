"""The partner locator journey (issue #23): a partner's admin writes and publishes its public
profile; an anonymous visitor finds it in the locator and sends the contact form; the
partner's admin sees the request as a lead in its inbox. The public pages are checked with
axe at 1280 and 375 px. Screenshots go to docs/screenshots/journeys/locator-<n>-<step>.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import Shots, menu_link
from tests.browser.test_axe import violations
from tests.conftest import build_world
from tests.factories import SpecialtyFactory

pytestmark = [pytest.mark.celery_worker]

PHONE = {"width": 375, "height": 800}


def test_journey_locator_profile_published_found_and_contacted(site, celery_worker):
    world = build_world("locator")
    SpecialtyFactory(tenant=world.tenant, name="Cloud migration")
    shot = Shots("locator")

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Public profile").click()
    partner.get_by_label("Headline").fill("Cloud migrations for the mid-market")
    partner.get_by_label("Description").fill("<p>We move your workloads in weeks.</p>")
    partner.get_by_label("Services").fill("Implementation\nManaged services")
    partner.get_by_label("Cloud migration").check()
    partner.get_by_label("Europe, Middle East and Africa").check()
    partner.get_by_label("German").check()
    shot(partner, "profile-form")
    partner.get_by_role("button", name="Save profile").click()
    expect(partner.get_by_text("Public profile saved.")).to_be_visible()
    partner.get_by_role("button", name="Publish", exact=True).click()
    expect(
        partner.get_by_text("Your profile is now public in the partner locator.")
    ).to_be_visible()
    shot(partner, "published")

    problems: list[str] = []
    for viewport in (None, PHONE):
        visitor = site.new_page(viewport=viewport)
        visitor.goto(site.url(world.tenant, "/find/"))
        visitor.get_by_label("What do you need?").fill("cloud")
        visitor.get_by_label("Region").select_option(label="Europe, Middle East and Africa")
        visitor.get_by_role("button", name="Find partners").click()
        problems += violations(visitor, Axe())
        visitor.get_by_role("link", name=world.partner.name).click()
        expect(visitor.get_by_role("heading", name=world.partner.name, level=1)).to_be_visible()
        problems += violations(visitor, Axe())
        scroll = visitor.evaluate("document.documentElement.scrollWidth")
        assert scroll <= visitor.viewport_size["width"], visitor.url
    shot(visitor, "profile-phone")

    visitor = site.new_page()
    visitor.goto(site.url(world.tenant, "/find/?q=cloud"))
    shot(visitor, "search")
    visitor.get_by_role("link", name=world.partner.name).click()
    visitor.get_by_label("Your name").fill("Dana Buyer")
    visitor.get_by_label("Your e-mail").fill("dana@initech.example")
    visitor.get_by_label("Company").fill("Initech")
    visitor.get_by_label("How can this partner help?").fill("We want to move to the cloud.")
    shot(visitor, "contact-form")
    visitor.wait_for_timeout(3200)  # a person takes a few seconds; faster is a bot
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Request sent")).to_be_visible()
    problems += violations(visitor, Axe())
    shot(visitor, "sent")

    partner.goto(site.url(world.tenant, "/leads/inbox/"))
    expect(partner.get_by_role("main").get_by_text("Initech").first).to_be_visible()
    shot(partner, "lead-inbox")
    assert not problems, "\n".join(problems)
