"""ROI per activity, partner, activity type and program, to the cent, from one query."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from mdf import selectors, services
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.mdf.test_mdf_support import (
    claim_fields,
    make_deal,
    make_program,
    pdf_upload,
    request_fields,
)

pytestmark = pytest.mark.django_db

D = Decimal


def roi(won, paid):
    return ((won - paid) / paid).quantize(D("0.0001"), rounding=ROUND_HALF_UP)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _paid(world, program, *, by, title, activity_type, planned, requested, cost, claimed):
    req = services.request_submit(
        program=program,
        by=by,
        **request_fields(
            program,
            title=title,
            activity_type=activity_type,
            planned_cost=D(planned),
            requested_amount=D(requested),
        ),
    )
    req = services.request_transition(request=req, to="approved", by=world.admin)
    if claimed is None:
        return req
    claim = services.claim_submit(
        request=req,
        by=by,
        documents=[("invoice", pdf_upload())],
        **claim_fields(req, actual_cost=D(cost), amount_claimed=D(claimed)),
    )
    claim = services.claim_transition(claim=claim, to="approved", by=world.admin)
    services.claim_transition(
        claim=claim,
        to="paid",
        by=world.admin,
        payment_reference=f"PAY-{title}",
        paid_on=timezone.localdate(),
    )
    req.refresh_from_db()
    return req


@pytest.fixture
def scenario(world, stranger):
    from tests.factories import MemberFactory

    with tenant_context(world.tenant):
        other_admin = MemberFactory(
            tenant=world.tenant, role="partner_admin", partner=world.other_partner
        )
        program = make_program(world)
        services.rule_set(
            program=program,
            by=None,
            activity_type="webinar",
            max_reimbursable_pct=D("75"),
            required_proofs=[],
        )
        for p in (world.partner, world.other_partner):
            services.allocation_add(program=program, partner=p, amount="10000", by=None)
        common = {"by": world.partner_admin}
        r1 = _paid(
            world,
            program,
            **common,
            title="Roadshow",
            activity_type="event",
            planned="4000",
            requested="2000",
            cost="3601",
            claimed="1800.50",
        )
        r2 = _paid(
            world,
            program,
            **common,
            title="Webinar",
            activity_type="webinar",
            planned="2000",
            requested="1000",
            cost="1400",
            claimed="999.99",
        )
        r3 = _paid(
            world,
            program,
            by=other_admin,
            title="Booth",
            activity_type="event",
            planned="1000",
            requested="500",
            cost=None,
            claimed=None,
        )
        services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate="1.1",
            valid_from=datetime.date(2020, 1, 1),
        )
        today = timezone.localdate()
        make_deal(
            world,
            status="won",
            amount="10000.25",
            won_amount="9500.10",
            closed_at=today,
            code=r1.campaign_code,
        )
        make_deal(world, status="approved", amount="5000", code=r1.campaign_code)
        for excluded in ("lost", "draft", "rejected", "withdrawn"):
            make_deal(world, status=excluded, amount="7000", code=r1.campaign_code)
        make_deal(world, status="won", amount="99999", won_amount="99999", closed_at=today)
        make_deal(
            world,
            status="won",
            amount="1200",
            won_amount="1000",
            closed_at=today,
            currency="EUR",
            code=r2.campaign_code,
        )
        make_deal(
            world,
            status="submitted",
            amount="2500",
            code=r3.campaign_code,
            partner=world.other_partner,
        )
    with tenant_context(stranger.tenant):
        make_deal(stranger, status="won", amount="1e6", won_amount="1e6", code=r1.campaign_code)
    return world, program, r1, r2, r3


def test_roi_per_activity_partner_type_and_program_to_the_cent(scenario):
    world, program, r1, r2, r3 = scenario
    with tenant_context(world.tenant):
        rows = selectors.roi(tenant=world.tenant, program=program)
    by = {(r.level, r.request_id or r.partner_id or r.activity_type): r for r in rows}
    figures = {k: (r.paid, r.pipeline, r.won, r.roi) for k, r in by.items()}

    assert figures[("request", r1.pk)] == (
        D("1800.50"),
        D("15000.25"),
        D("9500.10"),
        roi(D("9500.10"), D("1800.50")),
    )
    assert roi(D("9500.10"), D("1800.50")) == D("4.2764")
    # The EUR deal converts at 1.1: pipeline 1,320.00, won 1,100.00.
    assert figures[("request", r2.pk)] == (
        D("999.99"),
        D("1320.00"),
        D("1100.00"),
        D("0.1000"),
    )
    assert figures[("request", r3.pk)] == (D("0"), D("2500.00"), D("0"), None)
    assert figures[("partner", world.partner.pk)] == (
        D("2800.49"),
        D("16320.25"),
        D("10600.10"),
        roi(D("10600.10"), D("2800.49")),
    )
    assert figures[("partner", world.other_partner.pk)] == (D("0"), D("2500.00"), D("0"), None)
    assert figures[("activity_type", "event")] == (
        D("1800.50"),
        D("17500.25"),
        D("9500.10"),
        D("4.2764"),
    )
    assert figures[("activity_type", "webinar")][3] == D("0.1000")
    (program_row,) = [r for r in rows if r.level == "program"]
    assert (program_row.paid, program_row.pipeline, program_row.won) == (
        D("2800.49"),
        D("18820.25"),
        D("10600.10"),
    )
    assert program_row.roi == roi(D("10600.10"), D("2800.49")) == D("2.7851")
    assert by[("request", r1.pk)].campaign_code == r1.campaign_code
    assert by[("request", r1.pk)].partner_name == world.partner.name


def test_roi_is_a_single_query(scenario, django_assert_num_queries):
    world, program, *_ = scenario
    with tenant_context(world.tenant):
        with django_assert_num_queries(1):
            selectors.roi(tenant=world.tenant, program=program)


def test_roi_can_be_limited_to_a_partner(scenario):
    world, program, r1, r2, r3 = scenario
    with tenant_context(world.tenant):
        rows = selectors.roi(tenant=world.tenant, partner=world.other_partner)
    assert {r.request_id for r in rows if r.level == "request"} == {r3.pk}


def test_paid_by_partner_selector_for_analytics(scenario):
    world, *_ = scenario
    with tenant_context(world.tenant):
        paid = selectors.mdf_paid_by_partner()
    assert paid == {world.partner.pk: [("USD", D("2800.49"))]}


def test_roi_in_the_api_and_the_portal(scenario):
    world, program, r1, *_ = scenario
    body = api_client(world.tenant, world.channel_manager).get(
        f"/api/v1/mdf/roi/?program={program.pk}"
    )
    assert body.status_code == 200
    row = next(r for r in body.json() if r["level"] == "request" and r["request_id"] == r1.pk)
    assert (row["paid"], row["pipeline"], row["won"], row["roi"]) == (
        "1800.50",
        "15000.25",
        "9500.10",
        "4.2764",
    )
    page = portal_client(world.tenant, world.admin).get(f"/mdf/roi/?program={program.pk}")
    assert page.status_code == 200
    assert "9,500.10" in page.content.decode() and r1.campaign_code in page.content.decode()
    assert api_client(world.tenant, world.partner_admin).get("/api/v1/mdf/roi/").status_code == 403
    assert (
        api_client(world.tenant, world.admin).get("/api/v1/mdf/roi/?program=abc").status_code == 400
    )
