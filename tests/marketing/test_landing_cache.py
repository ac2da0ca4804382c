"""A campaign's landing page for anonymous visitors is rendered once per content and kept in
each process's memory: every request still counts its view, carries its own CSRF token and
form start time (a form sent from a kept page is accepted), and any change to what the page
shows (kit, partner, brand kit, the tenant's name) is served at once. Signed-in people get the
page under their own menu, which is never kept for others."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketing import campaign_services
from marketing import services as mkt_services
from marketing.campaign_models import Campaign, CampaignLead
from marketing.campaign_selectors import landing_path
from partners import services as partner_services
from prm import services as prm_services
from prm.tenancy import tenant_context
from tests.conftest import host_of, portal_client
from tests.html_helpers import find, find_all
from tests.marketing.campaign_helpers import KIT, launched
from tests.marketing.helpers import png_file

pytestmark = pytest.mark.django_db


def _path(world, campaign) -> str:
    with tenant_context(world.tenant):
        return landing_path(campaign)


def _hidden(page, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page.content.decode())
    assert match, f"no {name} on the page"
    return match.group(1)


def _views(world) -> int:
    with tenant_context(world.tenant):
        return Campaign.objects.get().views


def _queries(client, path) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(path)
    return page, len(ctx.captured_queries)


def test_a_kept_page_is_served_without_rendering_and_still_counts_every_view(world):
    campaign = launched(world)
    path = _path(world, campaign)
    client = portal_client(world.tenant)
    first, rendered = _queries(client, path)
    second, kept = _queries(client, path)
    assert first.status_code == second.status_code == 200
    # The kept page costs the lookup and the count, not the campaign, partner and brand reads.
    assert kept < rendered
    assert find(second, "h1").text() == find(first, "h1").text()
    assert _views(world) == 2
    # Another address of the page redirects without counting, and a HEAD is no view.
    assert client.get(f"/c/someone-else/{campaign.code}/").status_code == 301
    assert client.get(path.replace(campaign.code, campaign.code.lower())).status_code == 301
    assert client.head(path).status_code == 200
    assert _views(world) == 2
    assert client.get(path).status_code == 200
    assert _views(world) == 3
    assert client.get("/c/x/NO%20SUCH/").status_code == 404


def test_each_visitor_gets_its_own_token_and_start_time_and_its_form_is_accepted(world):
    campaign = launched(world)
    path = _path(world, campaign)
    one = Client(HTTP_HOST=host_of(world.tenant), enforce_csrf_checks=True)
    two = Client(HTTP_HOST=host_of(world.tenant), enforce_csrf_checks=True)
    one.get(path)  # the page is kept from here on
    page_one, page_two = one.get(path), two.get(path)
    token_one = _hidden(page_one, "csrfmiddlewaretoken")
    assert token_one != _hidden(page_two, "csrfmiddlewaretoken")
    started = signing.loads(_hidden(page_one, "started"), salt="marketing.campaign.lead")
    assert started["c"] == campaign.pk and abs(started["t"] - time.time()) < 60
    form = {
        "csrfmiddlewaretoken": token_one,
        "started": _hidden(page_one, "started"),
        "name": "Vera Visitor",
        "email": "vera@customer.example",
        "company": "Customer GmbH",
        "consent": "on",
    }
    import time_machine

    with time_machine.travel(time.time() + 10):
        # Without the token the kept page handed out, the form is refused.
        assert two.post(f"{path}lead/", form).status_code == 403
        sent = one.post(f"{path}lead/", form)
    assert sent.status_code == 302 and sent["Location"].endswith("/thanks/")
    with tenant_context(world.tenant):
        assert CampaignLead.objects.get(campaign=campaign).lead.company == "Customer GmbH"


def test_every_change_to_what_the_page_shows_is_served_at_once(world):
    campaign = launched(world)
    path = _path(world, campaign)
    client = portal_client(world.tenant)
    client.get(path)
    with tenant_context(world.tenant):
        campaign_services.campaign_kit_update(
            kit=campaign.kit, by=world.channel_manager, **{**KIT, "landing_headline": "Summer now"}
        )
    assert find(client.get(path), "h1").text() == "Summer now"
    _save_brand(world, contact_name="Paula Partner")
    page = client.get(path)
    assert "#123456" in page.content.decode()
    assert "Paula Partner" in find(page, "div", class_="mkt-copy").text()
    with tenant_context(world.tenant):
        partner_services.partner_update(
            partner=world.partner, by=world.channel_manager, name="Renamed Partners"
        )
        campaign.refresh_from_db()
        new_path = landing_path(campaign)
    # The old address redirects (not a view) to the new one, which counts.
    views = _views(world)
    assert client.get(path).status_code == 301
    assert _views(world) == views
    assert "Renamed Partners" in find(client.get(new_path), "div", class_="mkt-copy").text()
    assert _views(world) == views + 1
    with tenant_context(world.tenant):
        prm_services.tenant_update(tenant=world.tenant, by=world.admin, name="Vendor Renamed")
    assert "Vendor Renamed" in find(client.get(new_path), "title").text()


def test_signed_in_people_see_their_menu_and_visitors_never_do(world):
    campaign = launched(world)
    path = _path(world, campaign)
    member = portal_client(world.tenant, world.partner_admin)
    visitor = portal_client(world.tenant)
    name = world.partner_admin.user.display_name
    assert name in member.get(path).content.decode()
    assert name not in visitor.get(path).content.decode()
    assert name in member.get(path).content.decode()
    with tenant_context(world.tenant):
        assert Campaign.objects.get().views == 3


def _commit_mode(sql_run) -> str:
    """The transaction's commit mode after sql_run (the test's transaction holds every call,
    so each starts from the server's default)."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit TO DEFAULT")
        sql_run()
        cur.execute("SHOW synchronous_commit")
        return cur.fetchone()[0]


