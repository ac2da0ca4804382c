"""The marketing API: the portal's capabilities through the same services and the same
visibility; bad input is a 400 with field errors in the one error format, never a 500, and
nothing is written."""

from __future__ import annotations

import pytest

from marketing.models import Asset, AssetDownload, AssetVersion, BrandKit, CobrandDownload
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.marketing.helpers import pdf_file, png_file, published, svg_file, text_as_pdf

pytestmark = pytest.mark.django_db


def test_staff_create_version_and_publish_then_a_partner_downloads(world):
    staff = api_client(world.tenant, world.channel_manager)
    resp = staff.post(
        "/api/v1/marketing/assets/",
        {"title": "API brochure", "kind": "pdf", "language": "de", "tags": ["a", "b"]},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    assert resp.json()["status"] == "draft"
    assert "publish" not in resp.json()["allowed_actions"]  # no version yet
    resp = staff.post(
        f"/api/v1/marketing/assets/{pk}/versions/", {"file": pdf_file()}, format="multipart"
    )
    assert resp.status_code == 201, resp.json()
    resp = staff.post(f"/api/v1/marketing/assets/{pk}/publish/")
    assert resp.status_code == 200 and resp.json()["status"] == "published"

    partner = api_client(world.tenant, world.partner_user)
    listed = partner.get("/api/v1/marketing/assets/", {"language": "de"}).json()["results"]
    assert [a["id"] for a in listed] == [pk]
    assert listed[0]["versions"] is None and listed[0]["download_count"] is None
    resp = partner.get(f"/api/v1/marketing/assets/{pk}/download/")
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content).startswith(b"%PDF-")
    with tenant_context(world.tenant):
        assert AssetDownload.objects.filter(asset_id=pk, partner=world.partner).count() == 1
    detail = staff.get(f"/api/v1/marketing/assets/{pk}/").json()
    assert detail["download_count"] == 1 and len(detail["versions"]) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "kind": "pdf"}, "title"),
        ({"title": "X", "kind": "zip"}, "kind"),
        ({"title": "X", "kind": "pdf", "partner_types": ["alien"]}, "partner_types"),
        ({"title": "X", "kind": "pdf", "tags": ["x" * 41]}, "tags"),
        ({"title": "X", "kind": "pdf", "tiers": [999999]}, "tiers"),
    ],
)
def test_bad_asset_input_is_a_400_at_its_field(world, data, field):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/marketing/assets/", data, format="json"
    )
    assert resp.status_code == 400
    assert field in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert not Asset.objects.exists()


def test_a_refused_file_is_a_400_and_no_version_is_written(world):
    client = api_client(world.tenant, world.admin)
    pk = client.post(
        "/api/v1/marketing/assets/", {"title": "X", "kind": "pdf"}, format="json"
    ).json()["id"]
    resp = client.post(
        f"/api/v1/marketing/assets/{pk}/versions/", {"file": text_as_pdf()}, format="multipart"
    )
    assert resp.status_code == 400 and "file" in resp.json()["errors"]
    resp = client.post(f"/api/v1/marketing/assets/{pk}/versions/", {}, format="multipart")
    assert resp.status_code == 400 and "file" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert not AssetVersion.objects.exists()


def test_a_bad_library_filter_is_a_400_at_its_field(world):
    staff = api_client(world.tenant, world.channel_manager)
    for name in ("kind", "language"):
        resp = staff.get("/api/v1/marketing/assets/", {name: "nonsense"})
        assert resp.status_code == 400 and name in resp.json()["errors"], name
    assert staff.get("/api/v1/marketing/assets/", {"kind": "pdf", "q": "x"}).status_code == 200


def test_partners_cannot_manage_assets_nor_see_hidden_ones(world):
    with tenant_context(world.tenant):
        world.partner.partner_type = "reseller"
        world.partner.save()
    hidden = published(world, partner_types=["isv"])
    client = api_client(world.tenant, world.partner_admin)
    assert client.get(f"/api/v1/marketing/assets/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/marketing/assets/{hidden.pk}/download/").status_code == 404
    resp = client.post("/api/v1/marketing/assets/", {"title": "X", "kind": "pdf"}, format="json")
    assert resp.status_code == 403


def test_brand_kit_get_and_put(world):
    client = api_client(world.tenant, world.partner_admin)
    assert client.get("/api/v1/marketing/brand-kit/").json()["has_logo"] is False
    resp = client.put(
        "/api/v1/marketing/brand-kit/",
        {"primary_color": "#000000", "secondary_color": "#FFFFFF", "logo": png_file()},
        format="multipart",
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["has_logo"] is True and resp.json()["secondary_color"] == "#ffffff"
    resp = client.put(
        "/api/v1/marketing/brand-kit/",
        {"primary_color": "black", "secondary_color": "#ffffff"},
        format="json",
    )
    assert resp.status_code == 400 and "primary_color" in resp.json()["errors"]
    resp = client.put(
        "/api/v1/marketing/brand-kit/",
        {"primary_color": "#000000", "secondary_color": "#ffffff", "logo": svg_file()},
        format="multipart",
    )
    assert resp.status_code == 400 and "logo" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert BrandKit.objects.get().primary_color == "#000000"


def test_templates_through_the_api(world):
    staff = api_client(world.tenant, world.admin)
    resp = staff.post(
        "/api/v1/marketing/templates/",
        {"title": "Sheet", "kind": "data_sheet", "body": "<p>{{ partner.nope }}</p>"},
        format="json",
    )
    assert resp.status_code == 400 and "body" in resp.json()["errors"]
    resp = staff.post(
        "/api/v1/marketing/templates/",
        {"title": "Sheet", "kind": "data_sheet", "body": "<h1>{{ partner.name }}</h1>"},
        format="json",
    )
    assert resp.status_code == 201
    pk = resp.json()["id"]
    partner = api_client(world.tenant, world.partner_user)
    assert partner.get(f"/api/v1/marketing/templates/{pk}/").status_code == 404
    assert staff.post(f"/api/v1/marketing/templates/{pk}/publish/").status_code == 200
    resp = partner.get(f"/api/v1/marketing/templates/{pk}/download/")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF-")
    with tenant_context(world.tenant):
        assert CobrandDownload.objects.filter(partner=world.partner).count() == 1
