"""The demo tenant shows the marketing app: a library in two languages with an expired
promotion Northwind no longer sees, a draft only staff see, Northwind's brand kit, and a
co-brandable one-pager Northwind downloads as its own PDF."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from marketing.campaign_models import Campaign
from marketing.campaign_selectors import landing_path
from marketing.models import Asset, BrandKit, CobrandTemplate
from marketing.sequence_models import CampaignContact, SequenceSend
from mdf.models import FundRequest
from prm.models import Member, Tenant
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def test_demo_has_a_library_a_brand_kit_and_a_co_branded_one_pager(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        assets = list(Asset.objects.all())
        kit = BrandKit.objects.get(partner__name="Northwind Resellers")
        one_pager = CobrandTemplate.objects.get(kind="one_pager", status="published")
        admin = Member.objects.get(partner=kit.partner, role=Role.PARTNER_ADMIN)
        manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    assert {a.language for a in assets} >= {"en", "de"}
    assert any(a.expires_on for a in assets) and any(a.status == "draft" for a in assets)
    assert kit.logo and kit.logo_content_type == "image/png"
    partner = portal_client(tenant, admin)
    seen = {
        int(tr.attrs["data-asset"])
        for tr in find_all(partner.get("/marketing/"), "tr", data_asset=True)
    }
    expired_or_draft = {a.pk for a in assets if a.expires_on or a.status == "draft"}
    assert seen and not seen & expired_or_draft
    staff = portal_client(tenant, manager)
    all_rows = {
        int(tr.attrs["data-asset"])
        for tr in find_all(staff.get("/marketing/"), "tr", data_asset=True)
    }
    assert all_rows == {a.pk for a in assets}
    resp = partner.get(f"/marketing/templates/{one_pager.pk}/download/")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF-")
    # Campaigns: one published kit and Northwind's running campaign with views, clicks and
    # two leads from its landing page, on Northwind's funnel.
    with tenant_context(tenant):
        campaign = Campaign.objects.select_related("kit", "partner").get(partner=kit.partner)
    assert campaign.kit.status == "published" and campaign.views and campaign.clicks
    page = partner.get(campaign.get_absolute_url())
    assert find(page, "dd", data_figure="leads").text() == "2"
    landing = portal_client(tenant).get(landing_path(campaign))
    assert landing.status_code == 200
    # Its e-mail sequence runs: a few consented contacts, each sent the first step.
    assert campaign.sequence_status == "sending"
    with tenant_context(tenant):
        contacts = list(CampaignContact.objects.filter(campaign=campaign))
        steps = set(SequenceSend.objects.filter(campaign=campaign).values_list("step", flat=True))
    assert len(contacts) >= 3 and all(c.steps_sent == 1 and c.consent_text for c in contacts)
    assert steps == {1}
    assert find_all(page, "td", data_sent=True)[0].text() == str(len(contacts))
    # An approved MDF request pays for it: its claim form opens with the week's figures.
    with tenant_context(tenant):
        funded = FundRequest.objects.get(funded_campaign_code=campaign.code)
    assert funded.status == "approved" and funded.campaign_code == campaign.code
    claim_form = partner.get(f"/mdf/requests/{funded.pk}/claim/")
    assert claim_form.status_code == 200
    evidence = find(claim_form, "dl", data_evidence="campaign").text()
    assert campaign.code in evidence and "Activity period" in evidence
    # Page views pre-fill impressions (the visit to the landing page above counted one more).
    impressions = find(claim_form, "input", name="impressions").attrs["value"]
    assert impressions == str(campaign.views + 1)
