"""Time-to-first-deal cohorts stored per partner with region and channel manager, filtered on
the dashboard and in the API; the stored funnel in the API. Reading never recomputes, and
query counts do not grow with partners."""

from __future__ import annotations

import csv
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import services
from dealreg.models import DealStatus
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import make_deal
from tests.conftest import api_client, portal_client
from tests.factories import PartnerFactory

COHORTS = "/api/v1/analytics/first-deal-cohorts/"
FUNNELS = "/api/v1/analytics/funnels/"


def _cohorts(world):
    """world.partner: EMEA, managed by world.channel_manager, first deal after 10 days.
    world.other_partner: APAC, no manager, first deal after 20 days.
    A third partner: EMEA, no manager, no deal yet. All activated the same day."""
    start = timezone.now() - datetime.timedelta(days=40)
    with tenant_context(world.tenant):
        for partner, region, owner, days in (
            (world.partner, "emea", world.channel_manager, 10),
            (world.other_partner, "apac", None, 20),
        ):
            partner.region = region
            partner.owner = owner
            partner.activated_at = start
            partner.first_deal_at = start + datetime.timedelta(days=days)
            partner.save()
        PartnerFactory(tenant=world.tenant, region="emea", activated_at=start)
        services.rollups_compute(tenant=world.tenant)


def _export(world, query: str) -> list[tuple[str, str, str]]:
    resp = portal_client(world.tenant, world.admin).get(
        f"/analytics/program/export.csv?table=cohorts&{query}"
    )
    assert resp.status_code == 200
    rows = csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode()))
    return [(r["activated"], r["with_deal"], r["avg_days"]) for r in rows]


def test_dashboard_cohorts_filter_by_region(world):
    _cohorts(world)
    assert _export(world, "region=emea") == [("2", "1", "10")]


def test_dashboard_cohorts_filter_by_channel_manager(world):
    _cohorts(world)
    assert _export(world, f"manager={world.channel_manager.pk}") == [("1", "1", "10")]


def test_cohort_dimensions_are_those_of_the_run(world):
    _cohorts(world)
    with tenant_context(world.tenant):
        world.other_partner.region = "emea"
        world.other_partner.save()
    assert _export(world, "region=emea") == [("2", "1", "10")]


# --- API ----------------------------------------------------------------------------------


def test_api_cohorts_add_up_every_partner_for_staff(world):
    _cohorts(world)
    rows = api_client(world.tenant, world.channel_manager).get(COHORTS).json()["results"]
    assert [(r["activated"], r["with_deal"], r["days_total"], r["average_days"]) for r in rows] == [
        (3, 2, 30, 15)
    ]


def test_api_cohorts_filter_by_region_and_manager(world):
    _cohorts(world)
    client = api_client(world.tenant, world.admin)
    emea = client.get(f"{COHORTS}?region=emea").json()["results"]
    managed = client.get(f"{COHORTS}?manager={world.channel_manager.pk}").json()["results"]
    assert [(r["activated"], r["average_days"]) for r in emea] == [(2, 10)]
    assert [(r["activated"], r["average_days"]) for r in managed] == [(1, 10)]


def test_api_partner_sees_only_its_own_cohort_entry(world):
    _cohorts(world)
    rows = api_client(world.tenant, world.other_partner_user).get(COHORTS).json()["results"]
    assert [(r["activated"], r["days_total"]) for r in rows] == [(1, 20)]


def test_api_cohort_bad_filter_is_a_400_with_field_errors(world):
    resp = api_client(world.tenant, world.admin).get(f"{COHORTS}?region=mars&year=0")
    body = resp.json()
    assert resp.status_code == 400 and {"region", "year"} <= set(body["errors"])


def _funnel(world):
    day = timezone.localdate()
    with tenant_context(world.tenant):
        world.partner.region = "emea"
        world.partner.save()
        for status in (DealStatus.SUBMITTED, DealStatus.APPROVED, DealStatus.WON):
            make_deal(world.partner, submitted=day, status=status)
        make_deal(world.other_partner, submitted=day, status=DealStatus.REJECTED)
        services.rollups_compute(tenant=world.tenant)
    return services.quarter_start(day).isoformat()


def test_api_funnel_adds_up_the_stored_funnel_per_quarter(world):
    quarter = _funnel(world)
    rows = api_client(world.tenant, world.admin).get(f"{FUNNELS}?period_start={quarter}").json()
    assert [
        (r["period_start"], r["submitted"], r["approved"], r["won"], r["rejected"])
        for r in rows["results"]
    ] == [(quarter, 4, 2, 1, 1)]


def test_api_funnel_filters_by_region_and_partners_see_their_own(world):
    quarter = _funnel(world)
    staff = api_client(world.tenant, world.admin).get(
        f"{FUNNELS}?region=emea&period_start={quarter}"
    )
    partner = api_client(world.tenant, world.other_partner_user).get(
        f"{FUNNELS}?period_start={quarter}"
    )
    assert [r["submitted"] for r in staff.json()["results"]] == [3]
    assert [(r["submitted"], r["rejected"]) for r in partner.json()["results"]] == [(1, 1)]


def test_api_funnel_bad_filter_is_a_400_with_field_errors(world):
    resp = api_client(world.tenant, world.admin).get(f"{FUNNELS}?period_start=soon")
    assert resp.status_code == 400 and "period_start" in resp.json()["errors"]


def test_api_reading_funnel_and_cohorts_never_recomputes(world):
    _funnel(world)
    with tenant_context(world.tenant):
        make_deal(world.partner, submitted=timezone.localdate(), status=DealStatus.SUBMITTED)
        world.partner.activated_at = timezone.now()
        world.partner.save()
    client = api_client(world.tenant, world.admin)
    assert sum(r["submitted"] for r in client.get(FUNNELS).json()["results"]) == 4
    assert client.get(COHORTS).json()["results"] == []


def test_api_funnel_and_cohort_query_counts_do_not_grow_with_partners(world):
    client = api_client(world.tenant, world.admin)
    _cohorts(world)
    for url in (FUNNELS, COHORTS):
        client.get(url)
    small = {}
    for url in (FUNNELS, COHORTS):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        small[url] = len(ctx.captured_queries)
    with tenant_context(world.tenant):
        for i in range(10):
            p = PartnerFactory(
                tenant=world.tenant,
                region="emea",
                activated_at=timezone.now() - datetime.timedelta(days=30 * i),
            )
            make_deal(p, submitted=timezone.localdate())
        services.rollups_compute(tenant=world.tenant)
    large = {}
    for url in (FUNNELS, COHORTS):
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200
        large[url] = len(ctx.captured_queries)
    assert large == small


def test_api_schema_documents_the_funnel_and_cohort_filters(world):
    schema = api_client(world.tenant, world.admin).get("/api/v1/schema/?format=json").json()

    def params(path):
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    assert {"tier", "partner_type", "region", "manager", "period_start", "year"} <= params(FUNNELS)
    assert {"tier", "partner_type", "region", "manager", "since", "year"} <= params(COHORTS)
