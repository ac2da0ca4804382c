"""Files on a shared opportunity through the API: a multipart upload checked from its bytes
like the portal's (a disguised file, an empty one or none at all is a 400 at `file`, nothing
stored), audited and on the timeline; only people on the workspace upload (another
partner's people get 404); a closed workspace takes none (400)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cosell import services
from cosell.models import SharedFile
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.cosell.support import PDF_BYTES, workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _post(world, member, opp, upload):
    data = {} if upload is None else {"file": upload}
    return api_client(world.tenant, member).post(
        f"/api/v1/shared-opportunities/{opp.pk}/files/", data, format="multipart"
    )


def test_a_pdf_uploaded_through_the_api_is_stored_audited_and_listed(world):
    opp = workspace(world)
    resp = _post(world, world.partner_user, opp, SimpleUploadedFile("plan.pdf", PDF_BYTES))
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["original_name"] == "plan.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF_BYTES)
    with tenant_context(world.tenant):
        row = SharedFile.objects.get()
        assert row.uploaded_by == world.partner_user
        assert AuditEvent.objects.filter(action="cosell.file_added").count() == 1
        assert opp.activities.filter(kind="file_added").exists()
    listed = api_client(world.tenant, world.partner_admin).get(
        f"/api/v1/shared-opportunities/{opp.pk}/files/"
    )
    assert [f["id"] for f in listed.json()["results"]] == [row.pk]


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
        None,
    ],
    ids=["disguised", "empty", "missing"],
)
def test_a_bad_upload_is_a_400_at_file_and_nothing_is_stored(world, upload):
    opp = workspace(world)
    resp = _post(world, world.partner_user, opp, upload)
    assert resp.status_code == 400
    assert "file" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert not SharedFile.objects.exists()
        assert not AuditEvent.objects.filter(action="cosell.file_added").exists()


def test_only_people_on_the_workspace_upload_and_not_once_it_is_closed(world):
    opp = workspace(world)
    outsider = _post(world, world.other_partner_user, opp, SimpleUploadedFile("a.pdf", PDF_BYTES))
    assert outsider.status_code == 404
    with tenant_context(world.tenant):
        services.opportunity_close(opportunity=opp, by=world.admin)
    # The move is refused in this state: a 400, like the portal's refusal.
    closed = _post(world, world.partner_user, opp, SimpleUploadedFile("a.pdf", PDF_BYTES))
    assert closed.status_code == 400
    with tenant_context(world.tenant):
        assert not SharedFile.objects.exists()
