"""Plan against actual: each goal's actual is the product's own figure for the plan's period
(read from the same selectors the dashboards read), shown on both home pages, on the plan's
page and in the business-review PDF."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import reviews
from analytics import selectors as analytics_selectors
from analytics import services as analytics_services
from analytics.services.periods import quarter_start
from dealreg.models import DealStatus
from jointplans import selectors
from mdf import selectors as mdf_selectors
from mdf.models import LedgerKind
from partners import selectors as partner_selectors
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import (
    BusinessReviewFactory,
    DealFactory,
    JointPlanFactory,
    LedgerEntryFactory,
    MdfProgramFactory,
    PartnerFactory,
    PartnerMetricsFactory,
    PlanGoalFactory,
)
from tests.html_helpers import find, find_all
from tests.jointplans.helpers import draft, signed

pytestmark = pytest.mark.django_db

GOALS = (
    ("sourced_pipeline", "10000", "USD"),
    ("sourced_revenue", "10000", "USD"),
    ("won_deals", "4", ""),
    ("registrations", "10", ""),
    ("certified_people", "8", ""),
    ("health_score", "80", ""),
    ("mdf_paid", "2000", "USD"),
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _last_quarter() -> datetime.date:
    return quarter_start(quarter_start(timezone.localdate()) - datetime.timedelta(days=1))


def _activity(world, day: datetime.date | None = None) -> None:
    """In the quarter of `day` (today): two deals registered (one won), a rejected one and a
    draft; an MDF payment; certified people and a health score; the quarter's rollups."""
    today = day or timezone.localdate()
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    with tenant_context(world.tenant):
        deal = {"tenant": world.tenant, "partner": world.partner, "currency": "USD"}
        DealFactory(**deal, status=DealStatus.SUBMITTED, amount=Decimal(1000), submitted_at=now)
        DealFactory(
            **deal,
            status=DealStatus.WON,
            amount=Decimal(2500),
            won_amount=Decimal(3000),
            submitted_at=now,
            closed_at=today,
        )
        DealFactory(**deal, status=DealStatus.REJECTED, amount=Decimal(999), submitted_at=now)
        DealFactory(**deal, status=DealStatus.DRAFT, amount=Decimal(777))
        program = MdfProgramFactory(
            tenant=world.tenant,
            start_date=today.replace(month=1, day=1),
            end_date=today.replace(month=12, day=31),
        )
        LedgerEntryFactory(
            tenant=world.tenant,
            program=program,
            partner=world.partner,
            kind=LedgerKind.PAYMENT,
            amount=Decimal(600),
            created_at=now,
        )
        PartnerMetricsFactory(
            tenant=world.tenant, partner=world.partner, certified_people=3, health_score=72
        )
        analytics_services.rollups_compute(
            tenant=world.tenant, periods=[quarter_start(today)], partner_ids=[world.partner.pk]
        )


def test_actuals_are_the_products_own_figures_for_the_period(world):
    # Last quarter: every month of it is on the dashboards' monthly chart.
    q = _last_quarter()
    _activity(world, q + datetime.timedelta(days=40))
    plan = draft(world, goals=GOALS, initiative=False, start_date=q)
    with tenant_context(world.tenant):
        actual = {row.goal.metric: row.actual for row in selectors.progress(plan)}
        quarter = next(
            r for r in analytics_selectors.partner_quarters(world.partner) if r["period_start"] == q
        )
        months = [
            m
            for m in analytics_selectors.monthly_deals(world.partner)
            if q <= m["month"] <= plan.end_date
        ]
        metrics = partner_selectors.metrics_for(world.partner)
        paid = mdf_selectors.mdf_paid_by_partner(since=q, until=plan.end_date)[world.partner.pk]
    assert actual == {
        "sourced_pipeline": sum(m["pipeline"] for m in months),
        "sourced_revenue": quarter["sourced"],
        "won_deals": quarter["won_deals"],
        "registrations": quarter["rollup"].funnel_submitted,
        "certified_people": metrics.certified_people,
        "health_score": metrics.health_score,
        "mdf_paid": sum(amount for _currency, amount in paid),
    }
    # ... and those figures are the activity above, not zeros that agree by chance.
    assert (actual["sourced_pipeline"], actual["sourced_revenue"], actual["mdf_paid"]) == (
        Decimal(3500),
        Decimal(3000),
        Decimal(600),
    )


def test_money_in_another_currency_is_converted_or_not_shown(world):
    _activity(world)
    plan = draft(world, goals=(("sourced_pipeline", "10000", "EUR"),), initiative=False)
    with tenant_context(world.tenant):
        [row] = selectors.progress(plan)
    assert row.actual is None and row.on_track is None  # no USD -> EUR rate: no figure


