"""Polish of issue #11: grouped main menu, live job status on pages, audited tier evaluation."""

from __future__ import annotations

import datetime

import pytest

from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import BusinessReviewFactory, TenantExportFactory
from tests.html_helpers import find_all


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_admin_menu_groups_pages_by_the_job(world):
    page = html(portal_client(world.tenant, world.admin).get("/"))
    summaries = find_all(page, "summary")
    assert [s.text() for s in summaries if "navgroup" in s.parent.attrs.get("class", "")] == [
        "Partners",
        "Deals",
        "Marketing funds",
        "Training",
        "Analytics",
        "Workspace",
    ]
    assert find_all(page, "a", href="/program/tiers/") and find_all(page, "a", href="/members/")


def test_a_group_with_one_entry_is_a_plain_link(world):
    page = html(portal_client(world.tenant, world.partner_user).get("/"))
    # Partner users see only "My learning" of the training group: a link named "Training".
    links = find_all(page, "a", href="/learning/")
    assert any(a.parent.tag == "li" and a.text() == "Training" for a in links)


def test_current_page_in_a_group_marks_the_group(world):
    page = html(portal_client(world.tenant, world.admin).get("/members/"))
    assert find_all(page, "details", class_="navgroup current")
    assert find_all(page, "a", href="/members/", aria_current="page")


@pytest.mark.parametrize(("status", "live"), [("queued", True), ("ready", False)])
def test_business_review_being_prepared_shows_progress_and_polls(world, status, live):
    with tenant_context(world.tenant):
        BusinessReviewFactory(
            tenant=world.tenant,
            partner=world.partner,
            period_start=datetime.date(2025, 1, 1),
            status=status,
        )
    page = html(portal_client(world.tenant, world.admin).get("/analytics/reviews/"))
    assert find_all(page, id="review-status", data_live_status=True, aria_live="polite")
    assert "js/live-status.js" in page
    assert bool(find_all(page, data_pending=True)) is live
    assert bool(find_all(page, "progress")) is live


@pytest.mark.parametrize(("status", "live"), [("running", True), ("failed", False)])
def test_tenant_export_under_way_is_polled(world, status, live):
    with tenant_context(world.tenant):
        TenantExportFactory(
            tenant=world.tenant, requested_by=world.admin, status=status, tables_total=10
        )
    page = html(portal_client(world.tenant, world.admin).get("/tenant-data/"))
    assert find_all(page, id="export-status", data_live_status=True)
    assert bool(find_all(page, data_pending=True)) is live
    assert find_all(page, "progress", max="10", value="0")


def test_evaluate_all_partners_now_is_audited_once_with_the_actor(world):
    client = portal_client(world.tenant, world.admin)
    response = client.post("/program/tiers/evaluate/")
    assert response.status_code == 302
    with tenant_context(world.tenant):
        events = list(AuditEvent.objects.filter(action="tiers.evaluation_requested"))
    assert len(events) == 1
    assert events[0].actor_id == world.admin.user_id


def test_evaluate_all_partners_now_is_refused_to_a_channel_manager(world):
    response = portal_client(world.tenant, world.channel_manager).post("/program/tiers/evaluate/")
    assert response.status_code == 403
    with tenant_context(world.tenant):
        assert not AuditEvent.objects.filter(action="tiers.evaluation_requested").exists()
