"""Permission rows for joint business plans (portal and API). Each row builds the plan it
needs in the world it runs in (a fresh world per row and role). A sales rep runs no plan and
sees none (jointplans.view is the program's): 403 on every row."""

from __future__ import annotations

import datetime

from django.utils import timezone

from analytics.services.periods import quarter_start
from prm.tenancy import tenant_context
from tests.jointplans.helpers import draft, proposed, signed
from tests.permissions import PROGRAM, STAFF, Endpoint, object_rows

SIGNERS = STAFF | {"partner_admin"}
FUTURE = datetime.date(2099, 1, 1)


def _plan_form(w) -> dict:
    return {
        "partner": w.partner.pk,
        "title": "Matrix plan",
        "period_kind": "quarter",
        "start_date": quarter_start(timezone.localdate()).replace(year=2098).isoformat(),
    }


def _goal(plan):
    with tenant_context(plan.tenant):
        return plan.goals.first()


def _initiative(plan):
    with tenant_context(plan.tenant):
        return plan.initiatives.first()


def _p(url, build=proposed):
    """(url, stranger_url) on a plan built by `build` in each world."""
    return {
        "url": lambda w: url(build(w)),
        "stranger_url": lambda w, s: url(build(s)),
    }


def _goal_url(plan, tail=""):
    return f"/plans/{plan.pk}/goals/{_goal(plan).pk}/{tail}"


def _item_url(plan, tail=""):
    return f"/plans/{plan.pk}/initiatives/{_initiative(plan).pk}/{tail}"


def _future_signed(w):
    return signed(w, start_date=FUTURE)


GOAL = {"metric": "won_deals", "target": "3"}
INITIATIVE = {"title": "Matrix webinar", "due_date": "2099-03-01", "status": "planned"}


def _goal_api(p):
    return f"/api/v1/plan-goals/{_goal(p).pk}/"


def _item_api(p):
    return f"/api/v1/plan-initiatives/{_initiative(p).pk}/"


def _plan_edit_form(w) -> dict:
    return {k: v for k, v in _plan_form(w).items() if k != "partner"}


GOAL_DATA = {"data": lambda w: GOAL}
INITIATIVE_DATA = {"data": lambda w: INITIATIVE}

