"""The claim form shows every problem in one response at its field (issue #18): a proof file
that is not a PDF, PNG or JPEG is reported at that file's field, not above the form, together
with the amount and date problems."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mdf import services
from mdf.models import Claim
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.form_checks import assert_error_at_field, summary_links
from tests.mdf.test_mdf_support import claim_fields, make_program, request_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


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


def test_a_bad_proof_file_and_bad_amounts_are_all_shown_at_their_fields(approved):
    world, req = approved
    data = {
        k: str(v)
        for k, v in claim_fields(
            req,
            activity_end=req.start_date.replace(year=req.start_date.year - 1),
            amount_claimed="4000",
        ).items()
    }
    data["proof_invoice"] = SimpleUploadedFile(
        "invoice.pdf", b"plain text", content_type="application/pdf"
    )
    resp = portal_client(world.tenant, world.partner_user).post(
        f"/mdf/requests/{req.pk}/claim/", data
    )
    assert resp.status_code == 200
    assert_error_at_field(resp, "proof_invoice", "Upload a PDF, PNG or JPEG file.")
    assert_error_at_field(resp, "activity_end", "on or after its start")
    assert_error_at_field(resp, "amount_claimed", "more than the actual cost")
    assert summary_links(resp) == {"#id_proof_invoice", "#id_activity_end", "#id_amount_claimed"}
    with tenant_context(world.tenant):
        assert not Claim.objects.exists()


def test_the_claim_form_states_its_file_types_and_size(approved):
    world, req = approved
    page = portal_client(world.tenant, world.partner_user).get(f"/mdf/requests/{req.pk}/claim/")
    hint = page.content.decode()
    assert "PDF, PNG or JPEG, at most 10 MB." in hint
