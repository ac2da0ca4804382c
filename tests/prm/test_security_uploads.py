"""Uploads: typed from their bytes, size-limited with a clear error, stored outside any URL
and served only through authorised views as attachments with `nosniff`.

The size limits are module constants (10 MB and more); the tests lower them with
monkeypatch instead of building huge files."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.mdf.test_mdf_support import PDF_BYTES, mdf_objects
from tests.permissions import ENDPOINTS
from tests.prm.test_security_cross_partner import worlds  # noqa: F401 - module fixture

HOSTILE = [
    ("html named .pdf", "invoice.pdf", b"<html><script>alert(1)</script></html>"),
    ("exe named .pdf", "invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this program"),
]

# Views that hand out stored or rendered files.
DOWNLOADS = {
    "mdf-document-download",
    "mdf-remittance",
    "onboarding-document",
    "agreement-pdf",
    "training-certificate-pdf",
    "analytics-review-download",
}
DOWNLOAD_ROWS = [e for e in ENDPOINTS if e.name in DOWNLOADS and e.method == "get"]


def test_every_download_view_is_in_the_table():
    assert {e.name for e in DOWNLOAD_ROWS} == DOWNLOADS


@pytest.mark.parametrize("endpoint", DOWNLOAD_ROWS, ids=str)
def test_downloads_are_attachments_with_nosniff(endpoint, worlds, db):  # noqa: F811
    world, _stranger = worlds
    resp = portal_client(world.tenant, world.partner_admin).get(endpoint.url(world))
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment"), resp["Content-Disposition"]
    assert resp["X-Content-Type-Options"] == "nosniff"


def test_stored_files_are_not_reachable_under_media_url(worlds, db):  # noqa: F811
    world, _stranger = worlds
    doc = mdf_objects(world).document
    assert doc.file.name and not doc.file.name.startswith("/")
    client = portal_client(world.tenant, world.admin)
    assert client.get(settings.MEDIA_URL + doc.file.name).status_code == 404
    media = str(settings.MEDIA_ROOT)
    assert not media.startswith(str(settings.STATIC_ROOT or "/nonexistent"))
    assert not any(media.startswith(str(d)) for d in getattr(settings, "STATICFILES_DIRS", []))


# --- MDF proof files through the API -------------------------------------------------------


def _proof_post(world, claim, name, content):
    return api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/mdf/claims/{claim.pk}/documents/",
        {"kind": "invoice", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def _proof_count(world, claim) -> int:
    with tenant_context(world.tenant):
        return claim.documents.count()


@pytest.mark.parametrize(("what", "name", "content"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_mdf_proof_with_foreign_bytes_is_a_400_with_a_field_error(
    worlds,  # noqa: F811
    db,
    what,
    name,
    content,
):
    world, _stranger = worlds
    claim = mdf_objects(world).claim_submitted
    before = _proof_count(world, claim)
    resp = _proof_post(world, claim, name, content)
    assert resp.status_code == 400
    assert resp.json()["errors"], resp.json()
    assert _proof_count(world, claim) == before


def test_an_oversize_mdf_proof_is_a_400_saying_it_is_too_large(
    worlds,  # noqa: F811
    db,
    monkeypatch,
):
    import mdf.files

    monkeypatch.setattr(mdf.files, "MAX_PROOF_BYTES", 32)
    world, _stranger = worlds
    claim = mdf_objects(world).claim_submitted
    before = _proof_count(world, claim)
    resp = _proof_post(world, claim, "invoice.pdf", PDF_BYTES)  # a valid PDF of ~80 bytes
    assert resp.status_code == 400
    assert "larger than" in str(resp.json()["errors"])
    assert _proof_count(world, claim) == before


# --- Onboarding documents and CSV imports --------------------------------------------------


def _document_step(world):
    """The upload step of partner A's workflow (built by the module fixture)."""
    from onboarding import services
    from onboarding.models import WorkflowStep
    from tests.permissions_onboarding import workflow

    step = WorkflowStep.objects.select_related("workflow").get(
        workflow=workflow(world), kind="upload_document"
    )
    return step, services


@pytest.mark.parametrize(("what", "name", "content"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_onboarding_document_with_foreign_bytes_is_refused(
    worlds,  # noqa: F811
    db,
    what,
    name,
    content,
):
    world, _stranger = worlds
    with tenant_context(world.tenant):
        step, services = _document_step(world)
        with pytest.raises(DomainError) as err:
            services.step_upload_document(
                step=step, by=world.partner_admin, upload=SimpleUploadedFile(name, content)
            )
    assert err.value.field == "document"


def test_an_oversize_onboarding_document_is_refused(worlds, db, monkeypatch):  # noqa: F811
    from onboarding import rules

    monkeypatch.setattr(rules, "MAX_DOCUMENT_BYTES", 32)
    world, _stranger = worlds
    with tenant_context(world.tenant):
        step, services = _document_step(world)
        with pytest.raises(DomainError, match="larger than"):
            services.step_upload_document(
                step=step,
                by=world.partner_admin,
                upload=SimpleUploadedFile("cert.pdf", PDF_BYTES),
            )


def test_a_binary_file_named_csv_is_a_form_error_not_a_500(worlds, db):  # noqa: F811
    world, _stranger = worlds
    resp = portal_client(world.tenant, world.channel_manager).post(
        "/imports/leads/",
        {"file": SimpleUploadedFile("leads.csv", b"MZ\x90\x00\xff\xfe\x00\x00" * 20)},
    )
    assert resp.status_code == 200  # the form again, with its error
    assert resp.context["form"].errors


def test_an_oversize_csv_import_is_a_form_error(worlds, db, monkeypatch):  # noqa: F811
    from imports import services as imports

    monkeypatch.setattr(imports, "MAX_BYTES", 16)
    world, _stranger = worlds
    resp = portal_client(world.tenant, world.channel_manager).post(
        "/imports/leads/", {"file": SimpleUploadedFile("leads.csv", b"company\n" + b"Acme\n" * 20)}
    )
    assert resp.status_code == 200
    assert "larger than" in str(resp.context["form"].errors)
