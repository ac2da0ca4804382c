"""Shared opportunities through the portal and the API: who sees a workspace (a partner not on
it and another tenant get 404), the deal page's entry point, comments escaped, uploads checked
from their bytes and downloaded only by participants, bad input answered with field errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cosell.models import Comment, SharedFile, SharedOpportunity, Task
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.cosell.support import PDF_BYTES, deal_of, with_other_partner, workspace
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_partner_not_on_the_workspace_gets_404_in_portal_and_api(world):
    opp = workspace(world)
    outsider = world.other_partner_user
    assert portal_client(world.tenant, outsider).get(f"/shared/{opp.pk}/").status_code == 404
    assert (
        portal_client(world.tenant, outsider).get(f"/shared/{opp.pk}/updates.json").status_code
        == 404
    )
    api = api_client(world.tenant, outsider)
    assert api.get(f"/api/v1/shared-opportunities/{opp.pk}/").status_code == 404
    assert api.get("/api/v1/shared-opportunities/").json()["results"] == []


def test_an_invited_partner_sees_the_workspace_but_not_the_deal(world):
    opp = workspace(world)
    with_other_partner(world, opp)
    client = portal_client(world.tenant, world.other_partner_user)
    assert client.get(f"/shared/{opp.pk}/").status_code == 200
    assert client.get(f"/deals/{opp.deal_id}/").status_code == 404
    listed = client.get("/shared/")
    assert find_all(listed, "a", href=f"/shared/{opp.pk}/")


def test_another_tenants_workspace_is_404(world, stranger):
    theirs = workspace(stranger)
    client = portal_client(world.tenant, world.admin)
    assert client.get(f"/shared/{theirs.pk}/").status_code == 404
    assert client.post(f"/shared/{theirs.pk}/comments/", {"body": "x"}).status_code == 404
    api = api_client(world.tenant, world.admin)
    assert api.get(f"/api/v1/shared-opportunities/{theirs.pk}/comments/").status_code == 404


def test_the_deal_page_offers_to_start_a_shared_opportunity_then_links_to_it(world):
    deal = deal_of(world)
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get(f"/deals/{deal.pk}/")
    forms = find_all(page, "form", action=f"/shared/open/deal/{deal.pk}/")
    assert len(forms) == 1
    resp = client.post(f"/shared/open/deal/{deal.pk}/")
    with tenant_context(world.tenant):
        opp = SharedOpportunity.objects.get(deal=deal)
    assert resp.status_code == 302 and resp["Location"] == f"/shared/{opp.pk}/"
    page = client.get(f"/deals/{deal.pk}/")
    assert find_all(page, "a", href=f"/shared/{opp.pk}/")
    # Another partner's people get neither the deal nor the button.
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.post(f"/shared/open/deal/{deal.pk}/").status_code == 404


def test_a_comment_with_markup_is_shown_as_text_and_its_mention_marked(world):
    opp = workspace(world)
    client = portal_client(world.tenant, world.partner_user)
    body = f"<script>alert(1)</script> @{world.partner_admin.user.email} <b>hi</b>"
    resp = client.post(f"/shared/{opp.pk}/comments/", {"body": body})
    assert resp.status_code == 302
    page = client.get(f"/shared/{opp.pk}/")
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    marks = find_all(page, "span", class_="mention")
    assert [m.text() for m in marks] == [f"@{world.partner_admin.user.email}"]


def test_an_empty_comment_is_a_form_error_and_nothing_is_written(world):
    opp = workspace(world)
    resp = portal_client(world.tenant, world.partner_user).post(
        f"/shared/{opp.pk}/comments/", {"body": "  "}
    )
    assert resp.status_code == 400
    assert find_all(resp, "div", class_="error-summary")
    with tenant_context(world.tenant):
        assert not Comment.objects.exists()


def test_a_task_for_someone_off_the_workspace_is_a_form_error(world):
    opp = workspace(world)
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/shared/{opp.pk}/tasks/", {"title": "Demo", "owner": world.other_partner_user.pk}
    )
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert not Task.objects.exists()


def test_updates_endpoint_moves_when_something_happens(world):
    opp = workspace(world)
    client = portal_client(world.tenant, world.partner_user)
    before = client.get(f"/shared/{opp.pk}/updates.json").json()["cursor"]
    portal_client(world.tenant, world.channel_manager).post(
        f"/shared/{opp.pk}/comments/", {"body": "News"}
    )
    after = client.get(f"/shared/{opp.pk}/updates.json").json()["cursor"]
    assert after > before


# --- Files --------------------------------------------------------------------------------


def test_a_pdf_is_stored_and_downloaded_by_participants_only(world):
    opp = workspace(world)
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        f"/shared/{opp.pk}/files/", {"file": SimpleUploadedFile("plan.pdf", PDF_BYTES)}
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        row = SharedFile.objects.get()
    got = client.get(f"/shared/{opp.pk}/files/{row.pk}/download/")
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment")
    assert b"".join(got.streaming_content) == PDF_BYTES
    outsider = portal_client(world.tenant, world.other_partner_user)
    assert outsider.get(f"/shared/{opp.pk}/files/{row.pk}/download/").status_code == 404


def test_a_file_that_is_not_what_it_claims_is_refused(world):
    opp = workspace(world)
    client = portal_client(world.tenant, world.partner_user)
    fake = SimpleUploadedFile(
        "invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    resp = client.post(f"/shared/{opp.pk}/files/", {"file": fake})
    assert resp.status_code == 400
    assert "PDF, PNG or JPEG" in find(resp, "div", class_="error-summary").text()
    with tenant_context(world.tenant):
        assert not SharedFile.objects.exists()


# --- API ----------------------------------------------------------------------------------


def test_api_opens_comments_and_assigns_with_field_errors_on_bad_input(world):
    deal = deal_of(world)
    api = api_client(world.tenant, world.partner_admin)
    resp = api.post("/api/v1/shared-opportunities/", {"deal": deal.pk}, format="json")
    assert resp.status_code == 201
    opp_id = resp.json()["id"]
    assert "add_partner" in resp.json()["allowed_actions"]
    base = f"/api/v1/shared-opportunities/{opp_id}"
    assert api.post("/api/v1/shared-opportunities/", {}, format="json").status_code == 400
    bad = api.post(f"{base}/comments/", {"body": ""}, format="json")
    assert bad.status_code == 400 and "body" in bad.json()["errors"]
    bad = api.post(
        f"{base}/tasks/", {"title": "x", "owner": world.other_partner_user.pk}, format="json"
    )
    assert bad.status_code == 400 and "owner" in bad.json()["errors"]
    bad = api.post(f"{base}/partners/", {"partner": world.partner.pk, "role": "si"}, format="json")
    assert bad.status_code == 400 and "partner" in bad.json()["errors"]
    bad = api.post(
        f"{base}/partners/", {"partner": world.other_partner.pk, "role": "boss"}, format="json"
    )
    assert bad.status_code == 400 and "role" in bad.json()["errors"]
    with tenant_context(world.tenant):
        assert not Comment.objects.exists() and not Task.objects.exists()
    ok = api.post(
        f"{base}/comments/",
        {"body": "Hi", "mentions": [world.partner_user.pk]},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["mentions"] == [world.partner_user.pk]
    task = api.post(
        f"{base}/tasks/", {"title": "Quote", "owner": world.partner_user.pk}, format="json"
    ).json()
    done = api.patch(f"{base}/tasks/{task['id']}/", {"done": True}, format="json")
    assert done.status_code == 200 and done.json()["done"] is True
    kinds = [row["kind"] for row in api.get(f"{base}/timeline/").json()["results"]]
    assert kinds[:3] == ["task_done", "task_assigned", "task_added"]


# --- Home and search ----------------------------------------------------------------------


def test_home_lists_my_open_tasks_on_shared_opportunities(world):
    opp = workspace(world)
    api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/shared-opportunities/{opp.pk}/tasks/",
        {"title": "Prepare the pitch", "owner": world.partner_user.pk},
        format="json",
    )
    home = portal_client(world.tenant, world.partner_user).get("/")
    section = find(home, "section", id="home-cosell")
    assert "Prepare the pitch" in section.text()
    other = portal_client(world.tenant, world.other_partner_user).get("/")
    assert not find_all(other, "section", id="home-cosell")


def test_search_finds_a_workspace_only_for_those_on_it(world):
    opp = workspace(world)
    term = opp.title
    mine = portal_client(world.tenant, world.partner_user).get("/search/", {"q": term})
    assert find_all(mine, "a", href=f"/shared/{opp.pk}/")
    theirs = portal_client(world.tenant, world.other_partner_user).get("/search/", {"q": term})
    assert not find_all(theirs, "a", href=f"/shared/{opp.pk}/")
