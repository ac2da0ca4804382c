"""The asset library through the portal: staff publish, partners see what their type and tier
allow (never a draft, an expired asset or another tenant's), downloads go through a view that
checks visibility and count per partner, uploads are checked from their bytes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from marketing import services
from marketing.models import Asset, AssetDownload, AssetVersion, LibraryVisit
from prm.models import Notification, OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import TierFactory
from tests.html_helpers import find, find_all
from tests.marketing.helpers import docx_file, pdf_file, published, text_as_pdf

pytestmark = pytest.mark.django_db


def _rows(resp) -> set[int]:
    return {int(tr.attrs["data-asset"]) for tr in find_all(resp, "tr", data_asset=True)}


def test_staff_create_upload_and_publish_then_partner_downloads_it(world):
    staff = portal_client(world.tenant, world.channel_manager)
    resp = staff.post(
        "/marketing/assets/new/",
        {
            "title": "Cloud brochure",
            "kind": "pdf",
            "language": "en",
            "tags": "cloud, Security, cloud",
            "description": '<p>Hello <script>alert(1)</script><a href="https://x.example">x</a></p>',
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        asset = Asset.objects.get(title="Cloud brochure")
        assert asset.tags == ["cloud", "Security"]
        assert "<script>" not in asset.description and "alert" not in asset.description
    url = f"/marketing/assets/{asset.pk}/"
    resp = staff.post(f"{url}versions/", {"file": pdf_file(), "notes": "first"})
    assert resp.status_code == 302
    assert staff.post(f"{url}publish/").status_code == 302

    partner = portal_client(world.tenant, world.partner_user)
    assert asset.pk in _rows(partner.get("/marketing/"))
    resp = partner.get(f"{url}download/")
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert b"".join(resp.streaming_content).startswith(b"%PDF-")
    with tenant_context(world.tenant):
        row = AssetDownload.objects.get(asset=asset)
        assert row.partner_id == world.partner.pk and row.member_id == world.partner_user.pk


def test_a_text_file_named_pdf_is_refused_at_the_field_and_nothing_is_stored(world):
    with tenant_context(world.tenant):
        asset = services.asset_create(by=world.admin, title="Deck", kind="pdf")
    staff = portal_client(world.tenant, world.admin)
    resp = staff.post(f"/marketing/assets/{asset.pk}/versions/", {"file": text_as_pdf()})
    assert resp.status_code == 200
    assert find(resp, "div", class_="error-summary")
    with tenant_context(world.tenant):
        assert not AssetVersion.objects.filter(asset=asset).exists()


def test_a_document_asset_takes_an_office_file_and_refuses_a_pdf(world):
    with tenant_context(world.tenant):
        asset = services.asset_create(by=world.admin, title="Deck", kind="document")
        version = services.asset_version_add(asset=asset, by=world.admin, upload=docx_file())
        assert version.ext == "docx"
        with pytest.raises(services.DomainError):
            services.asset_version_add(asset=asset, by=world.admin, upload=pdf_file())


def test_publishing_needs_a_version(world):
    with tenant_context(world.tenant):
        asset = services.asset_create(by=world.admin, title="Empty", kind="pdf")
    staff = portal_client(world.tenant, world.admin)
    staff.post(f"/marketing/assets/{asset.pk}/publish/")
    with tenant_context(world.tenant):
        asset.refresh_from_db()
        assert asset.status == "draft"


def test_partner_types_and_tiers_decide_who_sees_an_asset(world):
    with tenant_context(world.tenant):
        gold = TierFactory(tenant=world.tenant, name="Gold", rank=3)
        world.partner.partner_type = "reseller"
        world.partner.tier = gold
        world.partner.save()
        world.other_partner.partner_type = "isv"
        world.other_partner.save()
    for_resellers = published(world, title="Reseller kit", partner_types=["reseller"])
    for_gold = published(world, title="Gold kit", tiers=[gold])
    for_isv = published(world, title="ISV kit", partner_types=["isv"])
    for_all = published(world, title="Everyone kit")

    mine = _rows(portal_client(world.tenant, world.partner_user).get("/marketing/"))
    assert mine == {for_resellers.pk, for_gold.pk, for_all.pk}
    other = _rows(portal_client(world.tenant, world.other_partner_user).get("/marketing/"))
    assert other == {for_isv.pk, for_all.pk}
    # Not visible: the page and the download are 404, as for an asset that does not exist.
    client = portal_client(world.tenant, world.other_partner_user)
    assert client.get(f"/marketing/assets/{for_gold.pk}/").status_code == 404
    assert client.get(f"/marketing/assets/{for_gold.pk}/download/").status_code == 404


def test_drafts_and_expired_assets_are_gone_for_partners_but_staff_keep_them(world):
    expired = published(world, title="Old promo")
    with tenant_context(world.tenant):
        Asset.objects.filter(pk=expired.pk).update(
            expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        draft = services.asset_create(by=world.admin, title="Upcoming", kind="pdf")
    partner = portal_client(world.tenant, world.partner_admin)
    assert _rows(partner.get("/marketing/")) == set()
    assert partner.get(f"/marketing/assets/{expired.pk}/download/").status_code == 404
    assert partner.get(f"/marketing/assets/{draft.pk}/").status_code == 404
    assert _rows(portal_client(world.tenant, world.admin).get("/marketing/")) == {
        expired.pk,
        draft.pk,
    }


def test_another_tenants_asset_is_not_found(world, stranger):
    theirs = published(stranger, title="Stranger kit")
    client = portal_client(world.tenant, world.admin)
    assert client.get(f"/marketing/assets/{theirs.pk}/").status_code == 404
    assert client.get(f"/marketing/assets/{theirs.pk}/download/").status_code == 404


def test_older_versions_stay_downloadable_to_staff_only(world):
    asset = published(world, title="Data sheet")
    with tenant_context(world.tenant):
        first = asset.versions.get()
        services.asset_version_add(
            asset=asset, by=world.admin, upload=pdf_file("v2.pdf"), notes="prices"
        )
    partner = portal_client(world.tenant, world.partner_user)
    resp = partner.get(f"/marketing/assets/{asset.pk}/download/")
    assert resp["Content-Disposition"].endswith('"v2.pdf"')
    old = f"/marketing/assets/{asset.pk}/versions/{first.pk}/download/"
    assert partner.get(old).status_code == 403
    resp = portal_client(world.tenant, world.admin).get(old)
    assert resp.status_code == 200 and resp["Content-Disposition"].endswith('"brochure.pdf"')


def test_staff_see_download_counts_per_partner(world):
    asset = published(world)
    portal_client(world.tenant, world.partner_user).get(f"/marketing/assets/{asset.pk}/download/")
    portal_client(world.tenant, world.partner_admin).get(f"/marketing/assets/{asset.pk}/download/")
    portal_client(world.tenant, world.other_partner_user).get(
        f"/marketing/assets/{asset.pk}/download/"
    )
    page = portal_client(world.tenant, world.channel_manager).get(f"/marketing/assets/{asset.pk}/")
    counts = {
        int(tr.attrs["data-partner"]): tr.text()
        for tr in find_all(page, "tr", data_partner=True)
        if tr.attrs["data-partner"]
    }
    assert counts[world.partner.pk].endswith("2")
    assert counts[world.other_partner.pk].endswith("1")


def test_search_and_filters(world):
    published(world, title="Security brochure", tags=["zero trust"], language="en")
    de = published(world, title="Sicherheit Broschüre", language="de", product_name="Vault")
    video = published(world, title="Demo video", kind="video", description="<p>zero trust</p>")
    client = portal_client(world.tenant, world.partner_user)
    assert len(_rows(client.get("/marketing/?q=ZERO+trust"))) == 2
    assert _rows(client.get("/marketing/?language=de")) == {de.pk}
    assert _rows(client.get("/marketing/?kind=video")) == {video.pk}
    assert _rows(client.get("/marketing/?product=Vault")) == {de.pk}
    assert client.get("/marketing/?kind=bogus&language=xx").status_code == 200


def test_new_since_your_last_visit(world):
    published(world, title="Seen before")
    client = portal_client(world.tenant, world.partner_user)
    client.get("/marketing/")
    with tenant_context(world.tenant):
        # The first visit was long ago.
        LibraryVisit.objects.filter(member=world.partner_user).update(
            last_at=timezone.now() - datetime.timedelta(days=2)
        )
        Asset.objects.update(published_at=timezone.now() - datetime.timedelta(days=3))
    fresh = published(world, title="Fresh")
    home = client.get("/")
    assert find(home, "p", data_new_assets="1")
    page = client.get("/marketing/")
    new = [int(s.parent.parent.attrs["data-asset"]) for s in find_all(page, "span", data_new=True)]
    assert new == [fresh.pk]
    # Within the same visit it stays new.
    page = client.get("/marketing/")
    assert find_all(page, "span", data_new=True)


def test_publishing_tells_the_partner_people_it_is_for_in_their_daily_summary(world):
    with tenant_context(world.tenant):
        world.other_partner.partner_type = "isv"
        world.other_partner.save()
        world.partner.partner_type = "reseller"
        world.partner.save()
    asset = published(world, title="Reseller promo", partner_types=["reseller"])
    with tenant_context(world.tenant):
        told = {
            n.member_id: n.mode for n in Notification.objects.filter(event_type="asset.published")
        }
        # Partner people's default for the group is the daily summary.
        assert told == {world.partner_admin.pk: "digest", world.partner_user.pk: "digest"}
        assert OutboxEvent.objects.filter(event_type="asset.published").count() == 1
        event = OutboxEvent.objects.get(event_type="asset.published")
        assert event.payload["asset_id"] == asset.pk


def test_sales_reps_have_no_library(world):
    assert portal_client(world.tenant, world.sales_rep).get("/marketing/").status_code == 403


def test_global_search_finds_only_the_assets_a_partner_may_see(world):
    with tenant_context(world.tenant):
        world.partner.partner_type = "reseller"
        world.partner.save()
    mine = published(world, title="Zebra reseller kit", partner_types=["reseller"])
    published(world, title="Zebra ISV kit", partner_types=["isv"])
    with tenant_context(world.tenant):
        draft = services.asset_create(by=world.admin, title="Zebra draft", kind="pdf")
    hits = _search_hits(portal_client(world.tenant, world.partner_user), "zebra")
    assert hits == [f"/marketing/assets/{mine.pk}/"]
    staff = _search_hits(portal_client(world.tenant, world.admin), "zebra")
    assert len(staff) == 3 and f"/marketing/assets/{draft.pk}/" in staff


def _search_hits(client, q) -> list[str]:
    resp = client.get("/search/", {"q": q})
    return [
        a.attrs["href"]
        for a in find_all(resp, "a")
        if (a.attrs.get("href") or "").startswith("/marketing/assets/")
    ]
