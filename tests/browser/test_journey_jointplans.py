"""The joint business plan journey (issue #19, item 7), driven through the portal: a channel
manager drafts a plan with two goals and an initiative and proposes it; the partner's admin
signs; the manager signs; both home pages show the plan's progress. Screenshots go to
docs/screenshots/journeys/jointplan-<n>-<step>.png."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from analytics.services.periods import quarter_start
from jointplans.models import JointPlan, PlanStatus
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.conftest import build_world
from tests.factories import PartnerMetricsFactory

pytestmark = [pytest.mark.celery_worker]


def button(page, name: str):
    page.get_by_role("button", name=name, exact=True).click()


def test_journey_jointplan_drafted_proposed_signed_by_both_with_progress(site, celery_worker):
    world = build_world("plans")
    with tenant_context(world.tenant):
        world.partner.owner = world.channel_manager
        world.partner.save(update_fields=["owner"])
        PartnerMetricsFactory(
            tenant=world.tenant, partner=world.partner, certified_people=2, health_score=64
        )
    start = quarter_start(timezone.localdate())
    shot = Shots("jointplan")

    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    menu_link(manager, "Joint business plans").click()
    manager.get_by_role("link", name="Draft a plan").click()
    manager.get_by_label("Partner").select_option(label=world.partner.name)
    manager.get_by_label("Title").fill("Growth plan")
    manager.get_by_label("Period").select_option(label="Quarter")
    manager.get_by_label("Start").fill(start.isoformat())
    shot(manager, "draft-form")
    button(manager, "Save")
    expect(manager.get_by_text("Plan drafted.")).to_be_visible()

    # Two goals on the portal's own figures, and an initiative owned by the partner's admin.
    manager.get_by_label("Figure").select_option(label="Certified people")
    manager.get_by_label("Target").fill("4")
    button(manager, "Add the goal")
    expect(manager.get_by_text("Goal added.")).to_be_visible()
    manager.get_by_text("Add a goal").click()
    manager.get_by_label("Figure").select_option(label="Sourced pipeline")
    manager.get_by_label("Target").fill("50000")
    manager.get_by_label("Currency").select_option("USD")
    button(manager, "Add the goal")
    expect(manager.get_by_role("cell", name="Sourced pipeline", exact=True)).to_be_visible()
    manager.get_by_text("Add an initiative").click()
    manager.get_by_role("textbox", name="Initiative").fill("Joint webinar for mid-market IT leads")
    owner = world.partner_admin
    manager.get_by_label("Owner").select_option(
        label=f"{owner.user.full_name} ({world.partner.name})"
    )
    manager.get_by_label("Due date").fill(start.replace(day=28).isoformat())
    button(manager, "Add the initiative")
    expect(manager.get_by_text("Initiative added.")).to_be_visible()
    shot(manager, "plan-with-goals")
    button(manager, "Propose to the partner")
    expect(manager.get_by_text("Plan proposed; the partner is told.")).to_be_visible()

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Joint business plans").click()
    partner.get_by_role("link", name="Growth plan").click()
    shot(partner, "partner-reviews")
    button(partner, "Sign for the partner")
    expect(partner.get_by_text("Signed.")).to_be_visible()

    manager.reload()
    button(manager, "Sign for the vendor")
    expect(manager.get_by_text("Signed.")).to_be_visible()
    with tenant_context(world.tenant):
        plan = JointPlan.objects.get(title="Growth plan")
    assert (plan.status, plan.signatures) == (PlanStatus.ACTIVE, 2)
    shot(manager, "signed-by-both")

    for page, who in ((manager, "manager"), (partner, "partner")):
        page.goto(site.url(world.tenant, "/"))
        card = page.locator("#home-jointplans")
        expect(card.get_by_role("link", name="Growth plan")).to_be_visible()
        expect(card.locator("li[data-metric='certified_people']")).to_contain_text("2 / 4")
        expect(card.locator("li[data-metric='certified_people'] progress")).to_have_attribute(
            "value", "50"
        )
        shot(page, f"home-{who}")
