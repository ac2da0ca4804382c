"""Rejecting a claim or a fund request asks first (prm/confirm.py): the confirmation page
names the object, a missing reason is a form error that changes nothing, and a confirmed
rejection is audited with its reason."""

from __future__ import annotations

import pytest

from mdf.models import Claim
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all
from tests.mdf.test_mdf_support import mdf_objects


def _status(world, claim) -> str:
    with tenant_context(world.tenant):
        return Claim.objects.get(pk=claim.pk).status


@pytest.mark.django_db
def test_claim_reject_confirmation_page_names_the_claim_and_asks_the_reason(world):
    claim = mdf_objects(world).claim_submitted
    client = portal_client(world.tenant, world.channel_manager)
    page = client.get(f"/mdf/claims/{claim.pk}/reject/")
    assert page.status_code == 200
    title = find(page, "h1").text()
    assert claim.number in title and world.partner.name in title
    assert find(page, "textarea", name="reason", required=True)
    assert _status(world, claim) == "submitted"


@pytest.mark.django_db
def test_claim_page_offers_reject_as_a_confirmation_dialog(world):
    claim = mdf_objects(world).claim_submitted
    page = portal_client(world.tenant, world.channel_manager).get(f"/mdf/claims/{claim.pk}/")
    link = find(page, "a", href=f"/mdf/claims/{claim.pk}/reject/", data_confirm=True)
    assert find(page, "dialog", id=link.attrs["data-confirm"])
    assert not find_all(page, "button", formaction=f"/mdf/claims/{claim.pk}/reject/")


@pytest.mark.django_db
def test_claim_reject_without_reason_is_a_form_error_and_changes_nothing(world):
    claim = mdf_objects(world).claim_submitted
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post(f"/mdf/claims/{claim.pk}/reject/", {"reason": ""})
    assert resp.status_code == 200
    assert "Tell the partner why." in find(resp, "p", class_="error").text()
    assert _status(world, claim) == "submitted"


@pytest.mark.django_db
def test_claim_reject_with_reason_rejects_and_the_audit_keeps_the_reason(world):
    claim = mdf_objects(world).claim_submitted
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post(f"/mdf/claims/{claim.pk}/reject/", {"reason": "No proof of the event."})
    assert resp.status_code == 302
    assert _status(world, claim) == "rejected"
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="mdf.claim.rejected", object_id=str(claim.pk))
    assert event.after["decision_reason"] == "No proof of the event."


@pytest.mark.django_db
def test_fund_request_reject_asks_first(world):
    req = mdf_objects(world).submitted
    client = portal_client(world.tenant, world.channel_manager)
    page = client.get(f"/mdf/requests/{req.pk}/reject/")
    assert req.number in find(page, "h1").text()
    resp = client.post(f"/mdf/requests/{req.pk}/reject/", {"reason": ""})
    assert "Tell the partner why." in find(resp, "p", class_="error").text()


@pytest.mark.django_db
def test_fund_request_cancel_asks_first_and_keeps_the_optional_reason(world):
    req = mdf_objects(world).submitted
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get(f"/mdf/requests/{req.pk}/cancel/")
    assert req.number in find(page, "h1").text()
    detail = client.get(f"/mdf/requests/{req.pk}/")
    assert find(detail, "a", href=f"/mdf/requests/{req.pk}/cancel/", data_confirm=True)
    assert (
        client.post(f"/mdf/requests/{req.pk}/cancel/", {"reason": "Venue closed"}).status_code
        == 302
    )
    with tenant_context(world.tenant):
        req.refresh_from_db()
    assert req.status == "cancelled"
