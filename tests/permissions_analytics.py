"""Permission rows for analytics (portal and API)."""

from __future__ import annotations

from tests.permissions import EVERYONE, PROGRAM, STAFF, Endpoint

PARTNER_ROLES = {"partner_admin", "partner_user"}
ADMIN = {"admin"}

ENDPOINTS = [
    # Portal
    Endpoint("analytics-mine", lambda w: "/analytics/", PARTNER_ROLES),
    Endpoint(
        "analytics-partner",
        lambda w: f"/analytics/partners/{w.partner.pk}/",
        STAFF,
        stranger_url=lambda w, s: f"/analytics/partners/{s.partner.pk}/",
    ),
    Endpoint("analytics-manager", lambda w: "/analytics/manager/", STAFF),
    Endpoint("analytics-program", lambda w: "/analytics/program/", ADMIN),
    Endpoint("analytics-program-export", lambda w: "/analytics/program/export.csv", ADMIN),
    Endpoint("analytics-program-partners", lambda w: "/analytics/program/partners/", ADMIN),
    Endpoint(
        "analytics-recompute", lambda w: "/analytics/program/recompute/", ADMIN, method="post"
    ),
    Endpoint("analytics-settings", lambda w: "/analytics/settings/", ADMIN),
    Endpoint("analytics-settings", lambda w: "/analytics/settings/", ADMIN, method="post"),
    Endpoint("analytics-costs", lambda w: "/analytics/costs/", ADMIN),
    Endpoint("analytics-costs", lambda w: "/analytics/costs/", ADMIN, method="post"),
    Endpoint("analytics-mine-export", lambda w: "/analytics/export.csv?table=mdf", PARTNER_ROLES),
    Endpoint(
        "analytics-partner-export",
        lambda w: f"/analytics/partners/{w.partner.pk}/export.csv?table=quarters",
        STAFF,
        stranger_url=lambda w, s: f"/analytics/partners/{s.partner.pk}/export.csv?table=mdf",
    ),
    Endpoint(
        "analytics-manager-export", lambda w: "/analytics/manager/export.csv?table=at_risk", STAFF
    ),
    Endpoint("analytics-costs-export", lambda w: "/analytics/costs/export.csv?table=costs", ADMIN),
    # API
    Endpoint(
        "api-analytics-health-list", lambda w: "/api/v1/analytics/health/", EVERYONE, api=True
    ),
    Endpoint(
        "api-analytics-health-history",
        lambda w: f"/api/v1/analytics/health/history/{w.partner.pk}/",
        PROGRAM,
        api=True,
        # A sales rep sees no partner's analytics: the partner is missing for them.
        denied={404},
        stranger_url=lambda w, s: f"/api/v1/analytics/health/history/{s.partner.pk}/",
    ),
    Endpoint(
        "api-analytics-rollup-list", lambda w: "/api/v1/analytics/rollups/", EVERYONE, api=True
    ),
    Endpoint(
        "api-analytics-funnel-list", lambda w: "/api/v1/analytics/funnels/", EVERYONE, api=True
    ),
    Endpoint(
        "api-analytics-cohort-list",
        lambda w: "/api/v1/analytics/first-deal-cohorts/",
        EVERYONE,
        api=True,
    ),
    Endpoint("api-analytics-run-list", lambda w: "/api/v1/analytics/runs/", ADMIN, api=True),
    Endpoint(
        "api-analytics-run-list",
        lambda w: "/api/v1/analytics/runs/",
        ADMIN,
        api=True,
        method="post",
        expect={202},
    ),
]


def _review_url(world):
    from tests.analytics.test_analytics_reviews import ready_review

    return f"/analytics/reviews/{ready_review(world).pk}.pdf"


ENDPOINTS += [
    Endpoint("analytics-reviews", lambda w: "/analytics/reviews/", PROGRAM),
    Endpoint("analytics-reviews", lambda w: "/analytics/reviews/", PROGRAM, method="post"),
    Endpoint(
        "analytics-review-download",
        _review_url,
        PROGRAM,
        stranger_url=lambda w, s: _review_url(s),
    ),
]
ENDPOINTS += [
    Endpoint("analytics-survey", lambda w: "/analytics/survey/", PARTNER_ROLES),
    Endpoint("analytics-survey", lambda w: "/analytics/survey/", PARTNER_ROLES, method="post"),
    Endpoint(
        "api-analytics-survey-answer-list",
        lambda w: "/api/v1/analytics/survey-answers/",
        EVERYONE,
        api=True,
    ),
    Endpoint(
        "api-analytics-survey-answer-list",
        lambda w: "/api/v1/analytics/survey-answers/",
        PARTNER_ROLES,
        api=True,
        method="post",
        data=lambda w: {"score": 4, "comment": "Good"},
    ),
]
