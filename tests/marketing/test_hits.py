"""An anonymous visitor's landing-page view and tracked click run as hits (prm.tenancy,
"Hits"): one statement, sent with the tenant setting as one message, instead of a request
transaction (BEGIN, the tenant setting, the statement, COMMIT). Everything else about them
stays the same: counted, the tenant's rows only, 404s and redirects, signed-in people and the
other link targets served as before."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import ScopeError

from marketing.campaign_models import Campaign
from marketing.campaign_selectors import landing_path
from prm.tenancy import hit_execute, tenant_context
from tests.conftest import build_world, portal_client
from tests.marketing.campaign_helpers import launched

pytestmark = pytest.mark.django_db


def _counters(world) -> tuple[int, int]:
    with tenant_context(world.tenant):
        c = Campaign.objects.get()
        return c.views, c.clicks


HIT = re.compile(r"^SELECT set_config\('prm\.tenant_id', '\d+', true\); ")


def _hits(ctx) -> list[str]:
    """The statements sent as hits: the tenant setting and the statement in one message."""
    return [q["sql"] for q in ctx.captured_queries if HIT.match(q["sql"])]


def _tenant_setting() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('prm.tenant_id', true)")
        return cur.fetchone()[0] or ""


def test_an_anonymous_view_is_one_statement_and_counted(world):
    campaign = launched(world)
    with tenant_context(world.tenant):
        path = landing_path(campaign)
    client = portal_client(world.tenant)
    assert client.get(path).status_code == 200  # renders and keeps the page
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(path)
    assert page.status_code == 200
    marketing = [q["sql"] for q in ctx.captured_queries if "marketing_campaign" in q["sql"]]
    assert len(marketing) == 1, marketing
    assert _hits(ctx) == marketing  # sent with the tenant, as a hit
    assert _counters(world) == (2, 0)
    assert _tenant_setting() == ""  # the setting lasted only as long as the statement


def test_an_anonymous_click_is_one_statement_counted_and_redirected(world):
    campaign = launched(world)
    client = portal_client(world.tenant)
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(f"/t/{campaign.code}/page/")
    assert answer.status_code == 302
    with tenant_context(world.tenant):
        assert answer["Location"] == landing_path(campaign)
    assert len(_hits(ctx)) == 1
    assert _counters(world) == (0, 1)


def test_other_targets_and_unknown_codes_in_a_hit(world):
    campaign = launched(world)
    client = portal_client(world.tenant)
    # another target than the page: found through the ORM inside a tenant transaction
    site = client.get(f"/t/{campaign.code}/site/")
    assert site.status_code == 302
    assert _counters(world) == (0, 1)
    assert client.get("/t/NOSUCHCODE/page/").status_code == 404
    assert client.get("/c/someone/NOSUCHCODE/").status_code == 404
    assert client.get(f"/t/{campaign.code}/nothing/").status_code == 404
    assert _counters(world) == (0, 1)


def test_another_tenants_campaign_is_not_found_in_a_hit(world):
    campaign = launched(world)
    other = build_world("hitother")
    stranger = portal_client(other.tenant)
    assert stranger.get(f"/t/{campaign.code}/page/").status_code == 404
    with tenant_context(world.tenant):
        path = landing_path(campaign)
    assert stranger.get(path).status_code == 404
    assert _counters(world) == (0, 0)


def test_a_signed_in_visitor_is_served_in_a_request_transaction(world):
    campaign = launched(world)
    with tenant_context(world.tenant):
        path = landing_path(campaign)
    client = portal_client(world.tenant, world.partner_admin)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(path)
    assert page.status_code == 200
    assert _hits(ctx) == []
    assert _counters(world) == (1, 0)


def test_hit_execute_needs_a_tenant_and_a_hit_has_no_orm_scope(world):
    with connection.cursor() as cur, pytest.raises(RuntimeError):
        hit_execute(cur, "SELECT 1", {})
    # outside tenant_context the ORM refuses tenant rows (as in a hit) instead of finding none
    with pytest.raises(ScopeError):
        list(Campaign.objects.all())
