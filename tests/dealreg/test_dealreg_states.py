"""Deal registration's state machines (dealreg/states.py): declared once, enforced by the
services, answered alike by portal and API (404 for an object the member cannot see, 403 for
an action they may not take on one they can), and the only source of what pages offer."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg import services
from dealreg.models import ACTIVE_STATUSES, Deal, DealStatus, LeadOffer, LeadStatus
from dealreg.services import leads
from dealreg.states import DEAL, LEAD_OFFER, TRANSITIONS
from prm.states import ActionNotAllowed
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import LeadOfferFactory

pytestmark = pytest.mark.django_db


def _data(name: str) -> dict:
    return {
        "customer_name": name,
        "customer_domain_input": f"{name.lower().replace(' ', '-')}.example",
        "amount": Decimal("90000"),  # above the auto-approve limit: a person decides
        "expected_close_date": timezone.now().date() + datetime.timedelta(days=30),
    }


def _submitted(world, name="Initrode") -> Deal:
    with tenant_context(world.tenant):
        deal = services.deal_save(by=world.partner_admin, data=_data(name), submit=True)
        services.deal_evaluate(deal_id=deal.pk)
        return Deal.objects.get(pk=deal.pk)


def _approved(world, name="Umbrella") -> Deal:
    deal = _submitted(world, name)
    with tenant_context(world.tenant):
        return services.deal_approve(deal=deal, by=world.channel_manager)


def _status(world, deal) -> str:
    with tenant_context(world.tenant):
        return Deal.objects.get(pk=deal.pk).status


# --- The declaration ----------------------------------------------------------------------


def test_every_active_status_is_reachable_and_final_statuses_lead_nowhere_but_won_to_lost():
    assert TRANSITIONS[DealStatus.DRAFT] == {DealStatus.SUBMITTED, DealStatus.WITHDRAWN}
    reachable = set().union(*TRANSITIONS.values())
    assert set(ACTIVE_STATUSES) <= reachable
    for final in (DealStatus.REJECTED, DealStatus.LOST, DealStatus.EXPIRED):
        assert TRANSITIONS[final] == set()
    # A won deal may still be lost (refunded or cancelled after it was won).
    assert TRANSITIONS[DealStatus.WON] == {DealStatus.LOST}
    with pytest.raises(ActionNotAllowed):
        DEAL.check_move(DealStatus.EXPIRED, DealStatus.APPROVED)


def test_a_service_refuses_a_move_the_machine_does_not_declare(world):
    with tenant_context(world.tenant):
        draft = services.deal_save(by=world.partner_admin, data=_data("Hooli"))
        with pytest.raises(ActionNotAllowed):
            services.deal_approve(deal=draft, by=world.channel_manager)
        assert Deal.objects.get(pk=draft.pk).status == DealStatus.DRAFT


# --- 404 for what one cannot see, 403 for what one may not do ---------------------------


@pytest.mark.parametrize("verb", ["approve", "reject", "recheck"])
def test_partner_deciding_its_own_visible_deal_is_403_in_portal_and_api(world, verb):
    deal = _submitted(world)
    portal = portal_client(world.tenant, world.partner_user)
    assert portal.post(f"/deals/{deal.pk}/{verb}/", {"reason": "mine"}).status_code == 403
    api = api_client(world.tenant, world.partner_user)
    resp = api.post(f"/api/v1/deals/{deal.pk}/{verb}/", {"reason": "mine"}, format="json")
    assert resp.status_code == 403
    assert _status(world, deal) == DealStatus.UNDER_REVIEW


@pytest.mark.parametrize("verb", ["approve", "withdraw", "submit"])
def test_another_partners_deal_is_404_in_portal_and_api(world, verb):
    deal = _submitted(world)
    portal = portal_client(world.tenant, world.other_partner_user)
    assert portal.post(f"/deals/{deal.pk}/{verb}/", {"reason": "x"}).status_code == 404
    api = api_client(world.tenant, world.other_partner_user)
    resp = api.post(f"/api/v1/deals/{deal.pk}/{verb}/", {"reason": "x"}, format="json")
    assert resp.status_code == 404
    assert _status(world, deal) == DealStatus.UNDER_REVIEW


def test_another_tenants_deal_is_404_for_staff_in_portal_and_api(world, stranger):
    deal = _submitted(stranger)
    portal = portal_client(world.tenant, world.channel_manager)
    assert portal.post(f"/deals/{deal.pk}/approve/").status_code == 404
    api = api_client(world.tenant, world.channel_manager)
    assert api.post(f"/api/v1/deals/{deal.pk}/approve/", {}, format="json").status_code == 404
    assert _status(stranger, deal) == DealStatus.UNDER_REVIEW


def test_staff_withdrawing_a_partners_deal_is_403_in_portal_and_api(world):
    deal = _submitted(world)
    portal = portal_client(world.tenant, world.admin)
    assert portal.post(f"/deals/{deal.pk}/withdraw/").status_code == 403
    api = api_client(world.tenant, world.admin)
    assert api.post(f"/api/v1/deals/{deal.pk}/withdraw/", {}, format="json").status_code == 403
    assert _status(world, deal) == DealStatus.UNDER_REVIEW


def test_an_action_the_state_forbids_is_a_message_not_a_change(world):
    deal = _approved(world)
    manager = portal_client(world.tenant, world.channel_manager)
    resp = manager.post(f"/deals/{deal.pk}/reject/", {"reason": "too late"}, follow=True)
    assert "This cannot be done while the item is approved." in resp.content.decode()
    assert _status(world, deal) == DealStatus.APPROVED
    api = api_client(world.tenant, world.channel_manager)
    resp = api.post(f"/api/v1/deals/{deal.pk}/reject/", {"reason": "too late"}, format="json")
    assert resp.status_code == 400


# --- Pages offer exactly the allowed actions ----------------------------------------------


def _page(world, member, deal) -> str:
    return portal_client(world.tenant, member).get(f"/deals/{deal.pk}/").content.decode()


def test_staff_see_decisions_on_a_deal_under_review_and_the_partner_does_not(world):
    deal = _submitted(world)
    staff = _page(world, world.channel_manager, deal)
    assert f"/deals/{deal.pk}/approve/" in staff and f"/deals/{deal.pk}/reject/" in staff
    assert f"/deals/{deal.pk}/close/" not in staff
    assert f"/deals/{deal.pk}/withdraw/" not in staff
    partner = _page(world, world.partner_user, deal)
    assert f"/deals/{deal.pk}/approve/" not in partner
    assert f"/deals/{deal.pk}/withdraw/" in partner
    assert f"/deals/{deal.pk}/extension/" not in partner  # not protected yet


def test_extension_is_offered_only_while_one_may_be_requested(world):
    deal = _approved(world)
    url = f"/deals/{deal.pk}/extension/"
    assert f'action="{url}"' not in _page(world, world.partner_user, deal)  # just approved
    with tenant_context(world.tenant):  # the protection now ends within one extension period
        Deal.objects.filter(pk=deal.pk).update(
            protected_until=timezone.now().date() + datetime.timedelta(days=10)
        )
    assert f'action="{url}"' in _page(world, world.partner_user, deal)
    client = portal_client(world.tenant, world.partner_user)
    assert client.post(url, {"reason": "Legal review"}).status_code == 302
    page = _page(world, world.partner_user, deal)
    assert f'action="{url}"' not in page  # one is waiting
    assert "Your extension request is waiting" in page
    staff = _page(world, world.channel_manager, deal)
    with tenant_context(world.tenant):
        ext = deal.extension_requests.get()
    assert f"/deals/{deal.pk}/extension/{ext.pk}/approve/" in staff
    manager = portal_client(world.tenant, world.channel_manager)
    assert manager.post(f"/deals/{deal.pk}/extension/{ext.pk}/approve/").status_code == 302
    # The default rules allow one extension: it is used.
    page = _page(world, world.partner_user, deal)
    assert f'action="{url}"' not in page
    assert client.post(url, {"reason": "Once more"}).status_code == 302
    with tenant_context(world.tenant):
        assert deal.extension_requests.count() == 1


def test_closed_deal_offers_no_decision(world):
    deal = _approved(world)
    with tenant_context(world.tenant):
        services.deal_close(deal=deal, by=world.channel_manager, won=False, reason="Budget")
        deal = Deal.objects.get(pk=deal.pk)
        assert DEAL.allowed(deal, world.partner_user) == frozenset()
        assert DEAL.allowed(deal, world.channel_manager) == {"add_influencer"}
    page = _page(world, world.partner_user, deal)
    assert "No action is open for this deal." in page


# --- Leads --------------------------------------------------------------------------------


def _offer(world, *, respond_by) -> LeadOffer:
    with tenant_context(world.tenant):
        lead = leads.lead_create(by=world.channel_manager, company="Kruger AG")
        lead.status = LeadStatus.OFFERED
        lead.save(update_fields=["status"])
        return LeadOfferFactory(
            tenant=world.tenant,
            lead=lead,
            partner=world.partner,
            score=Decimal("10"),
            respond_by=respond_by,
        )


def test_an_offer_past_its_time_is_not_offered_and_cannot_be_accepted(world):
    offer = _offer(world, respond_by=timezone.now() - datetime.timedelta(minutes=1))
    client = portal_client(world.tenant, world.partner_user)
    inbox = client.get("/leads/inbox/").content.decode()
    assert "Kruger AG" in inbox and f"/leads/offers/{offer.pk}/accept/" not in inbox
    resp = client.post(f"/leads/offers/{offer.pk}/accept/", follow=True)
    assert "The time to answer this offer has passed." in resp.content.decode()
    with tenant_context(world.tenant):
        assert LeadOffer.objects.get(pk=offer.pk).status == LeadOffer.Status.OPEN
        assert LEAD_OFFER.allowed(offer, world.partner_user) == frozenset()


def test_another_partners_offer_is_404_and_staff_may_not_answer_offers(world):
    offer = _offer(world, respond_by=timezone.now() + datetime.timedelta(days=1))
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.post(f"/leads/offers/{offer.pk}/accept/").status_code == 404
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.post(f"/leads/offers/{offer.pk}/accept/").status_code == 403
    api = api_client(world.tenant, world.other_partner_user)
    assert api.post(f"/api/v1/lead-offers/{offer.pk}/accept/").status_code == 404


def test_route_is_offered_only_for_a_lead_without_an_open_offer(world):
    offered = _offer(world, respond_by=timezone.now() + datetime.timedelta(days=1))
    with tenant_context(world.tenant):
        fresh = leads.lead_create(by=world.channel_manager, company="Fresh GmbH")
    page = portal_client(world.tenant, world.channel_manager).get("/leads/").content.decode()
    assert f"/leads/{fresh.pk}/route/" in page
    assert f"/leads/{offered.lead_id}/route/" not in page


def test_the_api_names_the_actions_each_member_may_take(world):
    deal = _submitted(world)
    url = f"/api/v1/deals/{deal.pk}/"
    staff = api_client(world.tenant, world.channel_manager).get(url).json()
    assert staff["allowed_actions"] == ["add_influencer", "approve", "recheck", "reject"]
    partner = api_client(world.tenant, world.partner_user).get(url).json()
    assert partner["allowed_actions"] == ["withdraw"]
