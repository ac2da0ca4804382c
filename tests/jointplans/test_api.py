"""The plans' API: the portal's capabilities through the same services; bad input is a 400
with field errors in the one error format, never a 500, and nothing is written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from analytics.services.periods import quarter_start
from jointplans.models import JointPlan, PlanGoal, PlanStatus
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.jointplans.helpers import draft, proposed

pytestmark = pytest.mark.django_db


def _this_quarter():
    return quarter_start(timezone.localdate())


def test_staff_draft_a_plan_and_partner_admins_sign_it(world):
    client = api_client(world.tenant, world.channel_manager)
    resp = client.post(
        "/api/v1/plans/",
        {
            "partner": world.partner.pk,
            "title": "Q plan",
            "period_kind": "quarter",
            "start_date": _this_quarter().isoformat(),
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    resp = client.post(
        f"/api/v1/plans/{pk}/goals/",
        {"metric": "sourced_pipeline", "target": "50000", "currency": "usd"},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["currency"] == "USD"
    assert client.post(f"/api/v1/plans/{pk}/propose/").json()["status"] == "proposed"
    partner = api_client(world.tenant, world.partner_admin)
    body = partner.post(f"/api/v1/plans/{pk}/sign/").json()
    assert body["partner_signed_by"] == world.partner_admin.pk
    assert body["allowed_actions"] == ["edit"]
    body = client.post(f"/api/v1/plans/{pk}/sign/").json()
    assert body["status"] == PlanStatus.ACTIVE
    assert body["goals"][0]["actual"] == "0.00"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_date": "2026-02-01"}, "start_date"),
        ({"title": ""}, "title"),
        ({"period_kind": "decade"}, "period_kind"),
        ({"partner": 999999}, "partner"),
        ({"review_date": "1999-01-01"}, "review_date"),
    ],
)
def test_a_bad_plan_is_a_400_at_its_field(world, data, field):
    body = {
        "partner": world.partner.pk,
        "title": "Q plan",
        "period_kind": "quarter",
        "start_date": "2026-01-01",
        **data,
    }
    resp = api_client(world.tenant, world.admin).post("/api/v1/plans/", body, format="json")
    assert resp.status_code == 400
    assert resp.json()["type"] == "validation_error"
    assert field in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert not JointPlan.objects.exists()


def test_a_partner_of_another_tenant_is_unknown(world, stranger):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/plans/",
        {
            "partner": stranger.partner.pk,
            "title": "x",
            "period_kind": "quarter",
            "start_date": "2026-01-01",
        },
        format="json",
    )
    assert resp.status_code == 400 and "partner" in resp.json()["errors"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"metric": "bogus"}, "metric"),
        ({"metric": "mdf_paid", "currency": ""}, "currency"),
        ({"metric": "mdf_paid", "currency": "XXX"}, "currency"),
        ({"target": "-1"}, "target"),
        ({"target": "1e40"}, "target"),
        ({"metric": "certified_people"}, "metric"),  # the plan has a goal on it already
    ],
)
def test_a_bad_goal_is_a_400_at_its_field(world, data, field):
    plan = draft(world)
    body = {"metric": "won_deals", "target": "5", **data}
    resp = api_client(world.tenant, world.channel_manager).post(
        f"/api/v1/plans/{plan.pk}/goals/", body, format="json"
    )
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert PlanGoal.objects.filter(plan=plan).count() == 1


def test_an_initiative_owner_must_be_on_the_plan(world, stranger):
    plan = draft(world, initiative=False)
    client = api_client(world.tenant, world.channel_manager)
    for owner in (world.other_partner_user.pk, stranger.partner_admin.pk):
        resp = client.post(
            f"/api/v1/plans/{plan.pk}/initiatives/",
            {"title": "Webinar", "due_date": "2026-12-01", "owner": owner},
            format="json",
        )
        assert resp.status_code == 400 and "owner" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert not plan.initiatives.exists()


def test_partner_people_see_their_plans_once_proposed(world):
    draft(world)
    other = proposed(world, start_date=_this_quarter().replace(year=2099))
    client = api_client(world.tenant, world.partner_user)
    assert [p["id"] for p in client.get("/api/v1/plans/").json()["results"]] == [other.pk]
    assert (
        api_client(world.tenant, world.other_partner_user)
        .get(f"/api/v1/plans/{other.pk}/")
        .status_code
        == 404
    )


def test_signing_is_for_the_partner_admin_not_its_users(world):
    plan = proposed(world)
    resp = api_client(world.tenant, world.partner_user).post(f"/api/v1/plans/{plan.pk}/sign/")
    assert resp.status_code == 403


def test_changing_a_goal_through_the_api_clears_signatures(world):
    plan = proposed(world)
    api_client(world.tenant, world.partner_admin).post(f"/api/v1/plans/{plan.pk}/sign/")
    with tenant_context(world.tenant):
        goal = plan.goals.get()
    resp = api_client(world.tenant, world.channel_manager).patch(
        f"/api/v1/plan-goals/{goal.pk}/", {"target": "12"}, format="json"
    )
    assert resp.status_code == 200, resp.content
    with tenant_context(world.tenant):
        plan.refresh_from_db()
    assert (plan.partner_signed_at, plan.status) == (None, PlanStatus.PROPOSED)


def test_metrics_are_listed(world):
    keys = [
        m["key"]
        for m in api_client(world.tenant, world.partner_user).get("/api/v1/plan-metrics/").json()
    ]
    assert {
        "sourced_pipeline",
        "sourced_revenue",
        "influenced_revenue",
        "certified_people",
        "mdf_paid",
        "health_score",
        "registrations",
        "won_deals",
    } <= set(keys)
