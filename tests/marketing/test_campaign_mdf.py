"""A fund request may pay for one of its own partner's campaigns: the code is checked (another
partner's or an unknown code is a form error / 400, nothing written), one request per
campaign, and on approval the request takes the campaign's code, so deals registered with it
count in the campaign's funnel and in MDF ROI through the one ROI formula."""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketing import campaign_selectors
from mdf import selectors as mdf_selectors
from mdf import services as mdf_services
from mdf.models import FundRequest
from prm.errors import DomainError
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.dealreg.test_dealreg import register
from tests.factories import MemberFactory
from tests.marketing.campaign_helpers import launched
from tests.mdf.test_mdf_support import make_program, request_fields

pytestmark = pytest.mark.django_db


def _program(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        mdf_services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("20000"), by=None
        )
        return program


def test_a_request_funding_the_partners_campaign_takes_its_code_on_approval(world):
    campaign = launched(world)
    program = _program(world)
    with tenant_context(world.tenant):
        req = mdf_services.request_submit(
            program=program,
            by=world.partner_admin,
            **request_fields(program, funded_campaign_code=campaign.code.lower()),
        )
        req = mdf_services.request_transition(request=req, to="approved", by=world.admin)
        assert req.campaign_code == campaign.code
    # A deal registered with the campaign's code is accepted and counts in both figures.
    deal = register(world, mdf_campaign_code=campaign.code)
    assert deal.mdf_campaign_code == campaign.code
    with tenant_context(world.tenant):
        funnel = campaign_selectors.funnel([campaign])[campaign.pk]
        rows = mdf_selectors.roi(tenant=world.tenant, program=program)
    assert funnel["registrations"] == 1
    assert [r.campaign_code for r in rows if r.level == "request"] == [campaign.code]


def test_another_partners_campaign_code_is_refused(world):
    other_admin = MemberFactory(
        tenant=world.tenant, role=Role.PARTNER_ADMIN, partner=world.other_partner
    )
    theirs = launched(world, by=other_admin)
    program = _program(world)
    client = api_client(world.tenant, world.partner_admin)
    data = request_fields(program, funded_campaign_code=theirs.code)
    data = {k: str(v) for k, v in data.items()} | {"program": program.pk}
    resp = client.post("/api/v1/mdf/requests/", data, format="json")
    assert resp.status_code == 400
    assert "funded_campaign_code" in str(resp.json())
    with tenant_context(world.tenant):
        assert not FundRequest.objects.exists()


def test_one_request_per_campaign(world):
    campaign = launched(world)
    program = _program(world)
    with tenant_context(world.tenant):
        mdf_services.request_submit(
            program=program,
            by=world.partner_admin,
            **request_fields(program, funded_campaign_code=campaign.code),
        )
        with pytest.raises(DomainError) as err:
            mdf_services.request_submit(
                program=program,
                by=world.partner_admin,
                **request_fields(program, title="Again", funded_campaign_code=campaign.code),
            )
    assert err.value.field == "funded_campaign_code"


def test_the_portal_request_form_refuses_an_unknown_campaign_code(world):
    program = _program(world)
    client = portal_client(world.tenant, world.partner_admin)
    data = request_fields(program, funded_campaign_code="NOPE2345") | {"program": program.pk}
    resp = client.post("/mdf/requests/new/", data)
    assert resp.status_code == 200
    with tenant_context(world.tenant):
        assert not FundRequest.objects.exists()
