"""The churn model journey (issue #22), driven through the portal: the admin opens the churn
model page from the menu, retrains, and sees the hold-out figures against the rule; a
channel manager opens a partner's performance page and sees its churn risk with the factors
behind it, and the at-risk list that the model now drives. Screenshots go to
docs/screenshots/journeys/predict-<n>-<step>.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from predict.models import PredictionScore
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.browser.test_axe import violations
from tests.conftest import build_world
from tests.predict import worlds

pytestmark = [pytest.mark.celery_worker]


def test_journey_admin_retrains_churn_model_manager_sees_reasons(site, celery_worker):
    world = build_world("predictjourney")
    worlds.build(world.tenant, kind="signal", partners=120)
    shot = Shots("predict")
    axe = Axe()

    admin = site.sign_in(world.tenant, world.admin.user.email)
    menu_link(admin, "Predictive models").click()
    admin.get_by_role("link", name="Churn risk").click()
    expect(admin.get_by_text("Not trained yet.", exact=False)).to_be_visible()
    shot(admin, "untrained")
    admin.get_by_role("button", name="Retrain now").click()
    expect(admin.get_by_text("Training has started.", exact=False)).to_be_visible()
    verdict = admin.locator("#predict-verdict")
    for _ in range(60):
        if verdict.count():
            break
        admin.wait_for_timeout(1000)
        admin.reload()
    expect(verdict).to_contain_text("In use: model AUC")
    expect(admin.locator("#predict-metrics")).to_be_visible()
    assert violations(admin, axe) == []
    shot(admin, "measured")

    with tenant_context(world.tenant):
        riskiest = PredictionScore.objects.select_related("partner").order_by("-probability")[0]
    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    manager.goto(site.url(world.tenant, f"/analytics/partners/{riskiest.partner_id}/"))
    panel = manager.locator("section.predict-churn")
    expect(panel.get_by_role("heading", name="Churn risk")).to_be_visible()
    expect(panel.get_by_text("raises the risk").first).to_be_visible()
    assert violations(manager, axe) == []
    panel.scroll_into_view_if_needed()
    shot(manager, "partner-risk-factors")

    manager.goto(site.url(world.tenant, "/analytics/manager/?scope=all"))
    expect(manager.get_by_text("Churn model:", exact=False).first).to_be_visible()
    shot(manager, "at-risk-list")
