"""Campaigns on the portal home (a partner's running campaigns with page views and leads this
month; for staff, campaigns launched and their leads) and in the global search (campaigns
and kits, a partner finding only its own company's campaigns)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from marketing import campaign_services
from marketing.campaign_models import CampaignLead
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import MemberFactory
from tests.html_helpers import find, find_all
from tests.marketing.campaign_helpers import kit, launched
from tests.prm.test_global_search import _group, _page
from tests.prm.test_home import inside

pytestmark = pytest.mark.django_db


def _lead(campaign, i: int):
    return campaign_services.campaign_lead_submit(
        campaign=campaign,
        name=f"Visitor {i}",
        email=f"v{i}@customer.example",
        company=f"Customer {i}",
        consent=True,
        consent_text="I agree",
    )


def _home(world, member):
    resp = portal_client(world.tenant, member).get("/")
    assert resp.status_code == 200
    return resp


def _other_admin(world):
    return MemberFactory(tenant=world.tenant, role=Role.PARTNER_ADMIN, partner=world.other_partner)


def test_a_partner_sees_its_running_campaigns_with_views_and_leads_this_month(world):
    mine = launched(world)
    theirs = launched(world, by=_other_admin(world), name="Their kit")
    with tenant_context(world.tenant):
        for _ in range(4):
            campaign_services.campaign_count(campaign_id=mine.pk, counter="views")
        _lead(mine, 1)
        old = _lead(mine, 2)
        # A lead of last month counts in the views' campaign but not in this month's leads.
        CampaignLead.objects.filter(pk=old.pk).update(
            consented_at=timezone.now() - datetime.timedelta(days=40)
        )
        _lead(theirs, 3)
    page = _home(world, world.partner_user)
    card = find(page, id="home-marketing-campaigns-partner")
    (row,) = inside(card, "tr", data_campaign=mine.code)
    assert inside(row, "td", data_figure="views")[0].text() == "4"
    assert inside(row, "td", data_figure="leads_month")[0].text() == "1"
    assert theirs.code not in page.content.decode()


def test_a_partner_without_campaigns_gets_no_campaign_card(world):
    launched(world, by=_other_admin(world))
    page = _home(world, world.partner_admin)
    assert not find_all(page, id="home-marketing-campaigns-partner")


def test_staff_see_campaigns_launched_and_leads(world):
    mine = launched(world)
    launched(world, by=_other_admin(world), name="Their kit")
    with tenant_context(world.tenant):
        _lead(mine, 1)
    page = _home(world, world.channel_manager)
    card = find(page, id="home-marketing-campaigns-staff")
    assert inside(card, "a", data_count="launched_month")[0].text() == "2"
    assert inside(card, "dd", data_count="leads_month")[0].text() == "1"
    assert not find_all(page, id="home-marketing-campaigns-partner")
    # A partner sees no staff card.
    assert not find_all(_home(world, world.partner_admin), id="home-marketing-campaigns-staff")


def test_a_partner_finds_only_its_own_campaigns(world, stranger):
    mine = launched(world)
    theirs = launched(world, by=_other_admin(world), name="Their kit")
    hits = _group(_page(world, world.partner_user, mine.code), "marketing_campaigns")
    assert hits == [(f"Spring cloud campaign · {mine.code}", f"/marketing/campaigns/{mine.pk}/")]
    assert _group(_page(world, world.partner_user, theirs.code), "marketing_campaigns") == []
    assert _group(_page(world, world.partner_user, "Their kit"), "marketing_campaigns") == []
    # Staff find either, also by the partner's name.
    staff = _group(
        _page(world, world.channel_manager, world.other_partner.name), "marketing_campaigns"
    )
    assert [h[1] for h in staff] == [f"/marketing/campaigns/{theirs.pk}/"]


def test_kits_are_found_published_only_by_partners(world):
    published = kit(world, name="Autumn webinar kit")
    draft = kit(world, name="Autumn draft kit", publish=False)
    partner = _group(_page(world, world.partner_user, "autumn"), "marketing_kits")
    assert partner == [("Autumn webinar kit", f"/marketing/campaign-kits/{published.pk}/")]
    staff = _group(_page(world, world.channel_manager, "autumn"), "marketing_kits")
    assert {h[1] for h in staff} == {
        f"/marketing/campaign-kits/{published.pk}/",
        f"/marketing/campaign-kits/{draft.pk}/",
    }
