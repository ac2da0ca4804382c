"""Dashboards, charts and the analytics API: what each role sees, that reading never
recomputes, and that query counts do not grow with partners or deals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import charts, services
from analytics.models import COMPONENTS, HealthSnapshot
from dealreg.models import DealStatus
from partners.models import Tier
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_health import make_deal
from tests.conftest import api_client, portal_client
from tests.factories import PartnerFactory, PartnerRollupFactory, TierFactory

PAGES = {
    "partner_admin": ["/analytics/"],
    "channel_manager": ["/analytics/manager/"],
    "admin": [
        "/analytics/program/",
        "/analytics/program/export.csv?table=tier",
        # Time-to-first-deal cohorts filtered by the stored region and manager dimensions.
        "/analytics/program/?region=emea",
        "/analytics/program/export.csv?table=cohorts&region=emea",
        "/api/v1/analytics/first-deal-cohorts/?region=emea",
        "/api/v1/analytics/funnels/",
    ],
}


def _grow(world, partners: int, deals_each: int) -> None:
    today = timezone.localdate()
    tier = Tier.objects.get_or_create(tenant=world.tenant, rank=1, defaults={"name": "Silver"})[0]
    for i in range(partners):
        p = PartnerFactory(
            tenant=world.tenant,
            tier=tier,
            owner=world.channel_manager,
            region="emea",
            activated_at=timezone.now() - datetime.timedelta(days=25 * i + 40),
            first_deal_at=timezone.now() - datetime.timedelta(days=25 * i + 10),
        )
        for j in range(deals_each):
            make_deal(
                p,
                submitted=today - datetime.timedelta(days=20 * j + 3),
                status=DealStatus.WON if j % 2 else DealStatus.APPROVED,
                closed=today - datetime.timedelta(days=10 * j) if j % 2 else None,
                won_amount=500 if j % 2 else None,
                protected_until=today + datetime.timedelta(days=5),
            )
    for p in (world.partner, world.other_partner):
        p.tier = tier
        p.owner = world.channel_manager
        p.save()
    services.health_compute(tenant=world.tenant)
    services.rollups_compute(tenant=world.tenant)


def _counts(world) -> dict[str, int]:
    out = {}
    for role, urls in PAGES.items():
        for url in urls:
            make = api_client if url.startswith("/api/") else portal_client
            client = make(world.tenant, world.member(role))
            client.get(url)  # warm caches (session, content types)
            with CaptureQueriesContext(connection) as ctx:
                resp = client.get(url)
            assert resp.status_code == 200, url
            out[url] = len(ctx.captured_queries)
    return out


def test_dashboard_query_counts_do_not_grow_with_partners_or_deals(world):
    with tenant_context(world.tenant):
        _grow(world, partners=1, deals_each=1)
    small = _counts(world)
    with tenant_context(world.tenant):
        _grow(world, partners=12, deals_each=6)
    large = _counts(world)
    assert large == small


def test_reading_a_dashboard_never_recomputes(world):
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant)
        before = list(HealthSnapshot.objects.values_list("pk", "computed_at"))
    portal_client(world.tenant, world.partner_admin).get("/analytics/")
    portal_client(world.tenant, world.admin).get("/analytics/program/")
    with tenant_context(world.tenant):
        after = list(HealthSnapshot.objects.values_list("pk", "computed_at"))
    assert after == before


def test_partner_dashboard_shows_score_and_its_drivers(world):
    with tenant_context(world.tenant):
        today = timezone.localdate()
        make_deal(world.partner, submitted=today - datetime.timedelta(days=120), amount=1000)
        make_deal(world.partner, submitted=today - datetime.timedelta(days=10), amount=500)
        services.health_compute(tenant=world.tenant)
    body = portal_client(world.tenant, world.partner_user).get("/analytics/").content.decode()
    assert "Pipeline down 50% vs the previous 90 days" in body


def test_partner_dashboard_without_snapshot_says_what_to_do(world):
    body = portal_client(world.tenant, world.partner_user).get("/analytics/").content.decode()
    assert "No health score yet" in body


def test_benchmark_is_a_percentile_and_never_names_a_peer(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Gold", rank=1)
        peers = [PartnerFactory(tenant=world.tenant, tier=tier, name=f"Peer {i}") for i in range(3)]
        world.partner.tier = tier
        world.partner.save()
        make_deal(world.partner, submitted=timezone.localdate())
        services.health_compute(tenant=world.tenant)
    body = portal_client(world.tenant, world.partner_user).get("/analytics/").content.decode()
    assert "higher than 100% of the 3 other Gold partners" in body
    assert not any(p.name in body for p in peers)


def test_benchmark_is_hidden_with_fewer_than_three_peers(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Gold", rank=1)
        PartnerFactory(tenant=world.tenant, tier=tier)
        world.partner.tier = tier
        world.partner.save()
        services.health_compute(tenant=world.tenant)
    body = portal_client(world.tenant, world.partner_user).get("/analytics/").content.decode()
    assert "other Gold partners" not in body


def test_manager_dashboard_lists_at_risk_partners_with_reason(world):
    with tenant_context(world.tenant):
        world.partner.owner = world.channel_manager
        world.partner.save()
        services.health_compute(tenant=world.tenant)
    body = (
        portal_client(world.tenant, world.channel_manager)
        .get("/analytics/manager/")
        .content.decode()
    )
    assert world.partner.name in body and "is below 40" in body


def test_program_dashboard_shows_ropi_by_tier_with_inputs(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Platinum", rank=3)
        PartnerRollupFactory(
            tenant=world.tenant,
            partner=world.partner,
            tier=tier,
            partner_type="reseller",
            period_start=services.quarter_start(timezone.localdate()),
            currency="USD",
            sourced_revenue=Decimal("1000"),
            gross_margin_pct=Decimal("50"),
            return_amount=Decimal("500"),
            mdf_paid=Decimal("100"),
            investment=Decimal("100"),
            ropi=Decimal("4"),
        )
    body = portal_client(world.tenant, world.admin).get("/analytics/program/").content.decode()
    # ROPI as a ratio for people (fmt.ratio): "4×", not "4.0000".
    assert "Platinum" in body and "4×" in body and "100.00" in body


def test_program_dashboard_bad_filter_is_a_form_error_not_a_crash(world):
    resp = portal_client(world.tenant, world.admin).get("/analytics/program/?year=abc&tier=999")
    assert resp.status_code == 200 and b"Error:" in resp.content


def test_program_export_is_csv_with_inputs(world):
    resp = portal_client(world.tenant, world.admin).get("/analytics/program/export.csv?table=tier")
    text = b"".join(resp.streaming_content).decode()
    assert text.splitlines()[0].startswith("tier_name,partners,won_deals,sourced")


def test_settings_refuse_all_zero_weights(world):
    data = {
        "currency": "USD",
        "gross_margin_pct": "70",
        "attribution_model": "even",
        "at_risk_below": "40",
        "at_risk_drop": "15",
        **{f"weight_{k}": "0" for k in COMPONENTS},
    }
    resp = portal_client(world.tenant, world.admin).post("/analytics/settings/", data)
    assert resp.status_code == 200 and b"At least one health weight" in resp.content


def test_admin_adds_a_tier_program_cost(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Gold", rank=1)
    resp = portal_client(world.tenant, world.admin).post(
        "/analytics/costs/",
        {
            "tier": tier.pk,
            "incurred_on": "2026-05-01",
            "amount": "900",
            "currency": "usd",
            "description": "Summit",
        },
    )
    assert resp.status_code == 302


def test_program_cost_for_both_partner_and_tier_is_refused(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Gold", rank=1)
    resp = portal_client(world.tenant, world.admin).post(
        "/analytics/costs/",
        {
            "tier": tier.pk,
            "partner": world.partner.pk,
            "incurred_on": "2026-05-01",
            "amount": "900",
            "currency": "USD",
            "description": "Summit",
        },
    )
    assert resp.status_code == 200 and b"not both" in resp.content


# --- API ----------------------------------------------------------------------------------


def test_api_partner_sees_only_its_own_current_health(world):
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant)
    rows = api_client(world.tenant, world.partner_user).get("/api/v1/analytics/health/").json()
    assert [r["partner"] for r in rows["results"]] == [world.partner.pk]


def test_api_health_gives_components_and_drivers(world):
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant)
    row = (
        api_client(world.tenant, world.admin).get("/api/v1/analytics/health/").json()["results"][0]
    )
    assert {c["key"] for c in row["components"]} == set(COMPONENTS) and row["drivers"]


def test_api_partner_cannot_read_another_partners_history(world):
    resp = api_client(world.tenant, world.partner_user).get(
        f"/api/v1/analytics/health/history/{world.other_partner.pk}/"
    )
    assert resp.status_code == 404


def test_api_history_lists_daily_scores_oldest_first(world):
    today = timezone.localdate()
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant, today=today - datetime.timedelta(days=1))
        services.health_compute(tenant=world.tenant, today=today)
    rows = (
        api_client(world.tenant, world.admin)
        .get(f"/api/v1/analytics/health/history/{world.partner.pk}/")
        .json()
    )
    assert [r["day"] for r in rows] == [
        (today - datetime.timedelta(days=1)).isoformat(),
        today.isoformat(),
    ]


def test_api_partner_sees_only_its_own_rollups(world):
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
    rows = api_client(world.tenant, world.partner_user).get("/api/v1/analytics/rollups/").json()
    assert {r["partner"] for r in rows["results"]} == {world.partner.pk}


def test_api_second_recompute_while_queued_is_a_400_with_message(world):
    client = api_client(world.tenant, world.admin)
    client.post("/api/v1/analytics/runs/", format="json")
    resp = client.post("/api/v1/analytics/runs/", format="json")
    assert resp.status_code == 400 and resp.json()["type"] == "validation_error"


def test_api_rollup_list_query_count_does_not_grow(world):
    client = api_client(world.tenant, world.admin)
    with tenant_context(world.tenant):
        services.rollups_compute(tenant=world.tenant)
    client.get("/api/v1/analytics/rollups/")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/analytics/rollups/")
    with tenant_context(world.tenant):
        for _ in range(10):
            PartnerFactory(tenant=world.tenant)
        services.rollups_compute(tenant=world.tenant)
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/analytics/rollups/")
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Charts -------------------------------------------------------------------------------


def test_bar_chart_labels_every_bar_with_its_value():
    svg = charts.bar_chart(title="Revenue", categories=["Q1", "Q2"], series=[("Won", [1200, 30])])
    assert ">1.2k</text>" in svg and ">30</text>" in svg


def test_bar_chart_series_differ_by_pattern_and_legend_not_only_colour():
    svg = charts.bar_chart(
        title="R", categories=["Q1"], series=[("Sourced", [1]), ("Influenced", [2])], uid="x"
    )
    assert 'fill="url(#x-hatch)"' in svg and ">Influenced</text>" in svg


def test_chart_escapes_labels():
    svg = charts.bar_chart(title="<b>", categories=["<script>"], series=[("s", [1])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_chart_has_no_style_attributes_for_strict_csp():
    svg = charts.line_chart(title="H", categories=["a", "b"], series=[("s", [1, 2]), ("t", [2, 1])])
    assert "style=" not in svg


def test_line_chart_gives_each_series_its_own_dash_and_marker():
    svg = charts.line_chart(title="H", categories=["a", "b"], series=[("s", [1, 2]), ("t", [2, 1])])
    assert 'stroke-dasharray="6 3"' in svg and "<rect" in svg


def test_empty_chart_says_there_is_no_data():
    assert "No data yet" in charts.line_chart(title="H", categories=[], series=[])


@pytest.mark.parametrize(
    ("value", "text"), [(1_500_000, "1.5M"), (35_000, "35k"), (2_500, "2.5k"), (12, "12")]
)
def test_value_labels_are_short(value, text):
    assert charts.fmt(value) == text
