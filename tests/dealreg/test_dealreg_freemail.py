"""Issue #17, item 3: free-mail and ISP domains are never a company's domain. Two
registrations whose only shared evidence is gmail.com are no domain conflict, the portal form
and the API ask for the company's own website, and a lead's contact at a free-mail provider
does not give the customer a domain."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg import conflicts
from dealreg.models import Deal, DealStatus, MatchKind
from dealreg.services import leads
from partners.freemail import is_freemail
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client

pytestmark = pytest.mark.django_db

DEALS = "/api/v1/deals/"


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.de",
        "yahoo.com",
        "yahoo.co.jp",
        "icloud.com",
        "gmx.net",
        "gmx.ch",
        "web.de",
        "proton.me",
        "t-online.de",
        "aol.com",
    ],
)
def test_free_mail_and_isp_domains_are_known(domain):
    assert is_freemail(domain)


@pytest.mark.parametrize("domain", ["globex.com", "bluepeak.example", "gmail-partners.com", ""])
def test_company_domains_are_not_free_mail(domain):
    assert not is_freemail(domain)


def _legacy(world, name: str, partner, domain="gmail.com") -> Deal:
    """A registration stored before the fix, with a free-mail customer domain."""
    return Deal.objects.create(
        tenant=world.tenant,
        partner=partner,
        status=DealStatus.UNDER_REVIEW,
        customer_name=name,
        customer_domain_input=f"ceo@{domain}",
        customer_domain=domain,
        submitted_at=timezone.now(),
    )


def test_sharing_only_a_free_mail_domain_is_no_conflict(world):
    with tenant_context(world.tenant):
        theirs = _legacy(world, "Kingsbridge Ferries", world.other_partner)
        ours = _legacy(world, "Ashford Looms", world.partner, domain="googlemail.com")
        Deal.objects.filter(pk=ours.pk).update(customer_domain="gmail.com")
        ours = Deal.objects.get(pk=ours.pk)
        stored = conflicts.detect(conflicts.Probe.for_deal(ours), threshold=Decimal("0.85"))
        typed = conflicts.detect(
            conflicts.Probe.from_input(
                tenant_id=world.tenant.pk,
                partner_id=world.partner.pk,
                customer_name="Ashford Looms",
                customer_domain_input="someone@gmail.com",
            ),
            threshold=Decimal("0.85"),
        )
    assert not [m for m in stored + typed if m.kind == MatchKind.DOMAIN]
    assert theirs.pk not in {m.matched_deal.pk for m in stored + typed if m.matched_deal}


def _form(**over) -> dict:
    return {
        "customer_name": "Ashford Looms",
        "customer_domain_input": "buyer@gmail.com",
        "country": "US",
        "amount": "20000",
        "currency": "USD",
        "expected_close_date": (timezone.now().date() + datetime.timedelta(days=20)).isoformat(),
        "deal_type": "new",
        "partner_role": "resell",
    } | over


def test_the_portal_form_asks_for_the_companys_own_website(world):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/deals/new/submit/", _form())
    assert resp.status_code == 200
    errors = resp.context["form"].errors
    assert "customer_domain_input" in errors
    assert "company's website" in errors["customer_domain_input"][0]
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_the_api_answers_400_at_the_domain_field_for_a_free_mail_domain(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(
        DEALS,
        {
            "customer_name": "Ashford Looms",
            "customer_domain_input": "https://www.yahoo.co.uk",
            "amount": "20000.00",
            "expected_close_date": (timezone.now().date() + datetime.timedelta(days=9)).isoformat(),
            "submit": True,
        },
        format="json",
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"customer_domain_input"}
    check = client.post(
        f"{DEALS}pre-check/",
        {"customer_name": "Ashford Looms", "customer_domain_input": "pat@outlook.com"},
        format="json",
    )
    assert check.status_code == 400
    assert set(check.json()["errors"]) == {"customer_domain_input"}
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_a_leads_free_mail_contact_does_not_become_the_customers_domain(world):
    with tenant_context(world.tenant):
        world.partner.country = "DE"
        world.partner.save(update_fields=["country"])
        lead = leads.lead_create(
            by=world.channel_manager,
            company="Kruger Logistik",
            domain="kruger.logistik@gmx.de",
            contact_email="kruger.logistik@gmx.de",
            country="DE",
            amount=Decimal("5000"),
        )
        assert lead.domain == ""
        offer = leads.lead_route(lead=lead)
        deal = leads.lead_accept(offer=offer, by=world.partner_user)
    assert deal.customer_domain == ""
