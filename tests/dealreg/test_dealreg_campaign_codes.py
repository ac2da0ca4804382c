"""Security issue #15, item 8: a deal registration carries only a campaign code of its own
partner's approved (or completed) MDF fund request. Another partner's code, an unknown code or
the code of a request that is no longer approved is refused at the field, through every path
(portal form, API), with one message that does not say whether the code exists elsewhere."""

from __future__ import annotations

import pytest

from dealreg.models import Deal
from mdf import selectors as mdf_selectors
from mdf import services as mdf_services
from mdf.models import RequestStatus
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.dealreg.test_dealreg_api import DEALS, body
from tests.dealreg.test_dealreg_portal import form
from tests.factories import MemberFactory
from tests.mdf.test_mdf_support import make_program, request_fields

pytestmark = pytest.mark.django_db

FIELD = "mdf_campaign_code"


@pytest.fixture
def codes(world):
    """Partner A (world.partner) and partner B (world.other_partner) each run an approved
    activity; A also has one cancelled after approval and one still waiting for a decision."""
    with tenant_context(world.tenant):
        other_admin = MemberFactory(
            tenant=world.tenant, role="partner_admin", partner=world.other_partner
        )
        program = make_program(world)
        for partner in (world.partner, world.other_partner):
            mdf_services.allocation_add(program=program, partner=partner, amount="9000", by=None)

        def request(by, *, to=None):
            req = mdf_services.request_submit(program=program, by=by, **request_fields(program))
            if to:
                req = mdf_services.request_transition(
                    request=req, to="approved", by=world.channel_manager
                )
            if to == "cancelled":
                req = mdf_services.request_transition(
                    request=req, to="cancelled", by=world.partner_admin
                )
            return req

        own = request(world.partner_admin, to="approved")
        theirs = request(other_admin, to="approved")
        cancelled = request(world.partner_admin, to="cancelled")
        pending = request(world.partner_admin)
    assert own.campaign_code and theirs.campaign_code and cancelled.campaign_code
    assert cancelled.status == RequestStatus.CANCELLED and pending.campaign_code == ""
    return {"own": own, "theirs": theirs, "cancelled": cancelled, "pending": pending}


def deals(world):
    with tenant_context(world.tenant):
        return list(Deal.objects.values_list("partner_id", FIELD))


# --- API ----------------------------------------------------------------------------------


def test_api_refuses_another_partners_campaign_code(world, codes):
    resp = api_client(world.tenant, world.partner_admin).post(
        DEALS, body(mdf_campaign_code=codes["theirs"].campaign_code, submit=True), format="json"
    )
    assert resp.status_code == 400, resp.json()
    assert resp.json()["type"] == "validation_error" and set(resp.json()["errors"]) == {FIELD}
    assert deals(world) == []


@pytest.mark.parametrize("which", ["cancelled", "unknown"])
def test_api_refuses_codes_of_requests_not_approved_and_unknown_codes(world, codes, which):
    code = "MDF-ZZZZZ" if which == "unknown" else codes[which].campaign_code
    resp = api_client(world.tenant, world.partner_admin).post(
        DEALS, body(mdf_campaign_code=code), format="json"
    )
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {FIELD}
    assert deals(world) == []


def test_the_refusal_reads_the_same_for_another_partners_code_and_an_unknown_one(world, codes):
    client = api_client(world.tenant, world.partner_admin)
    messages = [
        client.post(DEALS, body(mdf_campaign_code=code), format="json").json()["errors"][FIELD]
        for code in (codes["theirs"].campaign_code, "MDF-ZZZZZ")
    ]
    assert messages[0] == messages[1]


def test_api_accepts_the_partners_own_approved_code(world, codes):
    code = codes["own"].campaign_code
    resp = api_client(world.tenant, world.partner_user).post(
        DEALS, body(mdf_campaign_code=code.lower(), submit=True), format="json"
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()[FIELD] == code  # normalised to the code as issued
    assert deals(world) == [(world.partner.pk, code)]


def test_api_refuses_changing_a_draft_to_another_partners_code(world, codes):
    client = api_client(world.tenant, world.partner_admin)
    draft = client.post(DEALS, body(), format="json").json()
    resp = client.patch(
        f"{DEALS}{draft['id']}/", {FIELD: codes["theirs"].campaign_code}, format="json"
    )
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {FIELD}
    assert deals(world) == [(world.partner.pk, "")]


def test_a_deal_keeps_its_code_when_the_request_is_cancelled_later(world, codes):
    """Existing deals keep their code (MDF ROI keeps counting them for the activity);
    editing such a draft without touching the code is not refused, a new deal is."""
    own = codes["own"]
    client = api_client(world.tenant, world.partner_admin)
    draft = client.post(DEALS, body(mdf_campaign_code=own.campaign_code), format="json").json()
    with tenant_context(world.tenant):
        mdf_services.request_transition(request=own, to="cancelled", by=world.partner_admin)
    edit = client.patch(f"{DEALS}{draft['id']}/", {"notes": "Kick-off booked"}, format="json")
    assert edit.status_code == 200 and edit.json()[FIELD] == own.campaign_code
    again = client.post(DEALS, body(mdf_campaign_code=own.campaign_code), format="json")
    assert again.status_code == 400 and set(again.json()["errors"]) == {FIELD}


# --- Portal -------------------------------------------------------------------------------


def test_portal_form_shows_the_error_at_the_campaign_code_field(world, codes):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/deals/new/submit/", form(mdf_campaign_code=codes["theirs"].campaign_code))
    assert resp.status_code == 200
    assert list(resp.context["form"].errors) == [FIELD]
    assert deals(world) == []
    ok = client.post("/deals/new/submit/", form(mdf_campaign_code=codes["own"].campaign_code))
    assert ok.status_code == 302
    assert deals(world) == [(world.partner.pk, codes["own"].campaign_code)]


# --- MDF ROI stays right ------------------------------------------------------------------


def test_roi_of_another_partners_activity_cannot_be_inflated(world, codes):
    theirs = codes["theirs"]
    api_client(world.tenant, world.partner_admin).post(
        DEALS, body(mdf_campaign_code=theirs.campaign_code, submit=True), format="json"
    )
    with tenant_context(world.tenant):
        rows = mdf_selectors.roi(tenant=world.tenant)
    row = next(r for r in rows if r.level == "request" and r.request_id == theirs.pk)
    assert row.pipeline == 0
