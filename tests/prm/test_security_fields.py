"""Field-level access: partner people cannot set protected fields (status, tier, owner,
decisions, approved amounts, payment, certificate dates, health scores) through the API or
the portal forms. Every test asserts on the stored row, whatever the answer was (a 2xx
that ignored the field, or a 400/405 that refused the request; never a 500).

The world (with its MDF requests and claims) is built once for the module, in a transaction
rolled back at the end; each test runs in a savepoint."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from partners.models import Partner, PartnerStatus, PartnerType
from prm.tenancy import tenant_context
from tests.conftest import api_client, build_world, portal_client
from tests.factories import TierFactory
from tests.mdf.test_mdf_support import claim_fields, mdf_objects, request_fields
from tests.permissions import ENDPOINTS  # noqa: F401 - loads the rows (and training helpers)
from tests.permissions_training import certificate

OK_OR_REFUSED = {200, 201, 302, 400, 403, 405}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build_world("fld")
            with tenant_context(w.tenant):
                w.tier = TierFactory(tenant=w.tenant, name="Gold", rank=3)
            mdf_objects(w)
            certificate(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _reload(world, obj):
    with tenant_context(world.tenant):
        return type(obj).objects.get(pk=obj.pk)


# --- Partners: status, tier, owner, type ----------------------------------------------------

PARTNER_PROTECTED = {
    "status": PartnerStatus.SUSPENDED,
    "partner_type": PartnerType.MSP,
    "allow_any_email_domain": True,
}


def _assert_partner_unchanged(world, before: Partner):
    after = _reload(world, before)
    assert after.status == before.status
    assert after.tier_id == before.tier_id
    assert after.owner_id == before.owner_id
    assert after.partner_type == before.partner_type
    assert after.allow_any_email_domain == before.allow_any_email_domain


def test_partner_admin_cannot_set_status_tier_owner_or_type_through_the_api(world, db):
    before = _reload(world, world.partner)
    resp = api_client(world.tenant, world.partner_admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {
            "name": "Renamed Co",
            **PARTNER_PROTECTED,
            "tier": world.tier.pk,
            "owner": world.channel_manager.pk,
        },
        format="json",
    )
    assert resp.status_code == 200, resp.content
    _assert_partner_unchanged(world, before)
    assert _reload(world, before).name == "Renamed Co"  # allowed field applied, others ignored


def test_partner_admin_cannot_set_status_tier_owner_or_type_in_the_company_form(world, db):
    before = _reload(world, world.partner)
    resp = portal_client(world.tenant, world.partner_admin).post(
        "/company/edit/",
        {
            "name": "Renamed in portal",
            "country": "DE",
            **PARTNER_PROTECTED,
            "tier": world.tier.pk,
            "owner": world.channel_manager.pk,
        },
    )
    assert resp.status_code == 302, resp.content[-2000:]
    _assert_partner_unchanged(world, before)
    assert _reload(world, before).name == "Renamed in portal"  # the form itself was valid


# --- MDF requests: status, approved amount, decision, campaign code -----------------------

REQUEST_PROTECTED = {
    "status": "approved",
    "approved_amount": "99999.00",
    "campaign_code": "HACKED",
    "decision_reason": "self-approved",
    "decided_at": "2030-01-01T00:00:00Z",
    "claim_deadline": "2099-01-01",
}


def _assert_request_not_decided(req, world):
    assert req.status in {"draft", "submitted"}
    assert req.approved_amount in (None, Decimal("0"))
    assert req.campaign_code != "HACKED" and req.decision_reason != "self-approved"
    assert req.decided_at is None
    assert req.partner_id == world.partner.pk


def test_partner_cannot_approve_an_mdf_request_by_patching_it(world, db):
    req = mdf_objects(world).submitted
    resp = api_client(world.tenant, world.partner_admin).patch(
        f"/api/v1/mdf/requests/{req.pk}/",
        {**REQUEST_PROTECTED, "partner": world.other_partner.pk, "title": "Changed"},
        format="json",
    )
    assert resp.status_code in OK_OR_REFUSED
    _assert_request_not_decided(_reload(world, req), world)


def test_partner_cannot_create_an_approved_mdf_request(world, db):
    from mdf.models import FundRequest

    program = mdf_objects(world).program
    with tenant_context(world.tenant):
        fields = request_fields(program, title="Self approved")
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/mdf/requests/",
        {
            "program": program.pk,
            **fields,
            **REQUEST_PROTECTED,
            "partner": world.other_partner.pk,
        },
        format="json",
    )
    assert resp.status_code in OK_OR_REFUSED
    with tenant_context(world.tenant):
        created = list(FundRequest.objects.filter(title="Self approved"))
    for req in created:
        _assert_request_not_decided(req, world)


# --- MDF claims: approval and payment -------------------------------------------------------

CLAIM_PROTECTED = {
    "status": "paid",
    "approved_amount": "50000.00",
    "approved_amount_program": "50000.00",
    "exchange_rate": "9.9",
    "decision_reason": "self-approved",
    "decided_at": "2030-01-01T00:00:00Z",
    "payment_reference": "HACK-PAY",
    "paid_on": "2030-01-01",
}


def _assert_claim_not_decided(claim):
    assert claim.status in {"submitted", "info_requested", "checking", "review"}
    assert claim.approved_amount is None
    assert claim.payment_reference != "HACK-PAY" and claim.paid_on is None
    assert claim.decided_at is None and claim.decision_reason != "self-approved"


def test_partner_cannot_approve_or_pay_a_claim_when_resubmitting_it(world, db):
    m = mdf_objects(world)
    claim = m.claim_info
    with tenant_context(world.tenant):
        fields = claim_fields(claim.request)
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/mdf/claims/{claim.pk}/resubmit/", {**fields, **CLAIM_PROTECTED}, format="json"
    )
    assert resp.status_code in OK_OR_REFUSED
    _assert_claim_not_decided(_reload(world, claim))


def test_partner_cannot_file_a_claim_that_is_already_approved_and_paid(world, db):
    from mdf.models import Claim

    req = mdf_objects(world).approved_unclaimed
    with tenant_context(world.tenant):
        fields = claim_fields(req)
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/mdf/claims/", {"request": req.pk, **fields, **CLAIM_PROTECTED}, format="json"
    )
    assert resp.status_code in OK_OR_REFUSED
    with tenant_context(world.tenant):
        claims = list(Claim.objects.filter(request=req))
    for claim in claims:
        _assert_claim_not_decided(claim)


# --- Certificates and health scores are read-only in the API -------------------------------


def test_certificate_dates_cannot_be_changed_through_the_api(world, db):
    cert = certificate(world)
    client = api_client(world.tenant, world.partner_user)
    for method in ("patch", "put"):
        resp = getattr(client, method)(
            f"/api/v1/certificates/{cert.pk}/",
            {"expires_at": "2099-01-01T00:00:00Z", "issued_at": "2000-01-01T00:00:00Z"},
            format="json",
        )
        assert resp.status_code in {403, 405}
    after = _reload(world, cert)
    assert after.expires_at == cert.expires_at and after.issued_at == cert.issued_at


def test_health_scores_cannot_be_written_through_the_api(world, db):
    from analytics.models import HealthSnapshot

    client = api_client(world.tenant, world.partner_admin)
    with tenant_context(world.tenant):
        before = list(HealthSnapshot.objects.values_list("pk", "score"))
    for method, path in (
        ("post", "/api/v1/analytics/health/"),
        ("patch", f"/api/v1/analytics/health/history/{world.partner.pk}/"),
        ("post", f"/api/v1/analytics/health/history/{world.partner.pk}/"),
    ):
        resp = getattr(client, method)(
            path, {"partner": world.partner.pk, "score": 100}, format="json"
        )
        assert resp.status_code in {403, 404, 405}, (method, path)
    with tenant_context(world.tenant):
        assert list(HealthSnapshot.objects.values_list("pk", "score")) == before


# --- Deals through the portal form ---------------------------------------------------------


def test_partner_cannot_set_deal_status_or_protection_in_the_portal_form(world, db):
    from dealreg import services as deal_services
    from dealreg.models import Deal, DealStatus

    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=world.partner_admin,
            data={"customer_name": "Hooli", "customer_domain_input": "hooli.example"},
        )
    portal_client(world.tenant, world.partner_admin).post(
        f"/deals/{deal.pk}/edit/",
        {
            "customer_name": "Hooli",
            "customer_domain_input": "hooli.example",
            "status": DealStatus.APPROVED,
            "protected_until": "2099-01-01",
            "decision_reason": "mine",
            "partner": world.other_partner.pk,
        },
    )
    with tenant_context(world.tenant):
        after = Deal.objects.get(pk=deal.pk)
    assert after.status == DealStatus.DRAFT and after.protected_until is None
    assert after.partner_id == world.partner.pk and after.decision_reason != "mine"