def test_progress_compares_the_share_of_target_with_the_time_gone_by(world):
    _activity(world)
    plan = draft(world, goals=(("certified_people", "3", ""), ("health_score", "100", "")))
    with tenant_context(world.tenant):
        rows = {r.goal.metric: r for r in selectors.progress(plan)}
    assert (rows["certified_people"].pct, rows["certified_people"].done) == (100, True)
    assert rows["health_score"].pct == 72
    expected = selectors.elapsed_pct(plan)
    assert rows["health_score"].on_track is (expected <= 72)


@pytest.mark.parametrize("role", ["partner_admin", "partner_user", "channel_manager"])
def test_both_home_pages_show_the_running_plans_progress(world, role):
    _activity(world)
    plan = signed(world, goals=(("certified_people", "6", ""),))
    page = portal_client(world.tenant, world.member(role)).get("/")
    assert find(page, "section", id="home-jointplans")
    assert find(page, "article", data_plan=str(plan.pk))
    row = find(page, "li", data_metric="certified_people")
    assert "3 / 6" in " ".join(row.text().split())
    assert find(page, "progress", aria_label="Certified people: 50 %")


def test_home_shows_no_plans_section_without_a_live_plan(world):
    draft(world)  # a draft is not shown to the partner, nor followed on the home page
    page = portal_client(world.tenant, world.partner_admin).get("/")
    assert not find_all(page, "section", id="home-jointplans")


def test_the_business_review_pdf_has_plan_vs_actual(world):
    _activity(world)
    signed(world, goals=(("certified_people", "6", ""), ("sourced_revenue", "12000", "USD")))
    rendered = []

    def capture(sender, template, context, **kwargs):
        if template.name == "analytics/review_pdf.html":
            rendered.append(context.flatten())

    template_rendered.connect(capture)
    try:
        with tenant_context(world.tenant):
            review = BusinessReviewFactory(
                tenant=world.tenant,
                partner=world.partner,
                period_start=quarter_start(timezone.localdate()),
            )
            assert reviews.review_build(tenant=world.tenant, review_id=review.pk)
            review.refresh_from_db()
            with review.pdf.open("rb") as f:
                assert f.read(5) == b"%PDF-"
            html = render_to_string("analytics/review_pdf.html", rendered[0])
    finally:
        template_rendered.disconnect(capture)
    assert find(html, "h2", id="joint-plan").text() == "Joint business plan: plan vs actual"
    cells = [" ".join(td.text().split()) for td in find_all(html, "td")]
    assert "Certified people" in cells and "50 %" in cells
    assert "Won revenue, sourced" in cells and "3,000 USD" in cells and "25 %" in cells


def _plan_for_another_partner(world, start):
    """A plan with every goal for a new partner of the tenant (no activity: zero figures)."""
    with tenant_context(world.tenant):
        other = PartnerFactory(tenant=world.tenant)
        plan = JointPlanFactory(
            tenant=world.tenant, partner=other, created_by=world.channel_manager, start_date=start
        )
        for metric, target, currency in GOALS:
            PlanGoalFactory(
                tenant=world.tenant,
                plan=plan,
                metric=metric,
                target=Decimal(target),
                currency=currency,
            )
    return plan


def test_the_plan_list_api_shows_live_progress_with_constant_queries(world):
    q = _last_quarter()
    _activity(world, q + datetime.timedelta(days=40))
    plan = draft(world, goals=GOALS, initiative=False, start_date=q)
    client = api_client(world.tenant, world.admin)
    client.get("/api/v1/plans/")
    with CaptureQueriesContext(connection) as one:
        body = client.get("/api/v1/plans/").json()
    [row] = body["results"]
    with tenant_context(world.tenant):
        expected = {r.goal.metric: r for r in selectors.progress(plan)}
    listed = {g["metric"]: g for g in row["goals"]}
    for metric, r in expected.items():
        assert listed[metric]["actual"] == (None if r.actual is None else f"{r.actual:.2f}")
        assert listed[metric]["percent_of_target"] == r.pct
        assert listed[metric]["on_track"] == r.on_track
    assert listed["sourced_pipeline"]["actual"] == "3500.00"  # the activity, not a zero

    for _ in range(3):
        _plan_for_another_partner(world, q)
    with CaptureQueriesContext(connection) as four:
        body = client.get("/api/v1/plans/").json()
    assert len(body["results"]) == 4
    assert len(four) == len(one)
    mine = next(p for p in body["results"] if p["id"] == plan.pk)
    assert {g["metric"]: g["actual"] for g in mine["goals"]} == {
        g["metric"]: g["actual"] for g in row["goals"]
    }
    others = [p for p in body["results"] if p["id"] != plan.pk]
    assert all(g["actual"] in ("0.00", None) for p in others for g in p["goals"])
