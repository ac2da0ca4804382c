"""Campaigns through the API: staff build and publish kits (bad input is a 400 with field
errors, nothing written), a partner admin launches one and reads its campaign with the
funnel; another partner sees none of it."""

from __future__ import annotations

import pytest

from marketing.campaign_models import Campaign, CampaignKit
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.marketing.campaign_helpers import KIT, kit, launched

pytestmark = pytest.mark.django_db


def test_staff_create_and_publish_a_kit_then_a_partner_admin_launches_it(world):
    staff = api_client(world.tenant, world.channel_manager)
    resp = staff.post("/api/v1/marketing/campaign-kits/", KIT, format="json")
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    assert resp.json()["status"] == "draft" and "publish" in resp.json()["allowed_actions"]
    assert staff.post(f"/api/v1/marketing/campaign-kits/{pk}/publish/").status_code == 200
    partner = api_client(world.tenant, world.partner_admin)
    resp = partner.post(f"/api/v1/marketing/campaign-kits/{pk}/launch/")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["landing_url"].endswith(f"/{body['code']}/")
    assert body["social_posts"] == [f"Spring offer from us: {body['tracked_url']}"]
    assert body["funnel"]["views"] == 0
    # A second launch is a 400, nothing written.
    again = partner.post(f"/api/v1/marketing/campaign-kits/{pk}/launch/")
    assert again.status_code == 400
    with tenant_context(world.tenant):
        assert Campaign.objects.count() == 1
    listed = partner.get("/api/v1/marketing/campaigns/").json()["results"]
    assert [c["code"] for c in listed] == [body["code"]]


@pytest.mark.parametrize(
    ("field", "over"),
    [
        ("landing_body", {"landing_body": "<p>{{ settings.SECRET_KEY }}</p>"}),
        ("social_posts", {"social_posts": ["no link here"]}),
        ("mdf_activity_type", {"mdf_activity_type": "yacht"}),
        ("email_steps", {"email_steps": [{"subject": "", "body": "x"}]}),
    ],
)
def test_bad_kit_input_is_a_400_with_the_field(world, field, over):
    staff = api_client(world.tenant, world.admin)
    resp = staff.post("/api/v1/marketing/campaign-kits/", {**KIT, **over}, format="json")
    assert resp.status_code == 400
    assert field in str(resp.json())
    with tenant_context(world.tenant):
        assert not CampaignKit.objects.exists()


def test_partners_never_see_another_partners_campaign(world):
    campaign = launched(world)
    other = api_client(world.tenant, world.other_partner_user)
    assert other.get("/api/v1/marketing/campaigns/").json()["results"] == []
    assert other.get(f"/api/v1/marketing/campaigns/{campaign.pk}/").status_code == 404
    staff = api_client(world.tenant, world.admin)
    mine = staff.get(f"/api/v1/marketing/campaigns/?partner={world.partner.pk}").json()
    assert [c["id"] for c in mine["results"]] == [campaign.pk]


def test_partner_user_cannot_launch_and_drafts_are_hidden(world):
    draft = kit(world, publish=False)
    partner = api_client(world.tenant, world.partner_user)
    assert partner.get(f"/api/v1/marketing/campaign-kits/{draft.pk}/").status_code == 404
    live = kit(world, name="Live")
    assert partner.post(f"/api/v1/marketing/campaign-kits/{live.pk}/launch/").status_code == 403
