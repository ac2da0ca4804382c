"""The incentives pages through HTTP: the partner's earnings with totals and projections, a
line's computation, disputes answered within the target, staff approval (one and many),
programs drafted and published, adjustments; bad input is a form error, nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from incentives.models import Dispute, Earning, IncentiveProgram, ProgramVersion
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import DealFactory
from tests.html_helpers import find, find_all
from tests.incentives.test_incentives_support import compute, program, won_deal

D = Decimal


def test_partner_sees_totals_lines_and_what_open_registrations_would_earn(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        compute(won_deal(world, amount="4000"))
        compute(won_deal(world, partner=world.other_partner, amount="9000"))
        open_deal = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status="approved",
            amount=D("7000"),
            customer_name="Initrode",
            customer_name_tokens=["initrode"],
        )
    page = portal_client(world.tenant, world.partner_user).get("/earnings/")
    assert page.status_code == 200
    assert find(page, "td", data_bucket="held").text() == "$400.00"
    lines = [
        a for a in find_all(page, "a", href=True) if "/incentives/earnings/" in a.attrs["href"]
    ]
    assert len(lines) == 1  # the other partner's line is not listed
    projection = find(page, "ul", class_="projection-list")
    assert "Initrode" in projection.text() and "$700.00" in projection.text()
    assert f"/deals/{open_deal.pk}/" in {a.attrs.get("href") for a in find_all(page, "a")}


def test_deal_page_shows_the_partner_what_the_open_deal_would_earn(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "12.5"})
        deal = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status="approved",
            amount=D("8000"),
            customer_name_tokens=["a"],
        )
    page = portal_client(world.tenant, world.partner_admin).get(f"/deals/{deal.pk}/")
    section = find(page, "section", id="earnings")
    assert "$1,000.00" in section.text()
    staff_page = portal_client(world.tenant, world.admin).get(f"/deals/{deal.pk}/")
    assert find_all(staff_page, "section", id="earnings") == []


def test_a_line_shows_its_computation_deal_share_version_and_rate(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, name="Core commission")
        line = compute(won_deal(world, amount="2500"))[0]
    page = portal_client(world.tenant, world.partner_admin).get(f"/incentives/earnings/{line.pk}/")
    facts = find(page, "dl", class_="facts").text()
    assert "Core commission" in facts and "version 1" in facts
    assert f"DR-{line.deal_id}" in facts and "10 %" in facts and "share 1" in facts
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.get(f"/incentives/earnings/{line.pk}/").status_code == 404


def test_partner_disputes_a_line_and_staff_answer_it_overdue_is_highlighted(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, dispute_sla_days=3)
        line = compute(won_deal(world))[0]
    client = portal_client(world.tenant, world.partner_user)
    url = f"/incentives/earnings/{line.pk}/dispute/"
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400 and find_all(empty, "div", class_="error-summary")
    assert client.post(url, {"reason": "Should be Gold rate"}).status_code == 302
    with tenant_context(world.tenant):
        dispute = Dispute.objects.get(earning=line)
        assert dispute.due_at.date() == (timezone.now() + datetime.timedelta(days=3)).date()
        Dispute.objects.filter(pk=dispute.pk).update(
            due_at=timezone.now() - datetime.timedelta(hours=1)
        )
    staff = portal_client(world.tenant, world.channel_manager)
    listing = staff.get("/incentives/disputes/")
    assert find(listing, "tr", class_="overdue")
    assert (
        staff.post(
            f"/incentives/disputes/{dispute.pk}/answer/",
            {"reason": "Gold applies from next quarter."},
        ).status_code
        == 302
    )
    with tenant_context(world.tenant):
        dispute.refresh_from_db()
    assert dispute.status == "answered" and dispute.answered_by_id == world.channel_manager.pk


def test_staff_approve_one_line_and_many_partner_sees_approved(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        a, b, c = (compute(won_deal(world, amount="1000"))[0] for _ in range(3))
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.post(f"/incentives/earnings/{a.pk}/approve/").status_code == 302
    queue = staff.get("/incentives/")
    assert {i.attrs["value"] for i in find_all(queue, "input", name="ids")} == {
        str(b.pk),
        str(c.pk),
    }
    assert staff.post("/incentives/earnings/approve/", {"ids": [b.pk, c.pk]}).status_code == 302
    with tenant_context(world.tenant):
        assert set(Earning.objects.values_list("status", flat=True)) == {"approved"}
    page = portal_client(world.tenant, world.partner_admin).get("/earnings/")
    assert find(page, "td", data_bucket="approved").text() == "$300.00"


def test_admin_creates_a_program_saves_a_draft_and_publishes_it(world):
    client = portal_client(world.tenant, world.admin)
    bad = client.post(
        "/incentives/programs/new/",
        {
            "name": "",
            "kind": "commission",
            "currency": "USD",
            "clawback_days": "30",
            "dispute_sla_days": "5",
        },
    )
    assert bad.status_code == 400
    resp = client.post(
        "/incentives/programs/new/",
        {
            "name": "Resale commission",
            "kind": "commission",
            "currency": "USD",
            "clawback_days": "30",
            "dispute_sla_days": "5",
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        p = IncentiveProgram.objects.get(name="Resale commission")
    refused = client.post(
        f"/incentives/programs/{p.pk}/draft/",
        {"sourced_rate": "10", "period": "quarter", "accelerators": "100000"},
    )
    assert refused.status_code == 400
    with tenant_context(world.tenant):
        assert ProgramVersion.objects.get(program=p).rules == {}
    ok = client.post(
        f"/incentives/programs/{p.pk}/draft/",
        {
            "sourced_rate": "10",
            "influenced_rate": "2",
            "period": "quarter",
            "accelerators": "100000 1.5",
            "overrides": "deal_type=renewal sourced=5",
        },
    )
    assert ok.status_code == 302
    with tenant_context(world.tenant):
        draft = ProgramVersion.objects.get(program=p)
        assert draft.rules["overrides"][0]["deal_type"] == "renewal"
    assert client.post(f"/incentives/versions/{draft.pk}/publish/").status_code == 302
    with tenant_context(world.tenant):
        draft.refresh_from_db()
    assert draft.status == "published" and draft.effective_from is not None
    page = client.get(f"/incentives/programs/{p.pk}/")
    assert "version 1 in force" in page.content.decode()


def test_admin_records_an_adjustment_with_a_reason(world):
    with tenant_context(world.tenant):
        p = program(world, rules={"sourced_rate": "10"})
    client = portal_client(world.tenant, world.admin)
    data = {"partner": world.partner.pk, "program": p.pk, "amount": "-40", "reason": ""}
    assert client.post("/incentives/adjustments/new/", data).status_code == 400
    assert (
        client.post("/incentives/adjustments/new/", data | {"reason": "Overpaid"}).status_code
        == 302
    )
    with tenant_context(world.tenant):
        line = Earning.objects.get(kind="adjustment")
    assert (line.amount, line.reason, line.status) == (D("-40.00"), "Overpaid", "pending")
