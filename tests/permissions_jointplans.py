"""Permission rows for joint business plans (portal and API). Each row builds the plan it
needs in the world it runs in (a fresh world per row and role)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from analytics.services.periods import quarter_start
from prm.tenancy import tenant_context
from tests.jointplans.helpers import draft, proposed, signed
from tests.permissions import PROGRAM, STAFF, Endpoint

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

ENDPOINTS = [
    # --- Portal
    Endpoint("jointplan-list", lambda w: "/plans/", PROGRAM),
    Endpoint("jointplan-new", lambda w: "/plans/new/", STAFF),
    Endpoint("jointplan-new", lambda w: "/plans/new/", STAFF, method="post", data=_plan_form),
    Endpoint("jointplan-detail", allowed=PROGRAM, **_p(lambda p: f"/plans/{p.pk}/")),
    Endpoint("jointplan-edit", allowed=SIGNERS, **_p(lambda p: f"/plans/{p.pk}/edit/")),
    Endpoint(
        "jointplan-edit",
        allowed=SIGNERS,
        method="post",
        data=lambda w: {k: v for k, v in _plan_form(w).items() if k != "partner"},
        **_p(lambda p: f"/plans/{p.pk}/edit/"),
    ),
    Endpoint(
        "jointplan-propose",
        allowed=STAFF,
        method="post",
        **_p(lambda p: f"/plans/{p.pk}/propose/", draft),
    ),
    Endpoint(
        "jointplan-withdraw",
        allowed=STAFF,
        method="post",
        **_p(lambda p: f"/plans/{p.pk}/withdraw/"),
    ),
    Endpoint(
        "jointplan-sign", allowed=SIGNERS, method="post", **_p(lambda p: f"/plans/{p.pk}/sign/")
    ),
    Endpoint(
        "jointplan-activate",
        allowed=STAFF,
        method="post",
        **_p(lambda p: f"/plans/{p.pk}/activate/", _future_signed),
    ),
    Endpoint("jointplan-close", allowed=STAFF, **_p(lambda p: f"/plans/{p.pk}/close/", signed)),
    Endpoint(
        "jointplan-close",
        allowed=STAFF,
        method="post",
        **_p(lambda p: f"/plans/{p.pk}/close/", signed),
    ),
    Endpoint(
        "jointplan-goal-add",
        allowed=SIGNERS,
        method="post",
        data=lambda w: GOAL,
        **_p(lambda p: f"/plans/{p.pk}/goals/"),
    ),
    Endpoint("jointplan-goal-edit", allowed=SIGNERS, **_p(lambda p: _goal_url(p, "edit/"))),
    Endpoint(
        "jointplan-goal-edit",
        allowed=SIGNERS,
        method="post",
        data=lambda w: GOAL,
        **_p(lambda p: _goal_url(p, "edit/")),
    ),
    Endpoint("jointplan-goal-remove", allowed=SIGNERS, **_p(lambda p: _goal_url(p, "remove/"))),
    Endpoint(
        "jointplan-goal-remove",
        allowed=SIGNERS,
        method="post",
        **_p(lambda p: _goal_url(p, "remove/")),
    ),
    Endpoint(
        "jointplan-initiative-add",
        allowed=SIGNERS,
        method="post",
        data=lambda w: INITIATIVE,
        **_p(lambda p: f"/plans/{p.pk}/initiatives/"),
    ),
    Endpoint("jointplan-initiative-edit", allowed=SIGNERS, **_p(lambda p: _item_url(p, "edit/"))),
    Endpoint(
        "jointplan-initiative-edit",
        allowed=SIGNERS,
        method="post",
        data=lambda w: INITIATIVE,
        **_p(lambda p: _item_url(p, "edit/")),
    ),
    # In a running plan anyone on it moves an initiative's status.
    Endpoint(
        "jointplan-initiative-status",
        allowed=PROGRAM,
        method="post",
        data=lambda w: {"status": "in_progress"},
        **_p(lambda p: _item_url(p, "status/"), signed),
    ),
    Endpoint(
        "jointplan-initiative-remove",
        allowed=SIGNERS,
        method="post",
        **_p(lambda p: _item_url(p, "remove/")),
    ),
    # --- API
    Endpoint("api-jointplan-list", lambda w: "/api/v1/plans/", PROGRAM, api=True),
    Endpoint(
        "api-jointplan-list",
        lambda w: "/api/v1/plans/",
        STAFF,
        api=True,
        method="post",
        data=_plan_form,
    ),
    Endpoint(
        "api-jointplan-detail", allowed=PROGRAM, api=True, **_p(lambda p: f"/api/v1/plans/{p.pk}/")
    ),
    Endpoint(
        "api-jointplan-detail",
        allowed=SIGNERS,
        api=True,
        method="patch",
        data=lambda w: {"title": "Renamed"},
        **_p(lambda p: f"/api/v1/plans/{p.pk}/"),
    ),
    Endpoint(
        "api-jointplan-propose",
        allowed=STAFF,
        api=True,
        method="post",
        **_p(lambda p: f"/api/v1/plans/{p.pk}/propose/", draft),
    ),
    Endpoint(
        "api-jointplan-withdraw",
        allowed=STAFF,
        api=True,
        method="post",
        **_p(lambda p: f"/api/v1/plans/{p.pk}/withdraw/"),
    ),
    Endpoint(
        "api-jointplan-sign",
        allowed=SIGNERS,
        api=True,
        method="post",
        **_p(lambda p: f"/api/v1/plans/{p.pk}/sign/"),
    ),
    Endpoint(
        "api-jointplan-activate",
        allowed=STAFF,
        api=True,
        method="post",
        **_p(lambda p: f"/api/v1/plans/{p.pk}/activate/", _future_signed),
    ),
    Endpoint(
        "api-jointplan-close",
        allowed=STAFF,
        api=True,
        method="post",
        **_p(lambda p: f"/api/v1/plans/{p.pk}/close/", signed),
    ),
    Endpoint(
        "api-jointplan-goals",
        allowed=SIGNERS,
        api=True,
        method="post",
        data=lambda w: GOAL,
        **_p(lambda p: f"/api/v1/plans/{p.pk}/goals/"),
    ),
    Endpoint(
        "api-jointplan-initiatives",
        allowed=SIGNERS,
        api=True,
        method="post",
        data=lambda w: INITIATIVE,
        **_p(lambda p: f"/api/v1/plans/{p.pk}/initiatives/"),
    ),
    Endpoint(
        "api-jointplan-goal-detail",
        allowed=PROGRAM,
        api=True,
        **_p(lambda p: f"/api/v1/plan-goals/{_goal(p).pk}/"),
    ),
    Endpoint(
        "api-jointplan-goal-detail",
        allowed=SIGNERS,
        api=True,
        method="patch",
        data=lambda w: {"target": "9"},
        **_p(lambda p: f"/api/v1/plan-goals/{_goal(p).pk}/"),
    ),
    Endpoint(
        "api-jointplan-goal-detail",
        allowed=SIGNERS,
        api=True,
        method="delete",
        **_p(lambda p: f"/api/v1/plan-goals/{_goal(p).pk}/"),
    ),
    Endpoint(
        "api-jointplan-initiative-detail",
        allowed=PROGRAM,
        api=True,
        **_p(lambda p: f"/api/v1/plan-initiatives/{_initiative(p).pk}/"),
    ),
    Endpoint(
        "api-jointplan-initiative-detail",
        allowed=PROGRAM,
        api=True,
        method="patch",
        data=lambda w: {"status": "done"},
        **_p(lambda p: f"/api/v1/plan-initiatives/{_initiative(p).pk}/", signed),
    ),
    Endpoint(
        "api-jointplan-initiative-detail",
        allowed=SIGNERS,
        api=True,
        method="delete",
        **_p(lambda p: f"/api/v1/plan-initiatives/{_initiative(p).pk}/"),
    ),
    Endpoint("api-jointplan-metrics", lambda w: "/api/v1/plan-metrics/", PROGRAM, api=True),
]
