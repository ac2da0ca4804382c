"""Staff set each influencing partner's weight and role (SI, ISV, advisor, referral) on a
deal, in the portal and the API; the change is audited, partners cannot make it, and the
attribution rollup splits influenced revenue by the weights set this way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics import services as analytics_services
from dealreg import services
from dealreg.models import DealInfluencer
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.analytics.test_analytics_rollups import Q2, configure, rollup, won
from tests.conftest import api_client, portal_client
from tests.factories import PartnerFactory
from tests.mdf.test_mdf_support import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def influencer(world):
    with tenant_context(world.tenant):
        deal = make_deal(world, status="approved", customer_name="Globex")
        inf = services.influencer_add(
            deal=deal, by=world.channel_manager, partner=world.other_partner
        )
    return world, deal, inf


def _reload(world, inf) -> DealInfluencer:
    with tenant_context(world.tenant):
        return DealInfluencer.objects.get(pk=inf.pk)


def test_staff_set_weight_and_role_in_the_portal_and_it_is_audited(influencer):
    world, deal, inf = influencer
    client = portal_client(world.tenant, world.channel_manager)
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert f'action="/deals/{deal.pk}/influencers/{inf.pk}/edit/"' in page
    resp = client.post(
        f"/deals/{deal.pk}/influencers/{inf.pk}/edit/", {"weight": "2.5", "role": "si"}
    )
    assert resp.status_code == 302
    inf = _reload(world, inf)
    assert inf.weight == Decimal("2.50") and inf.role == "si"
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="deal.influencer_updated")
    assert event.before == {"weight": "1.00", "role": ""}
    assert event.after == {"weight": "2.50", "role": "si"}


def test_a_bad_weight_or_role_is_refused_and_nothing_changes(influencer):
    world, deal, inf = influencer
    client = portal_client(world.tenant, world.channel_manager)
    for data in ({"weight": "0", "role": "si"}, {"weight": "1", "role": "reseller"}):
        resp = client.post(f"/deals/{deal.pk}/influencers/{inf.pk}/edit/", data, follow=True)
        assert resp.status_code == 200
    inf = _reload(world, inf)
    assert inf.weight == Decimal("1") and inf.role == ""


def test_partners_cannot_set_an_influencers_weight(influencer):
    world, deal, inf = influencer
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/deals/{deal.pk}/influencers/{inf.pk}/edit/", {"weight": "9", "role": "isv"}
    )
    assert resp.status_code in (403, 404)
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/deals/{deal.pk}/influencers/{inf.pk}/edit/",
        {"weight": "9", "role": "isv"},
        format="json",
    )
    assert resp.status_code in (403, 404)
    assert _reload(world, inf).weight == Decimal("1")


def test_staff_set_weight_and_role_through_the_api(influencer):
    world, deal, inf = influencer
    client = api_client(world.tenant, world.channel_manager)
    url = f"/api/v1/deals/{deal.pk}/influencers/{inf.pk}/edit/"
    bad = client.post(url, {"weight": "-1", "role": "advisor"}, format="json")
    assert bad.status_code == 400 and "weight" in bad.json()["errors"]
    bad = client.post(url, {"weight": "1", "role": "boss"}, format="json")
    assert bad.status_code == 400 and "role" in bad.json()["errors"]
    resp = client.post(url, {"weight": "3", "role": "advisor"}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["weight"] == "3.00" and resp.json()["role"] == "advisor"
    shown = client.get(f"/api/v1/deals/{deal.pk}/").json()["influencers"]
    assert [(i["weight"], i["role"]) for i in shown] == [("3.00", "advisor")]


def test_weights_set_by_staff_split_the_influenced_revenue(world):
    with tenant_context(world.tenant):
        configure(world.tenant, attribution_model="weighted")
        third = PartnerFactory(tenant=world.tenant)
        deal = won(world.partner, "900.00")
        a = services.influencer_add(
            deal=deal, by=world.channel_manager, partner=world.other_partner
        )
        b = services.influencer_add(deal=deal, by=world.channel_manager, partner=third)
        services.influencer_set(influencer=a, by=world.channel_manager, weight="2", role="si")
        services.influencer_set(influencer=b, by=world.channel_manager, weight="1", role="isv")
        analytics_services.rollups_compute(tenant=world.tenant, periods=[Q2])
        assert (
            rollup(world.other_partner).influenced_revenue,
            rollup(third).influenced_revenue,
        ) == (Decimal("600.00"), Decimal("300.00"))
