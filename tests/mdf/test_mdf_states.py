"""MDF requests and claims follow their declared state machines (mdf.states): the pages offer
exactly the allowed actions, a visible object's forbidden action is 403 and an invisible
object 404, the same in the portal and the API."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from mdf import services
from mdf.models import FundRequest, Program
from mdf.states import CLAIM_MACHINE, REQUEST_MACHINE
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.mdf.test_mdf_support import mdf_objects, mdf_second_approval


def actions_on(page: str) -> set[str]:
    """The action URLs a page posts to (form actions and button formactions)."""
    return {m.rsplit("/", 2)[-2] for m in re.findall(r'(?:form)?action="(/mdf/[^"]+/)"', page)}


def body(resp) -> str:
    return resp.content.decode()


def test_an_approved_request_with_a_live_claim_offers_neither_cancel_nor_a_new_claim(world):
    m = mdf_objects(world)
    req = m.claim_submitted.request
    with tenant_context(world.tenant):
        assert REQUEST_MACHINE.allowed(req, world.partner_admin) == frozenset()
    page = body(portal_client(world.tenant, world.partner_admin).get(f"/mdf/requests/{req.pk}/"))
    assert actions_on(page) == set()
    assert f"/mdf/requests/{req.pk}/claim/" not in page


def test_an_approved_request_without_a_claim_offers_cancel_and_the_claim_to_its_partner(world):
    m = mdf_objects(world)
    url = f"/mdf/requests/{m.approved_unclaimed.pk}/"
    page = body(portal_client(world.tenant, world.partner_user).get(url))
    assert actions_on(page) == {"cancel"}
    assert f"{url}claim/" in page
    staff_page = body(portal_client(world.tenant, world.channel_manager).get(url))
    assert actions_on(staff_page) == {"cancel"}
    assert f"{url}claim/" not in staff_page


def test_a_submitted_request_offers_the_decisions_to_staff_and_cancel_to_its_partner(world):
    m = mdf_objects(world)
    url = f"/mdf/requests/{m.submitted.pk}/"
    staff = body(portal_client(world.tenant, world.channel_manager).get(url))
    assert actions_on(staff) == {"approve", "reject", "return", "cancel"}
    partner = body(portal_client(world.tenant, world.partner_admin).get(url))
    assert actions_on(partner) == {"cancel"}


def test_a_claim_page_offers_what_the_machine_allows(world):
    m = mdf_objects(world)
    second = mdf_second_approval(world)
    cases = [
        (m.claim_submitted, world.channel_manager, {"approve", "request-info", "reject"}),
        (m.claim_submitted, world.partner_admin, {"documents"}),
        (m.claim_info, world.partner_user, {"respond", "documents"}),
        (m.claim_approved, world.admin, {"pay"}),
        (m.claim_approved, world.channel_manager, set()),
        (m.claim_paid, world.admin, set()),
        (second, world.admin, {"second-approval", "reject"}),
        # The channel manager gave the first approval: the second is an admin's.
        (second, world.channel_manager, set()),
    ]
    for claim, member, expected in cases:
        page = body(portal_client(world.tenant, member).get(f"/mdf/claims/{claim.pk}/"))
        assert actions_on(page) == expected, (claim.status, member.role)


def test_visible_but_forbidden_actions_are_403_in_portal_and_api(world):
    m = mdf_objects(world)
    second = mdf_second_approval(world)
    partner = portal_client(world.tenant, world.partner_admin)
    manager = portal_client(world.tenant, world.channel_manager)
    assert partner.post(f"/mdf/requests/{m.submitted.pk}/approve/").status_code == 403
    assert partner.post(f"/mdf/claims/{m.claim_approved.pk}/pay/").status_code == 403
    # Reviewers decide claims, but a second approval is an admin's: the guard, not the URL.
    assert manager.post(f"/mdf/claims/{second.pk}/reject/", {"reason": "No"}).status_code == 403
    api_partner = api_client(world.tenant, world.partner_admin)
    api_manager = api_client(world.tenant, world.channel_manager)
    base = "/api/v1/mdf"
    assert api_partner.post(f"{base}/requests/{m.submitted.pk}/approve/").status_code == 403
    assert (
        api_manager.post(f"{base}/claims/{second.pk}/reject/", {"reason": "No"}).status_code == 403
    )
    assert api_manager.post(f"{base}/claims/{second.pk}/approve/").status_code == 403
    with tenant_context(world.tenant):
        second.refresh_from_db()
    assert second.status == "second_approval"


def test_an_admin_rejects_at_the_second_approval_by_its_own_url(world):
    second = mdf_second_approval(world)
    admin = portal_client(world.tenant, world.admin)
    page = body(admin.get(f"/mdf/claims/{second.pk}/"))
    # rejecting asks first (prm/confirm.py): a dialog whose form posts to the reject URL
    assert f'action="/mdf/claims/{second.pk}/second-approval/reject/"' in page
    assert 'name="second"' not in page  # no hidden field picks the form any more
    empty = admin.post(f"/mdf/claims/{second.pk}/second-approval/reject/", {"reason": ""})
    assert empty.status_code == 200  # the confirmation page again, with the reason's error
    assert 'role="alert"' in empty.content.decode()
    with tenant_context(world.tenant):
        second.refresh_from_db()
    assert second.status == "second_approval"
    resp = admin.post(
        f"/mdf/claims/{second.pk}/second-approval/reject/", {"reason": "Invoice is for 2025."}
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        second.refresh_from_db()
    assert second.status == "rejected"


def test_the_first_approver_cannot_give_the_second_approval(world):
    m = mdf_objects(world)
    with tenant_context(world.tenant):
        Program.objects.filter(pk=m.program.pk).update(second_approval_threshold=Decimal("500"))
        claim = services.claim_approve(claim=m.claim_submitted, by=world.admin)
        assert claim.status == "second_approval"
        assert "second_approve" not in CLAIM_MACHINE.allowed(claim, world.admin)
    admin = portal_client(world.tenant, world.admin)
    assert admin.post(f"/mdf/claims/{claim.pk}/second-approval/").status_code == 403
    api = api_client(world.tenant, world.admin)
    assert api.post(f"/api/v1/mdf/claims/{claim.pk}/approve/").status_code == 403


def test_invisible_requests_and_claims_are_404_in_portal_and_api(world):
    m = mdf_objects(world)
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.post(f"/mdf/requests/{m.submitted.pk}/cancel/").status_code == 404
    assert other.post(f"/mdf/claims/{m.claim_info.pk}/respond/").status_code == 404
    assert other.get(f"/mdf/claims/{m.claim_info.pk}/").status_code == 404
    api = api_client(world.tenant, world.other_partner_user)
    assert api.post(f"/api/v1/mdf/requests/{m.submitted.pk}/cancel/").status_code == 404
    assert api.post(f"/api/v1/mdf/claims/{m.claim_info.pk}/resubmit/").status_code == 404
    with tenant_context(world.tenant):
        assert FundRequest.objects.get(pk=m.submitted.pk).status == "submitted"


def test_an_action_the_state_no_longer_allows_is_refused_with_a_message(world):
    m = mdf_objects(world)
    req = m.claim_submitted.request
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(f"/mdf/requests/{req.pk}/cancel/", {"reason": "Changed plans"}, follow=True)
    assert "no longer be cancelled" in body(resp)
    api = api_client(world.tenant, world.partner_admin)
    resp = api.post(f"/api/v1/mdf/requests/{req.pk}/cancel/", {}, format="json")
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert FundRequest.objects.get(pk=req.pk).status == "approved"


@pytest.mark.parametrize(
    ("machine", "moves"),
    [
        (
            REQUEST_MACHINE,
            {
                "submitted": {"approved", "rejected", "returned", "cancelled"},
                "returned": {"submitted", "cancelled"},
                "approved": {"cancelled", "completed"},
            },
        ),
        (
            CLAIM_MACHINE,
            {
                "submitted": {"approved", "second_approval", "rejected", "info_requested"},
                "info_requested": {"submitted"},
                "second_approval": {"approved", "rejected"},
                "approved": {"paid"},
            },
        ),
    ],
)
def test_the_declared_moves_are_the_documented_workflow(machine, moves):
    for status, targets in moves.items():
        assert machine.targets(status) == targets


def test_the_api_lists_the_same_allowed_actions_as_the_portal_offers(world):
    m = mdf_objects(world)
    manager = api_client(world.tenant, world.channel_manager)
    partner = api_client(world.tenant, world.partner_admin)
    req = manager.get(f"/api/v1/mdf/requests/{m.submitted.pk}/").json()
    assert req["allowed_actions"] == ["approve", "cancel", "reject", "return"]
    rows = {r["id"]: r for r in partner.get("/api/v1/mdf/requests/").json()["results"]}
    assert rows[m.approved_unclaimed.pk]["allowed_actions"] == ["cancel", "claim"]
    assert rows[m.claim_submitted.request_id]["allowed_actions"] == []
    claim = partner.get(f"/api/v1/mdf/claims/{m.claim_info.pk}/").json()
    assert claim["allowed_actions"] == ["add_documents", "edit", "resubmit"]
