"""The API endpoints that close the portal/API parity gaps (issue #8): for each, the happy
path with its audit entry, field errors on bad input, and the roles that are refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from prm.models import AuditEvent, Member, TenantHost
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.factories import (
    BusinessReviewFactory,
    SpecialtyFactory,
    TenantExportFactory,
    TenantHostFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _audited(tenant, action: str, object_id=None) -> bool:
    with tenant_context(tenant):
        qs = AuditEvent.objects.filter(action=action)
        if object_id is not None:
            qs = qs.filter(object_id=str(object_id))
        return qs.exists()


def _field_error(resp, field: str) -> None:
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["type"] == "validation_error"
    assert field in body["errors"], body


@pytest.fixture
def tier(world):

    with tenant_context(world.tenant):
        return TierFactory(tenant=world.tenant, name="Gold", rank=2)


# --- Tenant host names --------------------------------------------------------------------


def test_admin_adds_and_removes_a_custom_host_name(world):
    api = api_client(world.tenant, world.admin)
    resp = api.post("/api/v1/tenant/hosts/", {"host": "Partners.Acme-Corp.example."}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["host"] == "partners.acme-corp.example"
    pk = resp.json()["id"]
    assert _audited(world.tenant, "tenant.host_added", pk)
    assert [h["host"] for h in api.get("/api/v1/tenant/hosts/").json()["results"]] == [
        "partners.acme-corp.example"
    ]

    resp = api.delete(f"/api/v1/tenant/hosts/{pk}/")
    assert resp.status_code == 204
    assert not TenantHost.objects.filter(pk=pk).exists()
    assert _audited(world.tenant, "tenant.host_removed", pk)


def test_host_names_of_the_base_domain_or_malformed_are_field_errors(world, settings):
    api = api_client(world.tenant, world.admin)
    resp = api.post(
        "/api/v1/tenant/hosts/", {"host": f"x.{settings.PRM_BASE_DOMAIN}"}, format="json"
    )
    _field_error(resp, "host")
    _field_error(api.post("/api/v1/tenant/hosts/", {"host": "not a host!"}, format="json"), "host")
    assert not TenantHost.objects.filter(tenant=world.tenant).exists()


def test_a_host_name_verified_by_another_tenant_is_a_field_error(world, stranger):
    from tests.fake_dns import verified_host

    verified_host(stranger.tenant, stranger.admin, "shared.example")
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/tenant/hosts/", {"host": "shared.example"}, format="json"
    )
    _field_error(resp, "host")


def test_only_admins_manage_host_names_and_never_another_tenants(world, stranger):
    theirs = TenantHostFactory(tenant=stranger.tenant, host="theirs.example")
    resp = api_client(world.tenant, world.channel_manager).post(
        "/api/v1/tenant/hosts/", {"host": "cm.example"}, format="json"
    )
    assert resp.status_code == 403
    resp = api_client(world.tenant, world.admin).delete(f"/api/v1/tenant/hosts/{theirs.pk}/")
    assert resp.status_code == 404
    assert TenantHost.objects.filter(pk=theirs.pk).exists()


# --- Whole-tenant export and deletion -----------------------------------------------------


def test_admin_requests_a_tenant_export_which_is_not_downloadable_until_built(world):
    api = api_client(world.tenant, world.admin)
    resp = api.post("/api/v1/tenant/exports/", {}, format="json")
    assert resp.status_code == 202, resp.content
    export = resp.json()
    assert export["status"] == "queued" and export["is_downloadable"] is False
    assert _audited(world.tenant, "tenant.export_requested", export["id"])
    assert api.get(f"/api/v1/tenant/exports/{export['id']}/download/").status_code == 404


def test_a_ready_tenant_export_downloads_as_zip_and_is_audited(world, settings, tmp_path):

    settings.MEDIA_ROOT = tmp_path
    with tenant_context(world.tenant):
        export = TenantExportFactory(
            tenant=world.tenant,
            status="ready",
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
        export.file.save("export.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    resp = api_client(world.tenant, world.admin).get(
        f"/api/v1/tenant/exports/{export.pk}/download/"
    )
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/zip"
    assert b"".join(resp.streaming_content).startswith(b"PK")
    assert _audited(world.tenant, "tenant.export_downloaded", export.pk)


def test_tenant_exports_are_for_admins_only(world):
    api = api_client(world.tenant, world.channel_manager)
    assert api.post("/api/v1/tenant/exports/", {}, format="json").status_code == 403
    assert api.get("/api/v1/tenant/exports/").status_code == 403


def test_tenant_deletion_needs_the_exact_slug_and_can_be_cancelled(world):
    from tenantdata.models import TenantDeletion

    api = api_client(world.tenant, world.admin)
    _field_error(
        api.post("/api/v1/tenant/deletion/", {"confirm": "nope"}, format="json"), "confirm"
    )
    _field_error(api.post("/api/v1/tenant/deletion/", {}, format="json"), "confirm")
    assert api.get("/api/v1/tenant/deletion/").status_code == 404
    with tenant_context(world.tenant):
        assert not TenantDeletion.objects.exists()

    resp = api.post("/api/v1/tenant/deletion/", {"confirm": world.tenant.slug}, format="json")
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["status"] == "pending"
    assert _audited(world.tenant, "tenant.deletion_requested", pk)
    assert api.get("/api/v1/tenant/deletion/").json()["id"] == pk
    # A second request while one is pending is refused.
    resp = api.post("/api/v1/tenant/deletion/", {"confirm": world.tenant.slug}, format="json")
    assert resp.status_code == 400

    resp = api.post("/api/v1/tenant/deletion/cancel/", {}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "cancelled"
    assert _audited(world.tenant, "tenant.deletion_cancelled", pk)
    assert api.post("/api/v1/tenant/deletion/cancel/", {}, format="json").status_code == 400


def test_tenant_deletion_is_refused_to_everyone_but_admins(world):
    from tenantdata.models import TenantDeletion

    for member in (world.channel_manager, world.partner_admin):
        resp = api_client(world.tenant, member).post(
            "/api/v1/tenant/deletion/", {"confirm": world.tenant.slug}, format="json"
        )
        assert resp.status_code == 403
    with tenant_context(world.tenant):
        assert not TenantDeletion.objects.exists()


# --- Personal data ------------------------------------------------------------------------


def test_any_member_requests_their_own_data_export(world):
    resp = api_client(world.tenant, world.partner_user).post(
        "/api/v1/me/data-export/", {}, format="json"
    )
    assert resp.status_code == 202
    assert _audited(world.tenant, "privacy.export_requested", world.partner_user.pk)


def test_erasure_needs_the_persons_exact_email(world):
    api = api_client(world.tenant, world.admin)
    target = world.partner_user
    resp = api.post(f"/api/v1/members/{target.pk}/erase/", {"confirm": "x@y.z"}, format="json")
    _field_error(resp, "confirm")
    _field_error(api.post(f"/api/v1/members/{target.pk}/erase/", {}, format="json"), "confirm")
    with tenant_context(world.tenant):
        assert Member.objects.get(pk=target.pk).is_active

    resp = api.post(
        f"/api/v1/members/{target.pk}/erase/",
        {"confirm": target.user.email.upper()},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert set(resp.json()) == {"audit_rows", "api_keys", "invitations"}
    with tenant_context(world.tenant):
        assert not Member.objects.get(pk=target.pk).is_active
    assert _audited(world.tenant, "privacy.person_erased", target.pk)


def test_erasure_is_for_admins_and_never_of_oneself(world, stranger):
    target = world.partner_user
    resp = api_client(world.tenant, world.channel_manager).post(
        f"/api/v1/members/{target.pk}/erase/", {"confirm": target.user.email}, format="json"
    )
    assert resp.status_code == 403
    api = api_client(world.tenant, world.admin)
    resp = api.post(
        f"/api/v1/members/{world.admin.pk}/erase/",
        {"confirm": world.admin.user.email},
        format="json",
    )
    assert resp.status_code == 400
    resp = api.post(
        f"/api/v1/members/{stranger.partner_user.pk}/erase/",
        {"confirm": stranger.partner_user.user.email},
        format="json",
    )
    assert resp.status_code == 404


def test_portal_erasure_still_checks_the_typed_email(world):
    from tests.conftest import portal_client

    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/privacy/erase/{world.partner_user.pk}/", {"confirm": "wrong"})
    assert resp.status_code == 400
    resp = client.post(
        f"/privacy/erase/{world.partner_user.pk}/", {"confirm": world.partner_user.user.email}
    )
    assert resp.status_code == 302
    assert _audited(world.tenant, "privacy.person_erased", world.partner_user.pk)


# --- Manual tier placement ----------------------------------------------------------------


def test_admin_places_a_partner_in_a_tier_with_a_reason(world, tier):
    from partners.models import TierChange

    api = api_client(world.tenant, world.admin)
    resp = api.post(
        f"/api/v1/partners/{world.partner.pk}/tier/",
        {"tier": tier.pk, "reason": "Strategic account"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["tier"]["id"] == tier.pk
    assert _audited(world.tenant, "partner.tier_set_manually", world.partner.pk)
    with tenant_context(world.tenant):
        change = TierChange.objects.get(partner=world.partner)
    assert change.reason == "manual: Strategic account"


def test_a_tier_placement_needs_a_reason_and_a_known_tier(world, tier):
    api = api_client(world.tenant, world.admin)
    url = f"/api/v1/partners/{world.partner.pk}/tier/"
    _field_error(api.post(url, {"tier": tier.pk}, format="json"), "reason")
    _field_error(api.post(url, {"tier": tier.pk, "reason": "   "}, format="json"), "reason")
    _field_error(api.post(url, {"tier": 999999, "reason": "x"}, format="json"), "tier")
    with tenant_context(world.tenant):
        world.partner.refresh_from_db()
    assert world.partner.tier_id is None


def test_channel_managers_cannot_place_partners_in_tiers(world, tier):
    resp = api_client(world.tenant, world.channel_manager).post(
        f"/api/v1/partners/{world.partner.pk}/tier/",
        {"tier": tier.pk, "reason": "because"},
        format="json",
    )
    assert resp.status_code == 403


# --- Onboarding settings and uploads ------------------------------------------------------


def test_admin_changes_the_onboarding_rules(world):
    api = api_client(world.tenant, world.admin)
    resp = api.patch(
        "/api/v1/onboarding-settings/",
        {"auto_reject_below": 20, "auto_approve_above": 80},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["auto_approve_above"] == 80
    assert _audited(world.tenant, "onboarding.settings_updated")
    resp = api.patch(
        "/api/v1/onboarding-settings/", {"auto_reject_below": 90}, format="json"
    )  # now above the approval score
    _field_error(resp, "auto_approve_above")
    _field_error(
        api.patch("/api/v1/onboarding-settings/", {"reminder_days_before": 99}, format="json"),
        "reminder_days_before",
    )


def test_admin_changes_the_ideal_partner_profile(world):

    with tenant_context(world.tenant):
        cloud = SpecialtyFactory(tenant=world.tenant, name="Cloud")
    api = api_client(world.tenant, world.admin)
    resp = api.patch(
        "/api/v1/onboarding-settings/ideal-partner-profile/",
        {"countries": ["de", "FR"], "partner_types": ["reseller"], "specialties": [cloud.pk]},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["countries"] == ["DE", "FR"] and body["specialties"] == [cloud.pk]
    assert _audited(world.tenant, "onboarding.ideal_profile_updated")


def test_bad_ideal_profile_values_are_field_errors(world, stranger):

    with tenant_context(stranger.tenant):
        theirs = SpecialtyFactory(tenant=stranger.tenant, name="Theirs")
    api = api_client(world.tenant, world.admin)
    url = "/api/v1/onboarding-settings/ideal-partner-profile/"
    _field_error(api.patch(url, {"countries": ["XX"]}, format="json"), "countries")
    _field_error(api.patch(url, {"regions": ["mars"]}, format="json"), "regions")
    _field_error(api.patch(url, {"specialties": [theirs.pk]}, format="json"), "specialties")
    resp = api.patch(url, {"revenue_min": "500.00", "revenue_max": "100.00"}, format="json")
    _field_error(resp, "revenue_max")


def test_onboarding_settings_are_for_admins_only(world):
    api = api_client(world.tenant, world.channel_manager)
    assert api.patch("/api/v1/onboarding-settings/", {}, format="json").status_code == 403
    url = "/api/v1/onboarding-settings/ideal-partner-profile/"
    assert api_client(world.tenant, world.partner_admin).get(url).status_code == 403


@pytest.fixture
def upload_step(world, settings, tmp_path):
    from onboarding import services

    settings.MEDIA_ROOT = tmp_path
    with tenant_context(world.tenant):
        services.workflow_template_save(
            by=world.admin,
            name="Reseller onboarding",
            partner_type=world.partner.partner_type,
            steps=[
                {"kind": "manual", "title": "Kick-off"},
                {"kind": "upload_document", "title": "Certificate"},
            ],
        )
        wf = services.workflow_start(partner=world.partner)
        return wf, wf.steps.get(kind="upload_document")


def test_partner_uploads_the_document_of_an_onboarding_step(world, upload_step):
    wf, step = upload_step
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/onboarding-progress/{wf.pk}/documents/",
        {"step": step.pk, "document": SimpleUploadedFile("cert.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    with tenant_context(world.tenant):
        step.refresh_from_db()
    assert step.is_done and step.document_content_type == "application/pdf"
    assert _audited(world.tenant, "onboarding.step_completed", step.pk)


def test_a_document_is_checked_from_its_bytes(world, upload_step):
    wf, step = upload_step
    resp = api_client(world.tenant, world.partner_user).post(
        f"/api/v1/onboarding-progress/{wf.pk}/documents/",
        {"step": step.pk, "document": SimpleUploadedFile("cert.pdf", b"just text, not a pdf")},
        format="multipart",
    )
    _field_error(resp, "document")
    with tenant_context(world.tenant):
        step.refresh_from_db()
    assert not step.is_done


def test_uploads_need_an_upload_step_of_ones_own_onboarding(world, upload_step):
    wf, step = upload_step
    with tenant_context(world.tenant):
        manual = wf.steps.get(kind="manual")
    api = api_client(world.tenant, world.partner_admin)
    resp = api.post(
        f"/api/v1/onboarding-progress/{wf.pk}/documents/",
        {"step": manual.pk, "document": SimpleUploadedFile("c.pdf", PDF_BYTES)},
        format="multipart",
    )
    _field_error(resp, "step")
    other = api_client(world.tenant, world.other_partner_user).post(
        f"/api/v1/onboarding-progress/{wf.pk}/documents/",
        {"step": step.pk, "document": SimpleUploadedFile("c.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert other.status_code == 404
    staff = api_client(world.tenant, world.channel_manager).post(
        f"/api/v1/onboarding-progress/{wf.pk}/documents/",
        {"step": step.pk, "document": SimpleUploadedFile("c.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert staff.status_code == 403


# --- Analytics ----------------------------------------------------------------------------


def test_admin_changes_health_weights_and_thresholds(world):
    api = api_client(world.tenant, world.admin)
    resp = api.patch(
        "/api/v1/analytics/settings/",
        {"weight_pipeline": 40, "at_risk_below": 30, "currency": "eur"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["currency"] == "EUR" and resp.json()["weight_pipeline"] == 40
    assert _audited(world.tenant, "analytics.settings_updated")


def test_bad_analytics_settings_are_field_errors(world):
    from analytics.rules import COMPONENTS

    api = api_client(world.tenant, world.admin)
    url = "/api/v1/analytics/settings/"
    _field_error(api.patch(url, {"currency": "E1R"}, format="json"), "currency")
    _field_error(api.patch(url, {"at_risk_drop": 0}, format="json"), "at_risk_drop")
    zero = {f"weight_{k}": 0 for k in COMPONENTS}
    _field_error(api.patch(url, zero, format="json"), "weight_pipeline")
    assert not _audited(world.tenant, "analytics.settings_updated")


def test_admin_adds_and_lists_program_costs(world, tier):
    api = api_client(world.tenant, world.admin)
    resp = api.post(
        "/api/v1/analytics/costs/",
        {
            "tier": tier.pk,
            "amount": "1200.50",
            "currency": "usd",
            "incurred_on": "2024-03-01",
            "description": "Partner summit",
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["amount"] == "1200.50" and body["currency"] == "USD"
    assert body["tier_name"] == "Gold" and body["partner"] is None
    assert _audited(world.tenant, "analytics.program_cost_added", body["id"])
    assert [c["id"] for c in api.get("/api/v1/analytics/costs/").json()["results"]] == [body["id"]]


def test_a_program_cost_needs_a_partner_or_a_tier_and_a_positive_amount(world, tier):
    api = api_client(world.tenant, world.admin)
    base = {"amount": "10.00", "currency": "USD", "incurred_on": "2024-03-01", "description": "x"}
    _field_error(
        api.post(
            "/api/v1/analytics/costs/",
            {**base, "tier": tier.pk, "partner": world.partner.pk},
            format="json",
        ),
        "partner",
    )
    _field_error(api.post("/api/v1/analytics/costs/", base, format="json"), "partner")
    _field_error(
        api.post(
            "/api/v1/analytics/costs/", {**base, "tier": tier.pk, "amount": "0"}, format="json"
        ),
        "amount",
    )


def test_program_costs_are_for_admins_only(world):
    assert (
        api_client(world.tenant, world.channel_manager).get("/api/v1/analytics/costs/").status_code
        == 403
    )


def test_partner_requests_its_business_review(world):
    from analytics.reviews import last_complete_quarter

    quarter = last_complete_quarter().isoformat()
    api = api_client(world.tenant, world.partner_admin)
    resp = api.post(
        "/api/v1/analytics/reviews/",
        {"partner": world.partner.pk, "period_start": quarter},
        format="json",
    )
    assert resp.status_code == 202, resp.content
    review = resp.json()
    assert review["status"] == "queued" and review["period_start"] == quarter
    assert _audited(world.tenant, "analytics.review_requested", review["id"])
    assert [r["id"] for r in api.get("/api/v1/analytics/reviews/").json()["results"]] == [
        review["id"]
    ]
    # Not built yet: nothing to download.
    assert api.get(f"/api/v1/analytics/reviews/{review['id']}/download/").status_code == 404


def test_reviews_of_other_partners_or_quarters_out_of_range_are_refused(world):
    from analytics.reviews import last_complete_quarter

    api = api_client(world.tenant, world.partner_admin)
    quarter = last_complete_quarter().isoformat()
    resp = api.post(
        "/api/v1/analytics/reviews/",
        {"partner": world.other_partner.pk, "period_start": quarter},
        format="json",
    )
    _field_error(resp, "partner")
    resp = api.post(
        "/api/v1/analytics/reviews/",
        {"partner": world.partner.pk, "period_start": "2001-01-01"},
        format="json",
    )
    _field_error(resp, "period_start")


def test_a_ready_review_downloads_for_its_partner_only(world, settings, tmp_path):
    from analytics.models import BusinessReview

    settings.MEDIA_ROOT = tmp_path
    with tenant_context(world.tenant):
        review = BusinessReviewFactory(
            tenant=world.tenant,
            partner=world.partner,
            period_start=datetime.date(2024, 1, 1),
            status=BusinessReview.Status.READY,
        )
        review.pdf.save("r.pdf", ContentFile(PDF_BYTES))
    url = f"/api/v1/analytics/reviews/{review.pk}/download/"
    resp = api_client(world.tenant, world.partner_user).get(url)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert b"".join(resp.streaming_content) == PDF_BYTES
    assert api_client(world.tenant, world.other_partner_user).get(url).status_code == 404


def test_program_cost_amounts_keep_their_decimals(world, tier):
    from analytics.models import ProgramCost

    api_client(world.tenant, world.admin).post(
        "/api/v1/analytics/costs/",
        {
            "tier": tier.pk,
            "amount": "0.10",
            "currency": "USD",
            "incurred_on": "2024-03-01",
            "description": "Stamps",
        },
        format="json",
    )
    with tenant_context(world.tenant):
        assert ProgramCost.objects.get().amount == Decimal("0.10")