def test_hits_commit_without_waiting_for_the_disk_and_a_lead_waits(world):
    """A view or click is all its request writes, so its transaction commits asynchronously;
    the form fill is written with its lead, which must be durable."""
    campaign = launched(world)
    with tenant_context(world.tenant):
        click = _commit_mode(
            lambda: campaign_services.campaign_click(tenant_id=world.tenant.pk, code=campaign.code)
        )
    with tenant_context(world.tenant):
        view = _commit_mode(
            lambda: campaign_services.campaign_landing_view(
                tenant_id=world.tenant.pk, code=campaign.code, count_if_named=None
            )
        )
    with tenant_context(world.tenant):
        fill = _commit_mode(
            lambda: campaign_services.campaign_count(campaign_id=campaign.pk, counter="form_fills")
        )
    assert (click, view, fill) == ("off", "off", "on")
    with tenant_context(world.tenant):
        counted = Campaign.objects.get()
        assert (counted.clicks, counted.views, counted.form_fills) == (1, 0, 1)


def test_the_partners_logo_is_linked_not_inlined_and_a_new_logo_gets_a_new_address(world):
    campaign = launched(world, landing_body="<p>{{ partner.logo }} {{ partner.name }}</p>")
    path = _path(world, campaign)
    client = portal_client(world.tenant)
    _save_brand(world, logo=png_file())
    page = client.get(path)
    src = _logo_src(page)
    assert src.startswith(f"{path}logo?v=") and "data:" not in page.content.decode()
    logo = client.get(src)
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert "immutable" in logo["Cache-Control"]
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")
    time.sleep(1.1)  # the version is the brand kit's save time, in seconds
    _save_brand(world, logo=png_file(colour=(10, 200, 10)))
    newer = _logo_src(client.get(path))
    assert newer != src and newer.startswith(f"{path}logo?v=")


def _logo_src(page) -> str:
    (img,) = [e for e in find_all(page, "img") if "logo" in (e.attrs.get("src") or "")]
    return img.attrs["src"]


def _save_brand(world, **fields) -> None:
    with tenant_context(world.tenant):
        mkt_services.brand_kit_save(
            partner=world.partner,
            by=world.partner_admin,
            primary_color="#123456",
            secondary_color="#654321",
            **fields,
        )
