"""Polish of issue #11: grouped main menu, live job status on pages, audited tier evaluation."""

from __future__ import annotations

import datetime

import pytest

from analytics.models import BusinessReview
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tenantdata.models import TenantExport
from tests.conftest import portal_client


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_admin_menu_groups_program_and_settings_pages(world):
    page = html(portal_client(world.tenant, world.admin).get("/"))
    assert page.count('<details class="navgroup') == 2
    assert '<a href="/program/tiers/">' in page and '<a href="/members/">' in page


def test_a_group_with_one_entry_is_a_plain_link(world):
    page = html(portal_client(world.tenant, world.partner_user).get("/"))
    # Partner users see only "Business reviews" from the program group.
    assert '<li><a href="/analytics/reviews/">' in page


def test_current_page_in_a_group_marks_the_group(world):
    page = html(portal_client(world.tenant, world.admin).get("/members/"))
    assert '<details class="navgroup current">' in page
    assert '<a href="/members/" aria-current="page">' in page


@pytest.mark.parametrize(("status", "live"), [("queued", True), ("ready", False)])
def test_business_review_being_prepared_shows_progress_and_polls(world, status, live):
    with tenant_context(world.tenant):
        BusinessReview.objects.create(
            tenant=world.tenant,
            partner=world.partner,
            period_start=datetime.date(2025, 1, 1),
            status=status,
        )
    page = html(portal_client(world.tenant, world.admin).get("/analytics/reviews/"))
    assert 'id="review-status" data-live-status aria-live="polite"' in page
    assert "js/live-status.js" in page
    assert ("data-pending" in page) is live
    assert ("<progress" in page) is live


@pytest.mark.parametrize(("status", "live"), [("running", True), ("failed", False)])
def test_tenant_export_under_way_is_polled(world, status, live):
    with tenant_context(world.tenant):
        TenantExport.objects.create(
            tenant=world.tenant, requested_by=world.admin, status=status, tables_total=10
        )
    page = html(portal_client(world.tenant, world.admin).get("/tenant-data/"))
    assert 'id="export-status" data-live-status' in page
    assert ("data-pending" in page) is live
    assert '<progress max="10" value="0"' in page


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
