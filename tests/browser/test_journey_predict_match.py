"""The matching and learned-IPP journey (issue #22), driven through the portal: the admin
retrains the partner-to-lead matching model and sees its top-3 hit rate against the fixed
routing weights; a channel manager sees a routed lead's offer with the model's reasons; the
admin finds the learned IPP weights beside the ideal partner profile and applies them after
confirming. Screenshots go to docs/screenshots/journeys/predictmatch-<n>-<step>.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dealreg.services import leads
from partners.models import Specialty
from predict import ipp, services, synthetic
from predict.models import Task
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.browser.test_axe import violations
from tests.conftest import build_world

pytestmark = [pytest.mark.celery_worker]


def test_journey_matching_routes_leads_and_admin_applies_learned_ipp(site, celery_worker):
    world = build_world("matchjourney")
    with tenant_context(world.tenant):
        synthetic.build_leads(world.tenant, kind="signal")
        synthetic.build_applications(world.tenant, kind="signal")
        services.model_train(tenant=world.tenant, task=Task.IPP)
    shot = Shots("predictmatch")
    axe = Axe()

    admin = site.sign_in(world.tenant, world.admin.user.email)
    menu_link(admin, "Predictive models").click()
    admin.get_by_role("link", name="Partner-to-lead matching").click()
    admin.get_by_role("button", name="Retrain now").click()
    expect(admin.get_by_text("Training has started.", exact=False)).to_be_visible()
    verdict = admin.locator("#predict-verdict")
    for _ in range(60):
        if verdict.count():
            break
        admin.wait_for_timeout(1000)
        admin.reload()
    expect(verdict).to_contain_text("In use: the winner was among the model")
    assert violations(admin, axe) == []
    shot(admin, "measured")

    with tenant_context(world.tenant):
        cloud = Specialty.objects.get(name="Cloud")
        lead = leads.lead_create(
            by=world.channel_manager, company="Globex", region="emea", specialties=[cloud]
        )
        leads.lead_route(lead=lead, by=world.channel_manager)
    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    manager.goto(site.url(world.tenant, "/leads/"))
    expect(manager.get_by_text("Matching model:", exact=False).first).to_be_visible()
    assert violations(manager, axe) == []
    shot(manager, "routed-with-reasons")

    admin.goto(site.url(world.tenant, "/program/onboarding/"))
    panel = admin.locator("section.predict-ipp")
    expect(panel.get_by_role("heading", name="Weights learned from your partners")).to_be_visible()
    panel.scroll_into_view_if_needed()
    assert violations(admin, axe) == []
    shot(admin, "ipp-suggestion")
    panel.get_by_role("link", name="Apply the suggested weights", exact=True).click()
    admin.get_by_role("dialog").get_by_role("button", name="Apply", exact=True).click()
    expect(admin.get_by_text("The suggested weights now score new applications.")).to_be_visible()
    shot(admin, "ipp-applied")
    with tenant_context(world.tenant):
        applied = ipp.current_weights(world.tenant)
    assert applied != dict.fromkeys(ipp.IPP_KEYS, 20)
