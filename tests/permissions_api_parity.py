"""Permission rows for the API endpoints that close the portal/API parity gaps (issue #8):
tenant host names, whole-tenant export and deletion, personal data, a manual tier placement,
onboarding settings and uploads, analytics settings, costs and business reviews."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from prm.tenancy import tenant_context
from tests.factories import BusinessReviewFactory
from tests.permissions import EVERYONE, PROGRAM, Endpoint
from tests.permissions_onboarding import workflow

ADMIN = {"admin"}
PARTNER_ROLES = {"partner_admin", "partner_user"}


def _once(w, name: str, make):
    if not hasattr(w, name):
        with tenant_context(w.tenant):
            setattr(w, name, make(w))
    return getattr(w, name)


def _host(w):
    from prm import services

    return _once(
        w,
        "parity_host",
        lambda w: services.tenant_host_add(
            tenant=w.tenant, by=w.admin, host=f"partners.{w.tenant.slug}-corp.example"
        ),
    )


def _export(w):
    from tenantdata import services as tenant_data

    return _once(w, "parity_export", lambda w: tenant_data.export_request(by=w.admin))


def _pending_deletion(w):
    from tenantdata import services as tenant_data

    return _once(
        w,
        "parity_deletion",
        lambda w: tenant_data.deletion_request(by=w.admin, confirm=w.tenant.slug),
    )


def _cost(w):
    from analytics import services

    return _once(
        w,
        "parity_cost",
        lambda w: services.program_cost_add(
            tenant=w.tenant,
            partner=w.partner,
            amount=Decimal("100.00"),
            currency="USD",
            incurred_on=datetime.date(2024, 1, 15),
            description="Booth",
        ),
    )


def _owned_partner(w):
    """The world's partner, owned by its channel manager (who reviews their own partners)."""
    from partners.models import Partner

    def make(w):
        Partner.objects.filter(pk=w.partner.pk).update(owner=w.channel_manager)
        return w.partner

    return _once(w, "parity_owned_partner", make)


def _quarter():
    from analytics.reviews import last_complete_quarter

    return last_complete_quarter(timezone.localdate()).isoformat()


def _review(w):

    _owned_partner(w)
    return _once(
        w,
        "parity_review",
        lambda w: BusinessReviewFactory(
            tenant=w.tenant, partner=w.partner, period_start=datetime.date(2024, 1, 1)
        ),
    )


