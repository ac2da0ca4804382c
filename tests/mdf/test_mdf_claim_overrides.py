"""A claim whose automatic check failed says so wherever it appears (the review queue, the
claim's page, the API), and approving it needs an explicit, audited override with a reason."""

from __future__ import annotations

import pytest

from mdf import services
from mdf.models import Claim, LedgerEntry
from prm.errors import DomainError
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.mdf.test_mdf_support import claim_fields, make_program, pdf_upload, request_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def claims(world):
    """Two submitted claims of world.partner: `clean` passes every check, `failing` has no
    invoice (the program's rule requires one), so its proof check fails."""
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="20000", by=None)

        def claim(title, documents):
            req = services.request_submit(
                program=program,
                by=world.partner_admin,
                **request_fields(program, title=title),
            )
            req = services.request_transition(request=req, to="approved", by=world.channel_manager)
            return services.claim_submit(
                request=req, by=world.partner_user, documents=documents, **claim_fields(req)
            )

        clean = claim("Roadshow", [("invoice", pdf_upload())])
        failing = claim("Summit", [])
    return world, clean, failing


def _status(world, claim) -> str:
    with tenant_context(world.tenant):
        return Claim.objects.get(pk=claim.pk).status


# --- Service ------------------------------------------------------------------------------


def test_approving_a_claim_with_a_failed_check_needs_an_override_reason(claims):
    world, _clean, failing = claims
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            services.claim_approve(claim=failing, by=world.channel_manager)
        assert exc.value.field == "override_reason"
        with pytest.raises(DomainError):
            services.claim_approve(claim=failing, by=world.channel_manager, override_reason="  ")
        assert Claim.objects.get(pk=failing.pk).status == "submitted"
        assert not LedgerEntry.objects.filter(claim=failing).exists()


def test_an_override_is_recorded_on_the_claim_and_audited_with_the_failed_checks(claims):
    world, _clean, failing = claims
    with tenant_context(world.tenant):
        claim = services.claim_approve(
            claim=failing,
            by=world.channel_manager,
            override_reason="Invoice received by e-mail.",
        )
        assert claim.status == "approved"
        assert claim.check_override_reason == "Invoice received by e-mail."
        event = AuditEvent.objects.filter(action="mdf.claim.checks_overridden").get()
    assert event.object_id == str(claim.pk)
    assert event.after["reason"] == "Invoice received by e-mail."
    assert event.after["failed_checks"] == ["Required proof present"]


def test_a_claim_passing_every_check_is_approved_without_an_override(claims):
    world, clean, _failing = claims
    with tenant_context(world.tenant):
        claim = services.claim_approve(claim=clean, by=world.channel_manager)
        assert claim.status == "approved" and claim.check_override_reason == ""
        assert not AuditEvent.objects.filter(action="mdf.claim.checks_overridden").exists()


# --- Portal -------------------------------------------------------------------------------


def test_the_review_queue_marks_a_failed_check_as_failed(claims):
    world, clean, failing = claims
    page = portal_client(world.tenant, world.channel_manager).get("/mdf/review/claims/")
    html = page.content.decode()
    rows = {
        pk: html.split(f"/mdf/claims/{pk}/", 1)[1].split("</tr>", 1)[0]
        for pk in (clean.pk, failing.pk)
    }
    assert "All passed" in rows[clean.pk] and "Failed" not in rows[clean.pk]
    assert "Failed: Required proof present" in rows[failing.pk]
    assert "All passed" not in rows[failing.pk]


def test_the_claim_page_warns_and_asks_for_an_override_only_when_checks_failed(claims):
    world, clean, failing = claims
    client = portal_client(world.tenant, world.channel_manager)
    failing_page = client.get(f"/mdf/claims/{failing.pk}/").content.decode()
    assert "1 automatic check failed" in failing_page
    assert 'name="override_reason"' in failing_page
    clean_page = client.get(f"/mdf/claims/{clean.pk}/").content.decode()
    assert 'name="override_reason"' not in clean_page
    assert "automatic check failed" not in clean_page


def test_approving_in_the_portal_despite_failed_checks_needs_the_override_field(claims):
    world, _clean, failing = claims
    client = portal_client(world.tenant, world.channel_manager)
    url = f"/mdf/claims/{failing.pk}/approve/"
    resp = client.post(url, {"amount": ""})
    assert resp.status_code == 200
    assert "Say why you approve despite the failed checks." in resp.content.decode()
    assert _status(world, failing) == "submitted"
    resp = client.post(url, {"amount": "", "override_reason": "Invoice checked by phone."})
    assert resp.status_code == 302
    assert _status(world, failing) == "approved"


# --- API ----------------------------------------------------------------------------------


def test_the_api_shows_each_check_and_whether_one_failed(claims):
    world, clean, failing = claims
    client = api_client(world.tenant, world.channel_manager)
    body = client.get(f"/api/v1/mdf/claims/{failing.pk}/").json()
    assert body["checks_failed"] is True
    failed = [c for c in body["checks"] if c["ok"] is False]
    assert [c["label"] for c in failed] == ["Required proof present"]
    assert client.get(f"/api/v1/mdf/claims/{clean.pk}/").json()["checks_failed"] is False
    listed = {c["id"]: c for c in client.get("/api/v1/mdf/claims/").json()["results"]}
    assert listed[failing.pk]["checks_failed"] is True


def test_partners_do_not_see_the_reviewers_checks_in_the_api(claims):
    world, _clean, failing = claims
    body = api_client(world.tenant, world.partner_user).get(f"/api/v1/mdf/claims/{failing.pk}/")
    assert body.json()["checks"] == [] and body.json()["checks_failed"] is None


def test_api_approval_despite_failed_checks_is_400_without_the_override(claims):
    world, _clean, failing = claims
    client = api_client(world.tenant, world.channel_manager)
    url = f"/api/v1/mdf/claims/{failing.pk}/approve/"
    resp = client.post(url, {}, format="json")
    assert resp.status_code == 400, resp.content
    assert "override_reason" in resp.json()["errors"]
    assert _status(world, failing) == "submitted"
    resp = client.post(url, {"override_reason": "Invoice checked by phone."}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "approved"
    assert resp.json()["check_override_reason"] == "Invoice checked by phone."
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="mdf.claim.checks_overridden").count() == 1
