"""Content syndication: a partner admin switches the embed on for its website, gets a
copy-ready snippet and a preview; the embed (no sign-in, on the tenant's host, framed only by
the partner's origins) shows the vendor's published content the partner may see, newest first,
in the partner's colours and with its contact block; views and opens are counted per partner
and asset; staff see the views per partner."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from marketing import services, syndication
from marketing.models import Asset, BrandKit, SyndicationFeed, SyndicationViewDay
from partners.models import Partner
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import ProductFactory, TierFactory
from tests.html_helpers import find, find_all
from tests.marketing.helpers import published, syndicated

pytestmark = pytest.mark.django_db

SETTINGS = {
    "enabled": "on",
    "allowed_origins": "https://www.partner.example/partners?x=1\nhttp://shop.partner.example:8080",
    "language": "",
    "max_items": "6",
}


def _titles(resp) -> list[str]:
    return [li.text() for li in find_all(resp, "h2") if li.parent.attrs.get("data-asset")]


def _cells(row) -> list[str]:
    return [p.text() for p in row.parts if not isinstance(p, str) and p.tag == "td"]


def _embed(world, feed, path=""):
    return portal_client(world.tenant).get(f"/syndication/{feed.token}/{path}")


def test_partner_admin_switches_syndication_on_and_gets_the_snippet(world):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/marketing/syndication/", SETTINGS)
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        feed = SyndicationFeed.objects.get(partner=world.partner)
        assert feed.enabled
        assert feed.allowed_origins == [
            "https://www.partner.example",
            "http://shop.partner.example:8080",
        ]
        assert len(feed.token) >= 20
        event = AuditEvent.objects.get(action="marketing.syndication.updated")
        assert event.after["enabled"] is True
    page = client.get("/marketing/syndication/")
    iframe = find(page, "textarea", id="synd-iframe").text()
    assert f"/syndication/{feed.token}/" in iframe and "<iframe" in iframe
    assert f"/syndication/{feed.token}/embed.js" in find(page, "textarea", id="synd-script").text()
    assert find(page, "iframe", class_="synd-preview").attrs["src"] == (
        "/marketing/syndication/preview/"
    )


@pytest.mark.parametrize(
    "origins",
    [
        "javascript:alert(1)",
        "https://*.partner.example",
        "https://www.partner.example; script-src *",
        "ftp://files.partner.example",
        "https://user@www.partner.example",
    ],
)
def test_a_website_that_is_not_an_origin_is_a_form_error_and_nothing_is_saved(world, origins):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/marketing/syndication/", {**SETTINGS, "allowed_origins": origins})
    assert resp.status_code == 400
    assert find(resp, "div", class_="error-summary")
    with tenant_context(world.tenant):
        assert not SyndicationFeed.objects.exists()
        assert not AuditEvent.objects.filter(action="marketing.syndication.updated").exists()


def test_switching_on_without_a_website_is_refused(world):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/marketing/syndication/", {**SETTINGS, "allowed_origins": ""})
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert not SyndicationFeed.objects.exists()


def test_the_embed_shows_published_content_newest_first_co_branded(world):
    older = published(world, title="Older brochure")
    newer = published(world, title="Newer brochure")
    with tenant_context(world.tenant):
        Asset.objects.filter(pk=older.pk).update(
            published_at=timezone.now() - datetime.timedelta(days=3)
        )
        BrandKit.objects.create(
            tenant=world.tenant,
            partner=world.partner,
            primary_color="#123456",
            secondary_color="#abcdef",
            contact_name="Dana Seller",
            contact_email="dana@partner.example",
        )
    feed = syndicated(world)
    resp = _embed(world, feed)
    assert resp.status_code == 200
    assert _titles(resp) == ["Newer brochure", "Older brochure"]
    assert world.partner.name in find(resp, "p", class_="synd-name").text()
    assert "Dana Seller" in find(resp, "footer", class_="synd-contact").text()
    assert find(resp, "a", href=f"/syndication/{feed.token}/assets/{newer.pk}/")
    csp = resp["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.partner.example;" in csp
    assert "X-Frame-Options" not in resp
    css = _embed(world, feed, "brand.css")
    assert css["Content-Type"].startswith("text/css")
    assert "--synd-primary:#123456" in css.content.decode()


def test_nothing_the_partner_may_not_see_or_that_is_not_published_is_shown(world, stranger):
    w = world
    visible = published(w, title="Visible to all")
    published(w, title="zqleak other type", partner_types=["msp"])
    with tenant_context(w.tenant):
        gold = TierFactory(tenant=w.tenant, name="Gold")
    published(w, title="zqleak other tier", tiers=[gold])
    expired = published(w, title="zqleak expired")
    archived = published(w, title="zqleak archived")
    with tenant_context(w.tenant):
        services.asset_create(by=w.channel_manager, title="zqleak draft", kind="pdf")
        Asset.objects.filter(pk=expired.pk).update(
            expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        services.asset_archive(asset=archived, by=w.channel_manager)
    foreign = published(stranger, title="zqleak other tenant")
    feed = syndicated(w)
    resp = _embed(w, feed)
    assert _titles(resp) == ["Visible to all"]
    assert "zqleak" not in resp.content.decode()
    with tenant_context(w.tenant):
        hidden = list(Asset.objects.filter(title__startswith="zqleak").values_list("pk", flat=True))
    for pk in [*hidden, foreign.pk]:
        assert _embed(w, feed, f"assets/{pk}/").status_code == 404, pk
    assert _embed(w, feed, f"assets/{visible.pk}/").status_code == 200


def test_a_switched_off_feed_an_inactive_partner_and_unknown_tokens_are_404(world, stranger):
    published(world)
    feed = syndicated(world, enabled=False, origins=())
    assert _embed(world, feed).status_code == 404
    feed = syndicated(world)
    assert _embed(world, feed).status_code == 200
    # The stranger's token on this tenant's host is unknown here.
    theirs = syndicated(stranger)
    assert portal_client(world.tenant).get(f"/syndication/{theirs.token}/").status_code == 404
    assert portal_client(world.tenant).get("/syndication/nope/embed.js").status_code == 404
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status="suspended")
    for path in ("", "embed.js", "brand.css"):
        assert _embed(world, feed, path).status_code == 404, path


def test_views_and_opens_are_counted_per_partner_and_asset(world):
    pdf = published(world, title="Counted PDF")
    video = published(world, title="Counted video", kind="video")
    feed = syndicated(world)
    for _ in range(3):
        assert _embed(world, feed).status_code == 200
    resp = _embed(world, feed, f"assets/{pdf.pk}/")
    assert resp["Content-Type"] == "application/pdf"
    resp = _embed(world, feed, f"assets/{video.pk}/")
    assert resp.status_code == 302 and resp["Location"].startswith("https://videos.example.com/")
    with tenant_context(world.tenant):
        rows = {
            r.asset_id: (r.views, r.opens)
            for r in SyndicationViewDay.objects.filter(partner=world.partner)
        }
    assert rows == {pdf.pk: (3, 1), video.pk: (3, 1)}
    page = portal_client(world.tenant, world.partner_admin).get("/marketing/syndication/")
    row = find(page, "tr", data_asset=str(pdf.pk))
    assert _cells(row) == ["Counted PDF", "3", "1"]


def test_the_preview_works_while_off_and_counts_nothing(world):
    published(world, title="Previewed")
    syndicated(world, enabled=False, origins=())
    resp = portal_client(world.tenant, world.partner_admin).get("/marketing/syndication/preview/")
    assert resp.status_code == 200
    assert _titles(resp) == ["Previewed"]
    assert "frame-ancestors 'self'" in resp["Content-Security-Policy"]
    assert find(resp, "span", class_="synd-open")
    with tenant_context(world.tenant):
        assert not SyndicationViewDay.objects.exists()


def test_the_feed_filters_by_product_and_language(world):
    with tenant_context(world.tenant):
        product = ProductFactory(tenant=world.tenant, name="Cloud Suite")
    published(world, title="Suite EN", product=product)
    published(world, title="Suite DE", product=product, language="de")
    published(world, title="Other DE", language="de")
    with tenant_context(world.tenant):
        feed = syndicated(world, product=product, language="de")
    assert _titles(_embed(world, feed)) == ["Suite DE"]


def test_the_script_writes_the_iframe_of_the_embed(world):
    feed = syndicated(world)
    resp = _embed(world, feed, "embed.js")
    assert resp["Content-Type"].startswith("text/javascript")
    body = resp.content.decode()
    assert f"/syndication/{feed.token}/" in body
    assert 'createElement("iframe")' in body


def test_a_new_snippet_stops_the_old_one(world):
    feed = syndicated(world)
    client = portal_client(world.tenant, world.partner_admin)
    assert client.get("/marketing/syndication/rotate/").status_code == 200  # the confirmation
    assert client.post("/marketing/syndication/rotate/").status_code == 302
    with tenant_context(world.tenant):
        new = SyndicationFeed.objects.get(pk=feed.pk)
        assert AuditEvent.objects.filter(action="marketing.syndication.token_rotated").exists()
    assert new.token != feed.token
    assert _embed(world, feed).status_code == 404
    assert _embed(world, new).status_code == 200


def test_staff_see_views_per_partner(world):
    published(world, title="Seen")
    feed = syndicated(world)
    _embed(world, feed)
    _embed(world, feed)
    page = portal_client(world.tenant, world.channel_manager).get("/marketing/syndication/report/")
    row = find(page, "tr", data_partner=str(world.partner.pk))
    assert _cells(row)[1:] == ["2", "0"]
    assert (
        portal_client(world.tenant, world.partner_admin)
        .get("/marketing/syndication/report/")
        .status_code
        == 403
    )


# --- API ----------------------------------------------------------------------------------


def test_api_reads_and_replaces_the_syndication_settings(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.get("/api/v1/marketing/syndication/")
    assert resp.status_code == 200 and resp.json()["token"] is None
    resp = client.put(
        "/api/v1/marketing/syndication/",
        {"enabled": True, "allowed_origins": ["https://www.partner.example/x"], "language": "de"},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["allowed_origins"] == ["https://www.partner.example"]
    assert body["embed_url"].endswith(f"/syndication/{body['token']}/")
    assert "<iframe" in body["iframe_snippet"]
    assert client.get("/api/v1/marketing/syndication/").json()["token"] == body["token"]


def test_api_refuses_a_bad_origin_with_a_field_error(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.put(
        "/api/v1/marketing/syndication/",
        {"enabled": True, "allowed_origins": ["javascript:alert(1)"]},
        format="json",
    )
    assert resp.status_code == 400
    assert "allowed_origins" in str(resp.json())
    with tenant_context(world.tenant):
        assert not SyndicationFeed.objects.exists()


def test_api_view_counts_for_the_partner_and_for_staff(world):
    asset = published(world, title="API counted")
    feed = syndicated(world)
    _embed(world, feed)
    mine = api_client(world.tenant, world.partner_admin).get("/api/v1/marketing/syndication/views/")
    assert mine.json() == [{"asset": asset.pk, "title": "API counted", "views": 1, "opens": 0}]
    staff = api_client(world.tenant, world.admin).get("/api/v1/marketing/syndication/partners/")
    assert staff.json()["results"] == [
        {"partner": world.partner.pk, "partner_name": world.partner.name, "views": 1, "opens": 0}
    ]


def test_the_counter_adds_up_in_one_row_per_day(world):
    asset = published(world)
    feed = syndicated(world)
    with tenant_context(world.tenant):
        syndication.syndication_count(feed=feed, asset_ids=[asset.pk], views=1)
        syndication.syndication_count(feed=feed, asset_ids=[asset.pk], views=1, opens=1)
        row = SyndicationViewDay.objects.get()
    assert (row.views, row.opens, row.day) == (2, 1, timezone.localdate())


def test_api_renews_the_snippet(world):
    feed = syndicated(world)
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/marketing/syndication/rotate/"
    )
    assert resp.status_code == 200
    assert resp.json()["token"] != feed.token
    assert _embed(world, feed).status_code == 404
