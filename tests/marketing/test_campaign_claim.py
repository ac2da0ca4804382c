"""A claim for a fund request that funded the partner's own campaign is pre-filled from the
campaign's figures (asked of marketing through partners.questions "campaign.figures"): the
form shows them, the claim keeps a snapshot taken at submit time with a campaign performance
report (PDF) as proof, and the automatic checks pass from that data and name the figures.
Another partner's campaign never proves a claim. The API reads and creates the same way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from marketing import campaign_selectors, campaign_services
from mdf import selectors as mdf_selectors
from mdf import services as mdf_services
from mdf.models import Claim, FundRequest, ProofKind
from partners import questions
from prm.models import AuditEvent
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import MemberFactory
from tests.html_helpers import find, find_all
from tests.marketing.campaign_helpers import funded_request, launched
from tests.mdf.test_mdf_support import claim_fields, make_program, request_fields

pytestmark = pytest.mark.django_db


def _activity(campaign, *, views: int = 3, leads: int = 1) -> None:
    """Page views and consented leads on the campaign's landing page, through the services
    the public page calls."""
    for _ in range(views):
        campaign_services.campaign_count(campaign_id=campaign.pk, counter="views")
    for i in range(leads):
        campaign_services.campaign_lead_submit(
            campaign=campaign,
            name=f"Visitor {i}",
            email=f"visitor{i}@customer.example",
            company=f"Customer {i} GmbH",
            consent=True,
            consent_text="I agree",
        )


def _funded(world, campaign, *, code: str | None = None) -> FundRequest:
    with tenant_context(world.tenant):
        return funded_request(world, campaign, code=code)


def _campaign_with_request(world, *, views: int = 3, leads: int = 1):
    campaign = launched(world)
    with tenant_context(world.tenant):
        _activity(campaign, views=views, leads=leads)
    return campaign, _funded(world, campaign)


def _submit(world, req, **over) -> Claim:
    fields = claim_fields(req, actual_cost=Decimal("2000"), amount_claimed=Decimal("1000"))
    fields.pop("leads")
    fields.pop("impressions")
    with tenant_context(world.tenant):
        return mdf_services.claim_submit(request=req, by=world.partner_admin, **fields | over)


def _checks(world, claim) -> dict:
    with tenant_context(world.tenant):
        claim = Claim.objects.select_related("program", "request").get(pk=claim.pk)
        return {str(c.label): c for c in mdf_selectors.checks_by_claim([claim])[claim.pk]}


def test_the_claim_form_shows_the_campaigns_figures_and_prefills_leads_and_impressions(world):
    campaign, req = _campaign_with_request(world, views=3, leads=2)
    page = portal_client(world.tenant, world.partner_admin).get(f"/mdf/requests/{req.pk}/claim/")
    assert page.status_code == 200
    evidence = find(page, "dl", data_evidence="campaign").text()
    assert campaign.code in evidence and "Spring cloud campaign" in evidence
    assert find(page, "input", name="leads").attrs["value"] == "2"
    assert find(page, "input", name="impressions").attrs["value"] == "3"


def test_a_request_without_a_campaign_shows_no_figures(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        mdf_services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("20000"), by=None
        )
        req = mdf_services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        req = mdf_services.request_transition(request=req, to="approved", by=world.admin)
    page = portal_client(world.tenant, world.partner_admin).get(f"/mdf/requests/{req.pk}/claim/")
    assert page.status_code == 200
    assert not find_all(page, "dl", data_evidence="campaign")


def test_submitting_the_portal_form_stores_the_figures_and_attaches_the_report(world):
    campaign, req = _campaign_with_request(world, views=3, leads=1)
    client = portal_client(world.tenant, world.partner_admin)
    data = claim_fields(
        req, actual_cost=Decimal("2000"), amount_claimed=Decimal("1000"), leads=1, impressions=3
    )
    resp = client.post(f"/mdf/requests/{req.pk}/claim/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    with tenant_context(world.tenant):
        claim = Claim.objects.get()
        ev = claim.campaign_evidence
        (doc,) = claim.documents.all()
        assert doc.kind == ProofKind.RESULTS_REPORT and doc.content_type == "application/pdf"
        with doc.file.open("rb") as f:
            assert f.read(5) == b"%PDF-"
        audit = AuditEvent.objects.get(action="mdf.claim.submitted")
    assert (ev["code"], ev["views"], ev["leads"], ev["form_fills"]) == (campaign.code, 3, 1, 1)
    assert audit.after["campaign_evidence"]["views"] == 3


def test_the_snapshot_is_not_reread_when_the_campaign_grows(world):
    campaign, req = _campaign_with_request(world, views=3, leads=1)
    claim = _submit(world, req)
    before = _checks(world, claim)["Campaign figures"].detail
    with tenant_context(world.tenant):
        _activity(campaign, views=10, leads=2)
        # Answering a request for information does not re-read the figures either.
        mdf_services.claim_request_info(claim=claim, by=world.channel_manager, reason="Invoice?")
        mdf_services.claim_update(claim=claim, by=world.partner_admin, notes="Here it is")
        claim.refresh_from_db()
        assert campaign_selectors.funnel([campaign])[campaign.pk]["views"] == 13
    assert claim.campaign_evidence["views"] == 3 and claim.campaign_evidence["leads"] == 1
    assert _checks(world, claim)["Campaign figures"].detail == before


def test_the_automatic_checks_pass_from_the_campaign_data_and_name_its_figures(world):
    campaign, req = _campaign_with_request(world, views=1234, leads=2)
    claim = _submit(world, req)
    checks = _checks(world, claim)
    assert all(c.ok for c in checks.values()), {k: (c.ok, c.detail) for k, c in checks.items()}
    detail = checks["Campaign figures"].detail
    assert "1,234 views" in detail and "2 leads" in detail
    assert f"from campaign Spring cloud campaign ({campaign.code})" in detail
    assert claim.leads == 2 and claim.impressions == 1234


def test_the_reviewer_sees_the_evidence_and_the_named_check_on_the_claim_page(world):
    campaign, req = _campaign_with_request(world, views=5, leads=1)
    claim = _submit(world, req)
    page = portal_client(world.tenant, world.channel_manager).get(f"/mdf/claims/{claim.pk}/")
    assert page.status_code == 200
    assert campaign.code in find(page, "dl", data_evidence="campaign").text()
    body = page.content.decode()
    assert "Campaign figures" in body and "5 views" in body
    assert f"campaign-report-{campaign.code}.pdf" in body


def test_the_figures_are_the_activity_periods_not_the_campaigns_lifetime(world, time_machine):
    """Views before the activity's first day and a lead after its last day are the campaign's,
    not this activity's: the claim counts neither (won deals from the activity's leads keep
    counting after it ends)."""
    campaign = launched(world)
    today = timezone.localdate()
    time_machine.move_to(timezone.now() - datetime.timedelta(days=20))
    with tenant_context(world.tenant):
        _activity(campaign, views=50, leads=1)  # before the activity
    time_machine.move_to(timezone.now() + datetime.timedelta(days=17))
    with tenant_context(world.tenant):
        _activity(campaign, views=4, leads=0)  # three days ago: inside
    time_machine.move_to(timezone.now() + datetime.timedelta(days=3))
    req = _funded(world, campaign)
    assert (req.start_date, req.end_date) == (today - datetime.timedelta(days=7), today)
    with tenant_context(world.tenant):
        _activity(campaign, views=2, leads=1)  # today: inside
        campaign_services.campaign_count(campaign_id=campaign.pk, counter="clicks")
        lifetime = campaign_selectors.funnel([campaign])[campaign.pk]
        period = campaign_selectors.funnel([campaign], first=req.start_date, last=req.end_date)[
            campaign.pk
        ]
    assert (lifetime["views"], lifetime["leads"]) == (56, 2)
    assert (period["views"], period["clicks"], period["leads"]) == (6, 1, 1)
    claim = _submit(world, req)
    assert claim.campaign_evidence["views"] == 6 and claim.leads == 1 and claim.impressions == 6
    assert claim.campaign_evidence["first_day"] == req.start_date.isoformat()
    page = portal_client(world.tenant, world.channel_manager).get(f"/mdf/claims/{claim.pk}/")
    assert "Activity period" in find(page, "dl", data_evidence="campaign").text()


def test_a_campaign_without_activity_fails_its_figures_check(world):
    _campaign, req = _campaign_with_request(world, views=0, leads=0)
    claim = _submit(world, req)
    check = _checks(world, claim)["Campaign figures"]
    assert check.ok is False and "no views" in check.detail


def test_another_partners_campaign_never_proves_a_claim(world):
    other_admin = MemberFactory(
        tenant=world.tenant, role=Role.PARTNER_ADMIN, partner=world.other_partner
    )
    theirs = launched(world, by=other_admin)
    with tenant_context(world.tenant):
        _activity(theirs, views=7, leads=1)
        # Marketing answers only for the partner's own campaign.
        assert (
            questions.ask("campaign.figures", partner_id=world.partner.pk, code=theirs.code) is None
        )
        assert (
            questions.ask("campaign.figures", partner_id=world.other_partner.pk, code=theirs.code)[
                "views"
            ]
            == 7
        )
    # Even a request that somehow carries the other partner's code gets no figures from it.
    mine = launched(world, name="Another kit")
    req = _funded(world, mine)
    with tenant_context(world.tenant):
        FundRequest.objects.filter(pk=req.pk).update(
            campaign_code=theirs.code, funded_campaign_code=theirs.code
        )
        req = FundRequest.objects.select_related("program").get(pk=req.pk)
    page = portal_client(world.tenant, world.partner_admin).get(f"/mdf/requests/{req.pk}/claim/")
    assert not find_all(page, "dl", data_evidence="campaign")
    claim = _submit(world, req)
    with tenant_context(world.tenant):
        assert claim.campaign_evidence == {} and not claim.documents.exists()
    assert "Campaign figures" not in _checks(world, claim)


def test_the_api_creates_a_prefilled_claim_and_reads_its_evidence(world):
    campaign, req = _campaign_with_request(world, views=4, leads=1)
    client = api_client(world.tenant, world.partner_admin)
    data = {
        "request": req.pk,
        "activity_start": str(req.start_date),
        "activity_end": str(req.end_date),
        "actual_cost": "2000.00",
        "amount_claimed": "1000.00",
    }
    resp = client.post("/api/v1/mdf/claims/", data, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["campaign_evidence"]["code"] == campaign.code
    assert body["campaign_evidence"]["views"] == 4
    assert (body["leads"], body["impressions"]) == (1, 4)
    assert [d["kind"] for d in body["documents"]] == ["results_report"]
    staff = api_client(world.tenant, world.channel_manager).get(f"/api/v1/mdf/claims/{body['id']}/")
    checks = {c["label"]: c for c in staff.json()["checks"]}
    assert checks["Campaign figures"]["ok"] is True
    assert staff.json()["checks_failed"] is False


def test_the_api_keeps_given_leads_and_impressions(world):
    _campaign, req = _campaign_with_request(world, views=4, leads=1)
    data = {
        "request": req.pk,
        "activity_start": str(req.start_date),
        "activity_end": str(req.end_date),
        "actual_cost": "2000.00",
        "amount_claimed": "1000.00",
        "leads": 9,
        "impressions": 900,
    }
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/mdf/claims/", data, format="json"
    )
    assert resp.status_code == 201
    assert (resp.json()["leads"], resp.json()["impressions"]) == (9, 900)
    assert resp.json()["campaign_evidence"]["views"] == 4
