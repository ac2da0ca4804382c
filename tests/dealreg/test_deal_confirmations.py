"""Irreversible actions on a deal ask first (prm/confirm.py): a GET of the action URL is the
confirmation page naming the deal; a POST without a reason the service requires is that page
again with the error and changes nothing; a confirmed POST acts and the audit keeps the reason."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg import services
from dealreg.models import Deal
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all


def _submitted(world, label: str = "Umbrella Corp") -> Deal:
    data = {
        "customer_name": label,
        "customer_domain_input": "umbrella.example",
        "amount": Decimal("1000"),
        "expected_close_date": timezone.now().date() + datetime.timedelta(days=30),
    }
    with tenant_context(world.tenant):
        return services.deal_save(by=world.partner_admin, data=data, submit=True)


def _approved(world) -> Deal:
    deal = _submitted(world)
    with tenant_context(world.tenant):
        return services.deal_approve(deal=deal, by=world.channel_manager)


def _within(element, tag: str, **attrs) -> list:
    """Descendants of a parsed element with `tag` and the attributes given (exact names)."""
    found = []
    for part in element.parts:
        if not isinstance(part, str):
            if part.matches(tag, None, attrs):
                found.append(part)
            found += _within(part, tag, **attrs)
    return found


def _status(world, deal) -> str:
    with tenant_context(world.tenant):
        return Deal.objects.get(pk=deal.pk).status


def _audit(world, action: str, deal) -> AuditEvent:
    with tenant_context(world.tenant):
        return AuditEvent.objects.get(action=action, object_id=str(deal.pk))


@pytest.mark.django_db
def test_withdraw_confirmation_page_names_the_deal_and_what_ends(world):
    deal = _approved(world)
    page = portal_client(world.tenant, world.partner_admin).get(f"/deals/{deal.pk}/withdraw/")
    assert page.status_code == 200
    title = find(page, "h1").text()
    assert deal.number in title and deal.customer_name in title
    assert "protection ends" in page.content.decode()
    form = find(page, "form", action=f"/deals/{deal.pk}/withdraw/", method="post")
    reason = _within(form, "textarea", name="reason")[0]
    assert find(page, id=reason.attrs["id"] + "_helptext").text() == "Up to 500 characters."
    assert _status(world, deal) == "approved"  # looking is not acting


@pytest.mark.django_db
def test_deal_page_offers_withdraw_as_a_link_to_its_confirmation_and_a_dialog(world):
    deal = _approved(world)
    page = portal_client(world.tenant, world.partner_admin).get(f"/deals/{deal.pk}/")
    link = find(page, "a", href=f"/deals/{deal.pk}/withdraw/", data_confirm=True)
    dialog = find(page, "dialog", id=link.attrs["data-confirm"])
    assert _within(dialog, "form", action=f"/deals/{deal.pk}/withdraw/", method="post")
    assert not find_all(page, "button", text="Withdraw registration")  # no one-click form


@pytest.mark.django_db
def test_withdraw_with_reason_withdraws_and_the_audit_keeps_the_reason(world):
    deal = _approved(world)
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(f"/deals/{deal.pk}/withdraw/", {"reason": "Customer chose another vendor"})
    assert resp.status_code == 302
    assert _status(world, deal) == "withdrawn"
    event = _audit(world, "deal.withdrawn", deal)
    assert event.after["reason"] == "Customer chose another vendor"


@pytest.mark.django_db
def test_withdraw_reason_over_the_limit_is_a_form_error_and_nothing_changes(world):
    deal = _approved(world)
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(f"/deals/{deal.pk}/withdraw/", {"reason": "x" * 501})
    assert resp.status_code == 200
    assert find_all(resp, "p", class_="error")
    assert _status(world, deal) == "approved"


@pytest.mark.django_db
def test_reject_without_reason_is_a_form_error_and_the_deal_stays_submitted(world):
    deal = _submitted(world)
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post(f"/deals/{deal.pk}/reject/", {"reason": "  "})
    assert resp.status_code == 200
    assert find(resp, "textarea", name="reason", required=True)
    assert find_all(resp, "p", class_="error")
    assert _status(world, deal) == "submitted"


@pytest.mark.django_db
def test_reject_with_reason_rejects_and_the_audit_keeps_the_reason(world):
    deal = _submitted(world)
    client = portal_client(world.tenant, world.channel_manager)
    assert client.post(f"/deals/{deal.pk}/reject/", {"reason": "Not our market"}).status_code == 302
    assert _status(world, deal) == "rejected"
    assert _audit(world, "deal.rejected", deal).after["reason"] == "Not our market"


@pytest.mark.django_db
def test_confirmation_page_of_a_decided_deal_sends_back_to_the_deal(world):
    deal = _approved(world)
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.get(f"/deals/{deal.pk}/reject/")
    assert resp.status_code == 302 and resp["Location"] == f"/deals/{deal.pk}/"


@pytest.mark.django_db
def test_partner_cannot_open_the_reject_confirmation(world):
    deal = _submitted(world)
    resp = portal_client(world.tenant, world.partner_admin).get(f"/deals/{deal.pk}/reject/")
    assert resp.status_code == 403
