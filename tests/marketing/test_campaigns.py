"""Campaign kits and campaigns through the portal and the public pages: staff build, publish
and retire kits (landing text sanitised, placeholders checked); a partner admin launches a kit
and gets a product-issued code; the public landing page counts views and turns a consented
form into a lead owned by that partner (honeypot, time trap, rate limit); tracked links count
clicks and redirect only to the campaign's own targets; partners never see each other's."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from dealreg.models import LeadOffer
from marketing.campaign_models import Campaign, CampaignDay, CampaignKit, CampaignLead
from marketing.campaign_public import form_started
from prm.models import AuditEvent as AuditLog
from prm.outbox_models import OutboxEvent
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import MemberFactory
from tests.html_helpers import find, find_all
from tests.marketing.campaign_helpers import KIT, kit, launched, lead_form
from tests.marketing.helpers import published

pytestmark = pytest.mark.django_db


def _kit_post(**over):
    data = {
        "name": "Webinar kit",
        "landing_headline": "Join our webinar",
        "landing_body": "<p>Hosted by {{ partner.name }}</p><script>alert(1)</script>",
        "lead_form": "on",
        "language": "en",
        "social_posts": "Join us: {link}\n---\nLast seats: {link}",
        "mdf_activity_type": "webinar",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-subject": "Invitation",
        "steps-0-body": "<p>Dear customer</p>",
        "steps-0-delay_days": "0",
        "steps-1-subject": "",
        "steps-1-body": "",
        "steps-1-delay_days": "0",
    }
    return {**data, **over}


def test_channel_manager_builds_a_kit_sanitised_and_audited(world):
    asset = published(world)
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post("/marketing/campaign-kits/new/", _kit_post(assets=[asset.pk]))
    assert resp.status_code == 302, resp.content
    with tenant_context(world.tenant):
        k = CampaignKit.objects.get()
        assert "<script>" not in k.landing_body and "{{ partner.name }}" in k.landing_body
        assert k.social_posts == ["Join us: {link}", "Last seats: {link}"]
        assert [s["subject"] for s in k.email_steps] == ["Invitation"]
        assert list(k.assets.all()) == [asset]
        assert k.status == "draft"
        assert AuditLog.objects.filter(action="marketing.campaign_kit.created").exists()


@pytest.mark.parametrize(
    ("field", "over"),
    [
        ("landing_body", {"landing_body": "<p>{{ partner.secret }}</p>"}),
        ("social_posts", {"social_posts": "A post without the link"}),
        ("mdf_activity_type", {"mdf_activity_type": "yacht"}),
        ("name", {"name": ""}),
        ("language", {"language": "xx"}),
    ],
)
def test_bad_kit_input_is_a_form_error_and_nothing_is_saved(world, field, over):
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post("/marketing/campaign-kits/new/", _kit_post(**over))
    assert resp.status_code == 400  # the form again, with its errors, as every portal form
    assert find(resp, "div", class_="error-summary") is not None
    with tenant_context(world.tenant):
        assert not CampaignKit.objects.exists()


def test_partners_see_published_kits_only_and_staff_publish_and_retire(world):
    draft = kit(world, publish=False, name="Draft kit")
    live = kit(world, name="Live kit")
    partner = portal_client(world.tenant, world.partner_user)
    assert partner.get(f"/marketing/campaign-kits/{draft.pk}/").status_code == 404
    assert partner.get(f"/marketing/campaign-kits/{live.pk}/").status_code == 200
    staff = portal_client(world.tenant, world.admin)
    assert staff.post(f"/marketing/campaign-kits/{live.pk}/retire/").status_code == 302
    assert partner.get(f"/marketing/campaign-kits/{live.pk}/").status_code == 404
    with tenant_context(world.tenant):
        assert AuditLog.objects.filter(action="marketing.campaign_kit.retired").exists()
    # A retired kit cannot be retired again: refused with a message, nothing written.
    assert staff.post(f"/marketing/campaign-kits/{live.pk}/retire/").status_code == 302
    with tenant_context(world.tenant):
        assert AuditLog.objects.filter(action="marketing.campaign_kit.retired").count() == 1
    # Partners may not retire (a 403), whatever the state.
    assert partner.post(f"/marketing/campaign-kits/{live.pk}/publish/").status_code == 403


def test_partner_admin_launches_a_kit_and_gets_a_product_issued_code(world):
    k = kit(world)
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get(f"/marketing/campaign-kits/{k.pk}/")
    assert world.partner.name in find(page, "div", data_preview=True).text()
    resp = client.post(f"/marketing/campaign-kits/{k.pk}/launch/")
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        campaign = Campaign.objects.get()
        assert campaign.partner == world.partner and len(campaign.code) == 8
        assert OutboxEvent.objects.filter(event_type="campaign.launched").exists()
    detail = client.get(campaign.get_absolute_url())
    assert find(detail, "code", data_code=True).text() == campaign.code
    post = find(detail, "textarea", data_post=True).text()
    assert (
        post
        == f"Spring offer from us: http://{world.tenant.slug}.{_base()}/t/{campaign.code}/page/"
    )
    # Launching twice is refused, and nothing new is written.
    again = client.post(f"/marketing/campaign-kits/{k.pk}/launch/")
    assert again.status_code == 302
    with tenant_context(world.tenant):
        assert Campaign.objects.count() == 1


def _base():
    from django.conf import settings  # the test settings' base domain

    return settings.PRM_BASE_DOMAIN


def test_a_partner_user_cannot_launch(world):
    k = kit(world)
    client = portal_client(world.tenant, world.partner_user)
    assert client.post(f"/marketing/campaign-kits/{k.pk}/launch/").status_code == 403
    with tenant_context(world.tenant):
        assert not Campaign.objects.exists()


def test_landing_page_is_public_co_branded_and_counts_views(world):
    campaign = launched(world)
    client = portal_client(world.tenant)
    with tenant_context(world.tenant):
        path = f"/c/{_slug(campaign)}/{campaign.code}/"
    page = client.get(path)
    assert page.status_code == 200
    assert find(page, "h1").text() == KIT["landing_headline"]
    assert world.partner.name in find(page, "div", class_="mkt-copy").text()
    client.get(path)
    with tenant_context(world.tenant):
        assert Campaign.objects.get().views == 2
    # Another spelling of the partner's name in the path goes to the canonical address.
    assert client.get(f"/c/someone-else/{campaign.code}/").status_code == 301


def _slug(campaign):
    from marketing.campaign_selectors import partner_slug  # the one rule for the path

    return partner_slug(campaign.partner)


def test_landing_form_makes_a_consented_lead_for_that_partner(world):
    campaign = launched(world)
    client = portal_client(world.tenant)
    base = f"/c/{_slug(campaign)}/{campaign.code}/"
    resp = client.post(base + "lead/", lead_form(campaign))
    assert resp.status_code == 302 and resp["Location"].endswith("/thanks/")
    with tenant_context(world.tenant):
        row = CampaignLead.objects.select_related("lead").get()
        assert row.lead.company == "Customer GmbH"
        assert world.partner.name in row.consent_text
        assert LeadOffer.objects.get(lead=row.lead).partner == world.partner
        assert Campaign.objects.get().form_fills == 1
    # The lead shows on the partner's campaign funnel.
    page = portal_client(world.tenant, world.partner_user).get(campaign.get_absolute_url())
    assert find(page, "dd", data_figure="leads").text() == "1"


def test_landing_form_without_consent_is_refused(world):
    campaign = launched(world)
    client = portal_client(world.tenant)
    data = lead_form(campaign)
    del data["consent"]
    resp = client.post(f"/c/{_slug(campaign)}/{campaign.code}/lead/", data)
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert not CampaignLead.objects.exists()


def test_honeypot_and_time_trap_keep_bots_out(world):
    campaign = launched(world)
    client = portal_client(world.tenant)
    url = f"/c/{_slug(campaign)}/{campaign.code}/lead/"
    assert client.post(url, lead_form(campaign, homepage="http://spam")).status_code == 302
    fast = lead_form(campaign, started=form_started(campaign, at=time.time()))
    assert client.post(url, fast).status_code == 400
    with tenant_context(world.tenant):
        assert not CampaignLead.objects.exists()


@override_settings(PRM_CAMPAIGN_RATE_PER_IP=1)
def test_landing_form_is_rate_limited_per_address(world):
    campaign = launched(world)
    client = portal_client(world.tenant)
    url = f"/c/{_slug(campaign)}/{campaign.code}/lead/"
    assert client.post(url, lead_form(campaign)).status_code == 302
    assert client.post(url, lead_form(campaign, company="Second Ltd")).status_code == 429
    with tenant_context(world.tenant):
        assert CampaignLead.objects.count() == 1


def test_tracked_links_count_clicks_and_go_only_to_the_campaigns_targets(world):
    asset = published(world)
    campaign = launched(world, assets=[asset])
    client = portal_client(world.tenant)
    landing = f"/c/{_slug(campaign)}/{campaign.code}/"
    resp = client.get(f"/t/{campaign.code}/page/")
    assert resp.status_code == 302 and resp["Location"] == landing
    resp = client.get(f"/t/{campaign.code}/a{asset.pk}/")
    assert resp["Location"] == f"{landing}assets/{asset.pk}/"
    assert client.get(resp["Location"]).status_code == 200
    # No open redirect: anything but a named target of this campaign is a 404.
    for target in ("https:%2F%2Fevil.example", "evil.example", "a999999"):
        assert client.get(f"/t/{campaign.code}/{target}/").status_code == 404
    other = published(world, title="Not in the kit")
    assert client.get(f"/t/{campaign.code}/a{other.pk}/").status_code == 404
    assert client.get(f"{landing}assets/{other.pk}/").status_code == 404
    # A code typed in lower case is the same campaign's link.
    assert client.get(f"/t/{campaign.code.lower()}/page/")["Location"] == landing
    with tenant_context(world.tenant):
        assert Campaign.objects.get().clicks == 3
        # Each click is on today's row too (the MDF activity period's figures).
        assert list(CampaignDay.objects.values_list("clicks", flat=True)) == [3]


def test_a_draft_kit_or_an_unknown_code_has_no_public_page(world):
    client = portal_client(world.tenant)
    assert client.get("/c/x/NOPE2345/").status_code == 404
    assert client.get("/t/NOPE2345/page/").status_code == 404


def test_one_partner_never_sees_another_partners_campaign_or_figures(world):
    campaign = launched(world)
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.get(campaign.get_absolute_url()).status_code == 404
    page = other.get("/marketing/campaigns/")
    assert find_all(page, "tr", data_campaign=True) == []
    other_admin = MemberFactory(
        tenant=world.tenant, role=Role.PARTNER_ADMIN, partner=world.other_partner
    )
    with tenant_context(world.tenant):
        from marketing import campaign_services  # launch a second partner's own campaign

        theirs = campaign_services.campaign_launch(kit=campaign.kit, by=other_admin)
    mine = portal_client(world.tenant, world.partner_user).get("/marketing/campaigns/")
    rows = [int(r.attrs["data-campaign"]) for r in find_all(mine, "tr", data_campaign=True)]
    assert rows == [campaign.pk] and theirs.pk not in rows
    # Staff see both and filter by partner.
    staff = portal_client(world.tenant, world.admin)
    rows = find_all(
        staff.get(f"/marketing/campaigns/?partner={world.other_partner.pk}"),
        "tr",
        data_campaign=True,
    )
    assert [int(r.attrs["data-campaign"]) for r in rows] == [theirs.pk]


def test_another_tenants_campaign_is_404(world, stranger):
    campaign = launched(stranger)
    client = portal_client(world.tenant, world.admin)
    assert client.get(f"/marketing/campaigns/{campaign.pk}/").status_code == 404
    assert portal_client(world.tenant).get(f"/t/{campaign.code}/page/").status_code == 404
