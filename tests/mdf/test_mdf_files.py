"""Proof files: the type is read from the bytes, 10 MB at most, stored privately, served only
as attachments to those who may see the claim; remittance advice downloads likewise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from mdf import services
from mdf.files import MAX_PROOF_BYTES, sniff_proof
from mdf.models import Claim, ProofDocument
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.mdf.test_mdf_support import (
    PDF_BYTES,
    claim_fields,
    make_program,
    mdf_objects,
    pdf_upload,
    request_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format=fmt)
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Type and size from the bytes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("invoice.pdf", PDF_BYTES, ("application/pdf", "pdf")),
        ("photo.png", image_bytes("PNG"), ("image/png", "png")),
        ("photo.jpg", image_bytes("JPEG"), ("image/jpeg", "jpg")),
        ("no-extension", image_bytes("PNG"), ("image/png", "png")),
    ],
)
def test_pdf_png_and_jpeg_are_recognised_from_their_bytes(name, data, expected):
    assert sniff_proof(upload(name, data)) == expected


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf", b"Just some text that claims to be a PDF.\n"),
        ("invoice.pdf", b"<html><script>alert(1)</script></html>"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10),
        ("photo.gif", image_bytes("GIF")),
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"),
        ("empty.pdf", b""),
    ],
)
def test_anything_else_is_refused_whatever_its_name(name, data):
    with pytest.raises(ValidationError):
        sniff_proof(upload(name, data))


def test_files_over_10_mb_are_refused():
    big = PDF_BYTES[:-6] + b"0" * (MAX_PROOF_BYTES - len(PDF_BYTES) + 1) + b"%%EOF\n"
    assert len(big) == MAX_PROOF_BYTES + 1
    with pytest.raises(ValidationError, match="10 MB"):
        sniff_proof(upload("big.pdf", big))
    exact = PDF_BYTES[:-6] + b"0" * (MAX_PROOF_BYTES - len(PDF_BYTES)) + b"%%EOF\n"
    assert sniff_proof(upload("exact.pdf", exact))[1] == "pdf"


@pytest.fixture
def approved(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="5000", by=None)
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        req = services.request_transition(request=req, to="approved", by=world.admin)
    return world, req


def _claim_post(req, **files):
    data = {k: str(v) for k, v in claim_fields(req).items()}
    return data | files


def test_a_text_file_renamed_to_pdf_is_refused_in_the_portal(approved, media):
    world, req = approved
    client = portal_client(world.tenant, world.partner_user)
    fake = upload("invoice.pdf", b"hello, I am text")
    resp = client.post(f"/mdf/requests/{req.pk}/claim/", _claim_post(req, proof_invoice=fake))
    assert resp.status_code == 200
    assert "Upload a PDF, PNG or JPEG file." in resp.content.decode()
    with tenant_context(world.tenant):
        assert not Claim.objects.exists() and not ProofDocument.objects.exists()
    assert not list(Path(media).rglob("*.*"))


def test_portal_claim_stores_proof_privately_under_a_generated_name(approved, media):
    world, req = approved
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        f"/mdf/requests/{req.pk}/claim/",
        _claim_post(req, proof_invoice=pdf_upload("../../etc/Invoice 7.pdf")),
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        doc = ProofDocument.objects.get()
    assert doc.original_name == "Invoice 7.pdf"
    assert doc.file.name.startswith(f"mdf/{world.tenant.pk}/claims/{doc.claim_id}/")
    assert "Invoice" not in doc.file.name and doc.file.name.endswith(".pdf")
    stored = Path(media) / doc.file.name
    assert stored.read_bytes() == PDF_BYTES
    # MEDIA_URL is not routed: the file is reachable only through the download view.
    assert client.get("/private-media-not-served/" + doc.file.name).status_code == 404


def test_api_multipart_upload_checks_each_file(approved):
    world, req = approved
    client = api_client(world.tenant, world.partner_admin)
    data = {k: str(v) for k, v in claim_fields(req).items()}
    resp = client.post(
        "/api/v1/mdf/claims/",
        data
        | {
            "request": req.pk,
            "documents": [upload("invoice.pdf", b"plain text")],
            "document_kinds": ["invoice"],
        },
        format="multipart",
    )
    assert resp.status_code == 400
    assert resp.json()["errors"] == {"file": ["Upload a PDF, PNG or JPEG file."]}
    resp = client.post(
        "/api/v1/mdf/claims/",
        data
        | {
            "request": req.pk,
            "documents": [pdf_upload(), upload("p.png", image_bytes("PNG"), "image/png")],
            "document_kinds": ["invoice", "photos"],
        },
        format="multipart",
    )
    assert resp.status_code == 201, resp.json()
    docs = resp.json()["documents"]
    assert [(d["kind"], d["content_type"]) for d in docs] == [
        ("invoice", "application/pdf"),
        ("photos", "image/png"),
    ]
    big = upload("big.pdf", PDF_BYTES + b"0" * MAX_PROOF_BYTES)
    resp = client.post(
        f"/api/v1/mdf/claims/{resp.json()['id']}/documents/",
        {"kind": "photos", "file": big},
        format="multipart",
    )
    assert resp.status_code == 400
    assert "10 MB" in resp.json()["errors"]["file"][0]


# --- Downloads ----------------------------------------------------------------------------


def test_proof_download_is_an_attachment_for_those_who_see_the_claim(world, stranger):
    m = mdf_objects(world)
    url = f"/mdf/documents/{m.document.pk}/"
    for member in (world.partner_user, world.channel_manager, world.admin):
        resp = portal_client(world.tenant, member).get(url)
        assert resp.status_code == 200
        assert resp["Content-Disposition"].startswith('attachment; filename="invoice.pdf"')
        assert resp["Content-Type"] == "application/pdf"
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert b"".join(resp.streaming_content) == PDF_BYTES
    assert portal_client(world.tenant, world.other_partner_user).get(url).status_code == 404
    assert portal_client(stranger.tenant, stranger.admin).get(url).status_code == 404
    anonymous = portal_client(world.tenant).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_remittance_pdf_is_downloadable_by_the_partner_and_staff_only(world, stranger):
    m = mdf_objects(world)
    url = f"/mdf/claims/{m.claim_paid.pk}/remittance.pdf"
    for member in (world.partner_admin, world.partner_user, world.admin, world.channel_manager):
        resp = portal_client(world.tenant, member).get(url)
        assert resp.status_code == 200
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"].startswith("attachment;")
        assert b"".join(resp.streaming_content).startswith(b"%PDF-")
    assert portal_client(world.tenant, world.other_partner_user).get(url).status_code == 404
    assert portal_client(stranger.tenant, stranger.partner_admin).get(url).status_code == 404
    unpaid = f"/mdf/claims/{m.claim_approved.pk}/remittance.pdf"
    assert portal_client(world.tenant, world.partner_admin).get(unpaid).status_code == 404


def test_remittance_is_rendered_once_and_reused(world):
    m = mdf_objects(world)
    client = portal_client(world.tenant, world.partner_admin)
    client.get(f"/mdf/claims/{m.claim_paid.pk}/remittance.pdf")
    with tenant_context(world.tenant):
        first = Claim.objects.get(pk=m.claim_paid.pk).remittance_pdf.name
    client.get(f"/mdf/claims/{m.claim_paid.pk}/remittance.pdf")
    with tenant_context(world.tenant):
        assert Claim.objects.get(pk=m.claim_paid.pk).remittance_pdf.name == first


def test_the_render_task_stores_the_remittance(world):
    from mdf import tasks

    m = mdf_objects(world)
    name = tasks.render_remittance(tenant_id=world.tenant.pk, claim_id=m.claim_paid.pk)
    with tenant_context(world.tenant):
        assert Claim.objects.get(pk=m.claim_paid.pk).remittance_pdf.name == name


def test_documents_page_lists_only_the_partners_own_files(world):
    m = mdf_objects(world)
    with tenant_context(world.tenant):
        services.claim_transition(
            claim=m.claim_approved,
            to="paid",
            by=world.admin,
            payment_reference="WIRE-3",
            paid_on=timezone.localdate(),
        )
    page = portal_client(world.tenant, world.partner_user).get("/mdf/documents/")
    body = page.content.decode()
    assert f"/mdf/documents/{m.document.pk}/" in body
    assert f"/mdf/claims/{m.claim_paid.pk}/remittance.pdf" in body
    other = portal_client(world.tenant, world.other_partner_user).get("/mdf/documents/")
    assert f"/mdf/documents/{m.document.pk}/" not in other.content.decode()
    assert "No payments yet" in other.content.decode()