ENDPOINTS = [
    # --- Portal
    Endpoint("jointplan-list", lambda w: "/plans/", PROGRAM),
    Endpoint("jointplan-new", lambda w: "/plans/new/", STAFF),
    Endpoint("jointplan-new", lambda w: "/plans/new/", STAFF, method="post", data=_plan_form),
    Endpoint("api-jointplan-list", lambda w: "/api/v1/plans/", PROGRAM, api=True),
    Endpoint("api-jointplan-list", lambda w: "/api/v1/plans/", STAFF, "post", _plan_form, api=True),
    Endpoint("api-jointplan-metrics", lambda w: "/api/v1/plan-metrics/", PROGRAM, api=True),
]
# (name, allowed, method, where[, options]): one row a line (tests.permissions.object_rows).
# In a running plan anyone on it moves an initiative's status (jointplan-initiative-status).
ENDPOINTS += object_rows(
    [
        ("jointplan-detail", PROGRAM, "get", _p(lambda p: f"/plans/{p.pk}/")),
        ("jointplan-edit", SIGNERS, "get", _p(lambda p: f"/plans/{p.pk}/edit/")),
        ("jointplan-edit", SIGNERS, "post", _p(lambda p: f"/plans/{p.pk}/edit/"),
         {"data": _plan_edit_form}),
        ("jointplan-propose", STAFF, "post", _p(lambda p: f"/plans/{p.pk}/propose/", draft)),
        ("jointplan-withdraw", STAFF, "post", _p(lambda p: f"/plans/{p.pk}/withdraw/")),
        ("jointplan-sign", SIGNERS, "post", _p(lambda p: f"/plans/{p.pk}/sign/")),
        ("jointplan-activate", STAFF, "post",
         _p(lambda p: f"/plans/{p.pk}/activate/", _future_signed)),
        ("jointplan-close", STAFF, "get", _p(lambda p: f"/plans/{p.pk}/close/", signed)),
        ("jointplan-close", STAFF, "post", _p(lambda p: f"/plans/{p.pk}/close/", signed)),
        ("jointplan-goal-add", SIGNERS, "post", _p(lambda p: f"/plans/{p.pk}/goals/"), GOAL_DATA),
        ("jointplan-goal-edit", SIGNERS, "get", _p(lambda p: _goal_url(p, "edit/"))),
        ("jointplan-goal-edit", SIGNERS, "post", _p(lambda p: _goal_url(p, "edit/")), GOAL_DATA),
        ("jointplan-goal-remove", SIGNERS, "get", _p(lambda p: _goal_url(p, "remove/"))),
        ("jointplan-goal-remove", SIGNERS, "post", _p(lambda p: _goal_url(p, "remove/"))),
        ("jointplan-initiative-add", SIGNERS, "post",
         _p(lambda p: f"/plans/{p.pk}/initiatives/"), INITIATIVE_DATA),
        ("jointplan-initiative-edit", SIGNERS, "get", _p(lambda p: _item_url(p, "edit/"))),
        ("jointplan-initiative-edit", SIGNERS, "post", _p(lambda p: _item_url(p, "edit/")),
         INITIATIVE_DATA),
        ("jointplan-initiative-status", PROGRAM, "post",
         _p(lambda p: _item_url(p, "status/"), signed),
         {"data": lambda w: {"status": "in_progress"}}),
        ("jointplan-initiative-remove", SIGNERS, "post", _p(lambda p: _item_url(p, "remove/"))),
        # --- API
        ("api-jointplan-detail", PROGRAM, "get", _p(lambda p: f"/api/v1/plans/{p.pk}/")),
        ("api-jointplan-detail", SIGNERS, "patch", _p(lambda p: f"/api/v1/plans/{p.pk}/"),
         {"data": lambda w: {"title": "Renamed"}}),
        ("api-jointplan-propose", STAFF, "post",
         _p(lambda p: f"/api/v1/plans/{p.pk}/propose/", draft)),
        ("api-jointplan-withdraw", STAFF, "post", _p(lambda p: f"/api/v1/plans/{p.pk}/withdraw/")),
        ("api-jointplan-sign", SIGNERS, "post", _p(lambda p: f"/api/v1/plans/{p.pk}/sign/")),
        ("api-jointplan-activate", STAFF, "post",
         _p(lambda p: f"/api/v1/plans/{p.pk}/activate/", _future_signed)),
        ("api-jointplan-close", STAFF, "post",
         _p(lambda p: f"/api/v1/plans/{p.pk}/close/", signed)),
        ("api-jointplan-goals", SIGNERS, "post", _p(lambda p: f"/api/v1/plans/{p.pk}/goals/"),
         GOAL_DATA),
        ("api-jointplan-initiatives", SIGNERS, "post",
         _p(lambda p: f"/api/v1/plans/{p.pk}/initiatives/"), INITIATIVE_DATA),
        ("api-jointplan-goal-detail", PROGRAM, "get", _p(_goal_api)),
        ("api-jointplan-goal-detail", SIGNERS, "patch", _p(_goal_api),
         {"data": lambda w: {"target": "9"}}),
        ("api-jointplan-goal-detail", SIGNERS, "delete", _p(_goal_api)),
        ("api-jointplan-initiative-detail", PROGRAM, "get", _p(_item_api)),
        ("api-jointplan-initiative-detail", PROGRAM, "patch", _p(_item_api, signed),
         {"data": lambda w: {"status": "done"}}),
        ("api-jointplan-initiative-detail", SIGNERS, "delete", _p(_item_api)),
    ]
)  # fmt: skip
