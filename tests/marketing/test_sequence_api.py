"""The campaign's e-mail sequence through the API: contacts added as a JSON list or a CSV file
(consent required, bad rows reported), listed and removed by the partner's people only;
start, pause and resume; the progress staff and the partner read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketing.sequence_models import CampaignContact
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.marketing.campaign_helpers import launched
from tests.marketing.sequence_helpers import CONTACTS, started

pytestmark = pytest.mark.django_db

ROWS = [
    {"email": "ann@customer.example", "first_name": "Ann"},
    {"email": "nobody"},
    {"email": "ANN@customer.example", "company": "Ann Ltd"},
]


def _count(world) -> int:
    with tenant_context(world.tenant):
        return CampaignContact.objects.count()


def test_partner_admin_adds_a_json_list_with_consent_bad_rows_reported(world):
    campaign = launched(world)
    client = api_client(world.tenant, world.partner_admin)
    url = f"/api/v1/marketing/campaigns/{campaign.pk}/contacts/"
    resp = client.post(url, {"contacts": ROWS, "consent": True}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert (body["added"], body["merged"]) == (1, 0)
    assert [(e["row"], e["email"]) for e in body["errors"]] == [(2, "nobody")]
    listed = client.get(url).json()["results"]
    assert [(c["email"], c["company"]) for c in listed] == [("ann@customer.example", "Ann Ltd")]


@pytest.mark.parametrize("consent", [False, None], ids=["false", "missing"])
def test_contacts_without_consent_are_a_400_on_the_consent_field(world, consent):
    campaign = launched(world)
    data = {"contacts": ROWS}
    if consent is not None:
        data["consent"] = consent
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/marketing/campaigns/{campaign.pk}/contacts/", data, format="json"
    )
    assert resp.status_code == 400
    assert "consent" in str(resp.json()["errors"])
    assert _count(world) == 0


def test_a_csv_file_is_accepted_as_multipart(world):
    campaign = launched(world)
    upload = SimpleUploadedFile("c.csv", b"email,first name\nzoe@customer.example,Zoe\n")
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/marketing/campaigns/{campaign.pk}/contacts/",
        {"file": upload, "consent": "true"},
        format="multipart",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["added"] == 1


def test_start_pause_resume_and_progress(world):
    campaign = launched(world)
    client = api_client(world.tenant, world.partner_admin)
    root = f"/api/v1/marketing/campaigns/{campaign.pk}"
    client.post(f"{root}/contacts/", {"contacts": CONTACTS, "consent": True}, format="json")
    assert client.post(f"{root}/sequence/resume/").status_code == 400  # not paused
    assert client.post(f"{root}/sequence/start/").json()["status"] == "sending"
    assert client.post(f"{root}/sequence/start/").status_code == 400  # once
    assert client.post(f"{root}/sequence/pause/").json()["status"] == "paused"
    assert client.post(f"{root}/sequence/resume/").json()["status"] == "sending"
    progress = api_client(world.tenant, world.channel_manager).get(f"{root}/sequence/").json()
    assert progress["contacts"]["total"] == len(CONTACTS)
    assert [s["sent"] for s in progress["steps"]] == [0, 0]


def test_partner_admin_removes_a_contact(world):
    campaign = started(world)
    client = api_client(world.tenant, world.partner_admin)
    root = f"/api/v1/marketing/campaigns/{campaign.pk}/contacts"
    first = client.get(f"{root}/").json()["results"][0]["id"]
    assert client.delete(f"{root}/{first}/").status_code == 204
    assert client.delete(f"{root}/{first}/").status_code == 404
    assert _count(world) == len(CONTACTS) - 1


def test_no_one_else_reads_or_changes_the_contacts(world, stranger):
    campaign = started(world)
    root = f"/api/v1/marketing/campaigns/{campaign.pk}"
    other = api_client(world.tenant, world.other_partner_user)
    assert other.get(f"{root}/contacts/").status_code == 404
    assert other.get(f"{root}/sequence/").status_code == 404
    staff = api_client(world.tenant, world.admin)
    assert staff.get(f"{root}/contacts/").status_code == 403
    assert staff.post(f"{root}/sequence/pause/").status_code == 403
    outsider = api_client(stranger.tenant, stranger.partner_admin)
    assert outsider.get(f"{root}/contacts/").status_code == 404
    assert _count(world) == len(CONTACTS)
