"""The vendor's direct deals from the CRM carry influencers (issue #17 item 7): the CRM upserts
them by its id with the partners that influenced them; staff see them all, a partner those it
is credited on; an approved influence claim credits the partner on the customer's open and
won deals (other partners' registrations and direct deals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealreg import services
from dealreg.models import DealEvent, DealInfluencer, DealStatus, DirectDeal, DirectDealInfluencer
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/crm/direct-deals/{}/"


def _body(world, **extra):
    return {
        "customer_name": "Globex Corporation",
        "customer_domain": "https://www.globex.com",
        "amount": "10000.00",
        "status": "open",
        "influencers": [{"partner": world.partner.pk, "weight": "2", "role": "si"}],
        **extra,
    }


def test_the_crm_upserts_a_direct_deal_with_its_influencers_idempotently(world):
    client = api_client(world.tenant, world.admin)
    resp = client.put(URL.format("OPP-1"), _body(world), format="json")
    assert resp.status_code == 201, resp.json()
    data = resp.json()
    assert data["customer_domain"] == "globex.com" and data["status"] == "open"
    assert data["influencers"] == [
        {
            "partner": {"id": world.partner.pk, "name": world.partner.name},
            "weight": "2.00",
            "role": "si",
            "claim": None,
        }
    ]
    again = client.put(URL.format("OPP-1"), _body(world), format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    won = client.put(
        URL.format("OPP-1"),
        _body(
            world,
            status="won",
            closed_at="2026-05-10",
            influencers=[{"partner": world.other_partner.pk, "role": "advisor"}],
        ),
        format="json",
    )
    assert won.status_code == 200
    assert [i["partner"]["id"] for i in won.json()["influencers"]] == [world.other_partner.pk]
    with tenant_context(world.tenant):
        deal = DirectDeal.objects.get()
        assert deal.customer_name_normalised == "globex"
        assert (deal.status, str(deal.closed_at)) == ("won", "2026-05-10")
        assert list(
            AuditEvent.objects.filter(object_type="dealreg.directdeal")
            .order_by("id")
            .values_list("action", flat=True)
        ) == ["direct_deal.created", "direct_deal.updated"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"status": "maybe"}, "status"),
        ({"amount": "-1"}, "amount"),
        ({"customer_name": ""}, "customer_name"),
        ({"influencers": [{"partner": 999999}]}, "influencers"),
        ({"influencers": [{"partner": 0, "weight": "0"}]}, "influencers"),
        ({"status": "open", "closed_at": "2026-05-10"}, "closed_at"),
        ({"currency": "XYZ"}, "currency"),  # three letters, but no ISO 4217 currency
        ({"customer_name": "x" * 201}, "customer_name"),
    ],
)
def test_bad_direct_deals_are_refused_with_field_errors(world, change, field):
    resp = api_client(world.tenant, world.admin).put(
        URL.format("OPP-9"), _body(world) | change, format="json"
    )
    assert resp.status_code == 400 and field in resp.json()["errors"], resp.json()
    with tenant_context(world.tenant):
        assert not DirectDeal.objects.exists()


def test_another_tenants_partner_cannot_be_an_influencer(world, stranger):
    resp = api_client(world.tenant, world.admin).put(
        URL.format("OPP-2"),
        _body(world, influencers=[{"partner": stranger.partner.pk}]),
        format="json",
    )
    assert resp.status_code == 400 and "influencers" in resp.json()["errors"]


def test_partners_cannot_write_direct_deals(world):
    resp = api_client(world.tenant, world.partner_admin).put(
        URL.format("OPP-3"), _body(world), format="json"
    )
    assert resp.status_code == 403


def test_a_partner_sees_only_the_direct_deals_it_is_credited_on(world, stranger):
    staff = api_client(world.tenant, world.admin)
    staff.put(URL.format("OPP-A"), _body(world), format="json")
    staff.put(
        URL.format("OPP-B"),
        _body(world, customer_name="Initech", influencers=[{"partner": world.other_partner.pk}]),
        format="json",
    )
    mine = api_client(world.tenant, world.partner_user).get("/api/v1/crm/direct-deals/").json()
    assert [d["external_id"] for d in mine["results"]] == ["OPP-A"]
    assert api_client(world.tenant, world.partner_user).get(URL.format("OPP-B")).status_code == 404
    assert api_client(stranger.tenant, stranger.admin).get(URL.format("OPP-A")).status_code == 404
    page = portal_client(world.tenant, world.partner_user).get("/direct-deals/")
    assert "Globex Corporation" in page.content.decode()
    assert "Initech" not in page.content.decode()
    staff_page = portal_client(world.tenant, world.channel_manager).get("/direct-deals/")
    assert "Initech" in staff_page.content.decode()
    with tenant_context(world.tenant):
        pk = DirectDeal.objects.get(external_id="OPP-B").pk
    assert (
        portal_client(world.tenant, world.partner_user).get(f"/direct-deals/{pk}/").status_code
        == 404
    )
    detail = portal_client(world.tenant, world.admin).get(f"/direct-deals/{pk}/")
    assert world.other_partner.name in detail.content.decode()


def _approved_claim(world, **extra):
    with tenant_context(world.tenant):
        claim = services.influence_claim_submit(
            by=world.partner_user,
            customer_name="Globex Corp.",
            customer_domain="globex.com",
            role="isv",
            evidence="Architecture workshop.",
            **extra,
        )
    resp = api_client(world.tenant, world.channel_manager).post(
        f"/api/v1/influence-claims/{claim.pk}/approve/", {}, format="json"
    )
    assert resp.status_code == 200
    return claim


def test_an_approved_claim_credits_the_partner_on_the_customers_deals(world):
    staff = api_client(world.tenant, world.admin)
    staff.put(URL.format("OPP-W"), _body(world, status="won", influencers=[]), format="json")
    staff.put(URL.format("OPP-L"), _body(world, status="lost", influencers=[]), format="json")
    with tenant_context(world.tenant):
        others = DealFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            customer_name="Globex",
            customer_name_normalised="globex",
            status=DealStatus.APPROVED,
        )
        by_domain = DealFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            customer_name="GX Holdings",
            customer_domain="globex.com",
            status=DealStatus.WON,
        )
        rejected = DealFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            customer_name="Globex",
            customer_name_normalised="globex",
            status=DealStatus.REJECTED,
        )
        own = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            customer_name="Globex",
            customer_name_normalised="globex",
            status=DealStatus.APPROVED,
        )
        unrelated = DealFactory(
            tenant=world.tenant, partner=world.other_partner, status=DealStatus.APPROVED
        )
    claim = _approved_claim(world)
    with tenant_context(world.tenant):
        credited = DealInfluencer.objects.filter(partner=world.partner)
        assert set(credited.values_list("deal_id", flat=True)) == {others.pk, by_domain.pk}
        assert {(i.role, i.weight, i.status, i.claim_id) for i in credited} == {
            ("isv", Decimal("1"), "approved", claim.pk)
        }
        direct = DirectDealInfluencer.objects.get(partner=world.partner)
        assert direct.direct_deal.external_id == "OPP-W" and direct.claim_id == claim.pk
        event = AuditEvent.objects.get(action="influence_claim.credited")
        assert event.after["deals"] == sorted([others.pk, by_domain.pk])
        assert not DealInfluencer.objects.filter(deal__in=[rejected, own, unrelated]).exists()
        assert AuditEvent.objects.filter(action="deal.influencer_added").count() == 2
        assert DealEvent.objects.filter(deal=others, kind="influencer_added").exists()
    page = portal_client(world.tenant, world.partner_user).get("/influence/").content.decode()
    assert "Credited as influencer on 3 deals." in page
    api = api_client(world.tenant, world.partner_user).get(f"/api/v1/influence-claims/{claim.pk}/")
    assert api.json()["credited_deals"] == 3
    # The CRM's later list replaces its own influencers, never the claim's credit.
    staff.put(URL.format("OPP-W"), _body(world, status="won", influencers=[]), format="json")
    with tenant_context(world.tenant):
        assert DirectDealInfluencer.objects.filter(partner=world.partner).exists()


def test_a_rejected_claim_credits_nothing(world):
    with tenant_context(world.tenant):
        DealFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            customer_name="Globex",
            customer_name_normalised="globex",
            status=DealStatus.APPROVED,
        )
        claim = services.influence_claim_submit(
            by=world.partner_user, customer_name="Globex", role="si", evidence="Workshop."
        )
        services.influence_claim_decide(
            claim=claim, by=world.channel_manager, approve=False, reason="No evidence."
        )
        assert not DealInfluencer.objects.exists()


def test_claim_influence_is_linked_prefilled_from_a_won_deal(world):
    with tenant_context(world.tenant):
        deal = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            customer_name="Globex & Co",
            customer_domain="globex.com",
            status=DealStatus.WON,
        )
    client = portal_client(world.tenant, world.partner_user)
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    link = "/influence/new/?customer_name=Globex%20%26%20Co&amp;customer_domain=globex.com"
    assert link in page
    form = client.get("/influence/new/?customer_name=Globex+%26+Co&customer_domain=globex.com")
    assert 'value="Globex &amp; Co"' in form.content.decode()


def test_a_free_mail_domain_on_a_claim_matches_no_deal(world):
    with tenant_context(world.tenant):
        DealFactory(
            tenant=world.tenant,
            partner=world.other_partner,
            customer_name="Someone Else",
            customer_domain="gmail.com",
            status=DealStatus.APPROVED,
        )
        claim = services.influence_claim_submit(
            by=world.partner_user,
            customer_name="Globex",
            customer_domain="boss@gmail.com",
            role="si",
            evidence="Workshop.",
        )
        services.influence_claim_decide(claim=claim, by=world.channel_manager, approve=True)
        assert not DealInfluencer.objects.exists()


def test_an_overlong_crm_id_is_a_400_not_a_500(world):
    resp = api_client(world.tenant, world.admin).put(
        URL.format("X" * 101), _body(world), format="json"
    )
    assert resp.status_code == 400 and "external_id" in resp.json()["errors"]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_direct_deal_lists_cost_the_same_for_more_deals(world):
    staff = api_client(world.tenant, world.admin)

    def add(n):
        for i in range(n):
            staff.put(
                URL.format(f"OPP-{n}-{i}"),
                _body(
                    world,
                    influencers=[
                        {"partner": world.partner.pk},
                        {"partner": world.other_partner.pk},
                    ],
                ),
                format="json",
            )

    add(2)
    api, portal = (
        api_client(world.tenant, world.partner_user),
        portal_client(world.tenant, world.admin),
    )
    _queries(api, "/api/v1/crm/direct-deals/")  # the first call also records the key's use
    few = (_queries(api, "/api/v1/crm/direct-deals/"), _queries(portal, "/direct-deals/"))
    add(5)
    assert (_queries(api, "/api/v1/crm/direct-deals/"), _queries(portal, "/direct-deals/")) == few
