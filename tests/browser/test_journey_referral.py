"""The partner-to-partner referral journey (issue #23): a partner's admin invites a company
from the Referrals page; the invitation e-mail carries the referral link; the company's
contact, not signed in, applies through it; the application records the referrer; the
channel manager approves it; the referrer sees the status move from Invited to Applied to
Approved, and nothing else about the application. Screenshots go to
docs/screenshots/journeys/referral-<n>-<step>.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from locator.models import Referral
from onboarding.models import Application
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, fill_application, menu_link
from tests.conftest import build_world

pytestmark = [pytest.mark.celery_worker]


def _status_of(page, company: str) -> str:
    row = page.get_by_role("row").filter(has_text=company)
    return row.get_by_role("cell").nth(2).inner_text().strip()


def test_journey_referral_invited_company_applies_and_the_referrer_follows_it(site, mailoutbox):
    world = build_world("referral")
    shot = Shots("referral")

    referrer = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(referrer, "Referrals").click()
    referrer.get_by_label("Company").fill("Cobalt Systems")
    referrer.get_by_label("Contact e-mail").fill("carla@cobalt-systems.example")
    referrer.get_by_label("Note for the invitation").fill("We work with them on migrations.")
    shot(referrer, "invite")
    referrer.get_by_role("button", name="Send invitation").click()
    expect(referrer.get_by_text("Invitation sent.")).to_be_visible()
    assert _status_of(referrer, "Cobalt Systems") == "Invited"

    # The invitation e-mail carries the referral link to the public application form.
    link = re.compile(r"https?://\S+/apply/\?ref=[\w-]+")
    invitation = next(
        m for m in mailoutbox if "carla@cobalt-systems.example" in m.to and link.search(m.body)
    )
    assert world.partner.name in invitation.body
    url = link.search(invitation.body).group(0)
    path = url[url.index("/apply/") :]

    applicant = site.new_page()
    applicant.goto(site.url(world.tenant, path))
    fill_application(
        applicant,
        company="Cobalt Systems",
        website="https://cobalt-systems.example",
        contact="Carla Cobalt",
        email="carla@cobalt-systems.example",
    )
    shot(applicant, "application")
    applicant.get_by_role("button", name="Send application", exact=True).click()
    expect(applicant).to_have_url(re.compile(r"/apply/thanks/$"))

    with tenant_context(world.tenant):
        application = Application.objects.get(company_name="Cobalt Systems")
        assert application.referral_code
        referral = Referral.objects.get(application=application)
        assert referral.referrer_id == world.partner.pk and referral.applied_at is not None

    referrer.reload()
    assert _status_of(referrer, "Cobalt Systems") == "Applied"
    shot(referrer, "applied")

    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    menu_link(manager, "Applications").click()
    manager.get_by_role("link", name="Cobalt Systems").click()
    referred = manager.get_by_role("region", name="Referred by a partner")
    expect(referred.get_by_role("link", name=f"Open {world.partner.name}")).to_be_visible()
    shot(manager, "review")
    manager.get_by_role("link", name="Approve and invite the contact").click()
    manager.get_by_role("dialog").get_by_role("button", name="Approve and invite").click()
    expect(manager.get_by_text("Approved. The partner is onboarding")).to_be_visible()

    referrer.reload()
    assert _status_of(referrer, "Cobalt Systems") == "Approved"
    # The referrer learns the status, not the application's contents.
    assert "+49 30 1234567" not in referrer.content()
    shot(referrer, "approved")