ENDPOINTS = [
    # Tenant host names
    Endpoint("api-tenant-host-list", lambda w: "/api/v1/tenant/hosts/", ADMIN, api=True),
    Endpoint(
        "api-tenant-host-list",
        lambda w: "/api/v1/tenant/hosts/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"host": f"prm.{w.tenant.slug}-partners.example"},
    ),
    Endpoint(
        "api-tenant-host-detail",
        lambda w: f"/api/v1/tenant/hosts/{_host(w).pk}/",
        ADMIN,
        method="delete",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/tenant/hosts/{_host(s).pk}/",
    ),
    Endpoint(
        "api-tenant-host-verify",
        lambda w: f"/api/v1/tenant/hosts/{_host(w).pk}/verify/",
        ADMIN,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/tenant/hosts/{_host(s).pk}/verify/",
    ),
    Endpoint(
        "api-tenant-host-canonical",
        lambda w: f"/api/v1/tenant/hosts/{_host(w).pk}/canonical/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"is_canonical": False},
        stranger_url=lambda w, s: f"/api/v1/tenant/hosts/{_host(s).pk}/canonical/",
    ),
    # Whole-tenant export and deletion
    Endpoint("api-tenant-export-list", lambda w: "/api/v1/tenant/exports/", ADMIN, api=True),
    Endpoint(
        "api-tenant-export-list",
        lambda w: "/api/v1/tenant/exports/",
        ADMIN,
        method="post",
        api=True,
        expect={202},
    ),
    Endpoint(
        "api-tenant-export-detail",
        lambda w: f"/api/v1/tenant/exports/{_export(w).pk}/",
        ADMIN,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/tenant/exports/{_export(s).pk}/",
    ),
    # Not built yet (queued): nobody may download it, like an expired link.
    Endpoint(
        "api-tenant-export-download",
        lambda w: f"/api/v1/tenant/exports/{_export(w).pk}/download/",
        ADMIN,
        api=True,
        expect={404},
    ),
    Endpoint(
        "api-tenant-deletion",
        lambda w: (_pending_deletion(w), "/api/v1/tenant/deletion/")[1],
        ADMIN,
        api=True,
    ),
    Endpoint(
        "api-tenant-deletion",
        lambda w: "/api/v1/tenant/deletion/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"confirm": w.tenant.slug},
    ),
    Endpoint(
        "api-tenant-deletion-cancel",
        lambda w: (_pending_deletion(w), "/api/v1/tenant/deletion/cancel/")[1],
        ADMIN,
        method="post",
        api=True,
    ),
    # Personal data
    Endpoint(
        "api-me-data-export",
        lambda w: "/api/v1/me/data-export/",
        EVERYONE,
        method="post",
        api=True,
        expect={202},
    ),
    Endpoint(
        "api-member-erase",
        lambda w: f"/api/v1/members/{w.other_partner_user.pk}/erase/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"confirm": w.other_partner_user.user.email},
        stranger_url=lambda w, s: f"/api/v1/members/{s.other_partner_user.pk}/erase/",
    ),
    # Partners: manual tier placement
    Endpoint(
        "api-partner-tier",
        lambda w: f"/api/v1/partners/{w.partner.pk}/tier/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"tier": w.tier.pk, "reason": "Strategic account"},
        stranger_url=lambda w, s: f"/api/v1/partners/{s.partner.pk}/tier/",
    ),
    # Onboarding settings and uploads
    Endpoint("api-onboarding-settings", lambda w: "/api/v1/onboarding-settings/", ADMIN, api=True),
    Endpoint(
        "api-onboarding-settings",
        lambda w: "/api/v1/onboarding-settings/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"reminder_days_before": 5},
    ),
    Endpoint(
        "api-ideal-partner-profile",
        lambda w: "/api/v1/onboarding-settings/ideal-partner-profile/",
        ADMIN,
        api=True,
    ),
    Endpoint(
        "api-ideal-partner-profile",
        lambda w: "/api/v1/onboarding-settings/ideal-partner-profile/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"countries": ["DE"]},
    ),
    # The matrix sends JSON: partner people get past the permission check to the 415 of a
    # non-multipart body (real uploads: tests/prm/test_api_parity_endpoints.py).
    Endpoint(
        "api-onboarding-progress-documents",
        lambda w: f"/api/v1/onboarding-progress/{workflow(w).pk}/documents/",
        PARTNER_ROLES,
        method="post",
        api=True,
        expect={415},
    ),
    # Analytics
    Endpoint("api-analytics-settings", lambda w: "/api/v1/analytics/settings/", ADMIN, api=True),
    Endpoint(
        "api-analytics-settings",
        lambda w: "/api/v1/analytics/settings/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"at_risk_below": 35},
    ),
    Endpoint("api-analytics-cost-list", lambda w: "/api/v1/analytics/costs/", ADMIN, api=True),
    Endpoint(
        "api-analytics-cost-list",
        lambda w: "/api/v1/analytics/costs/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {
            "tier": w.tier.pk,
            "amount": "250.00",
            "currency": "EUR",
            "incurred_on": "2024-02-01",
            "description": "Partner summit",
        },
    ),
    Endpoint(
        "api-analytics-cost-detail",
        lambda w: f"/api/v1/analytics/costs/{_cost(w).pk}/",
        ADMIN,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/analytics/costs/{_cost(s).pk}/",
    ),
    Endpoint(
        "api-analytics-review-list", lambda w: "/api/v1/analytics/reviews/", PROGRAM, api=True
    ),
    Endpoint(
        "api-analytics-review-list",
        lambda w: "/api/v1/analytics/reviews/",
        PROGRAM,
        method="post",
        api=True,
        data=lambda w: {"partner": _owned_partner(w).pk, "period_start": _quarter()},
        expect={202},
    ),
    Endpoint(
        "api-analytics-review-detail",
        lambda w: f"/api/v1/analytics/reviews/{_review(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/analytics/reviews/{_review(s).pk}/",
    ),
    # Still being prepared: no PDF to download yet.
    Endpoint(
        "api-analytics-review-download",
        lambda w: f"/api/v1/analytics/reviews/{_review(w).pk}/download/",
        PROGRAM,
        api=True,
        expect={404},
    ),
]
