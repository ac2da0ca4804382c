"""API parity: programs and versions, earnings and balances, approval, disputes, projections;
bad input is a 400 with field errors in the one error format, nothing written."""

from __future__ import annotations

from decimal import Decimal

from incentives.models import Earning, IncentiveProgram
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.factories import DealFactory
from tests.incentives.test_incentives_support import compute, program, won_deal

D = Decimal
BASE = "/api/v1/incentives"


def test_admin_creates_drafts_and_publishes_a_program_over_the_api(world):
    client = api_client(world.tenant, world.admin)
    bad = client.post(
        f"{BASE}/programs/", {"name": "X", "kind": "bogus", "currency": "USD"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["type"] == "validation_error"
    assert "kind" in bad.json()["errors"]
    created = client.post(
        f"{BASE}/programs/",
        {"name": "API commission", "kind": "commission", "currency": "EUR"},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    refused = client.post(
        f"{BASE}/programs/{pk}/draft/", {"rules": {"sourced_rate": "150"}}, format="json"
    )
    assert refused.status_code == 400 and "sourced_rate" in refused.json()["errors"]
    draft = client.post(
        f"{BASE}/programs/{pk}/draft/", {"rules": {"sourced_rate": "7.5"}}, format="json"
    )
    assert draft.status_code == 200 and draft.json()["rules"]["sourced_rate"] == "7.5"
    published = client.post(f"{BASE}/versions/{draft.json()['id']}/publish/", {}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = client.post(f"{BASE}/versions/{draft.json()['id']}/publish/", {}, format="json")
    assert again.status_code == 400


def test_partner_lists_own_earnings_and_balances_only(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        mine = compute(won_deal(world, amount="1000"))[0]
        compute(won_deal(world, partner=world.other_partner, amount="5000"))
    client = api_client(world.tenant, world.partner_user)
    rows = client.get(f"{BASE}/earnings/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert rows[0]["amount"] == "100.00" and rows[0]["status"] == "held"
    balances = client.get(f"{BASE}/balances/").json()
    assert balances == [
        {
            "currency": "USD",
            "earned": "100.00",
            "held": "100.00",
            "pending": "0.00",
            "approved": "0.00",
            "paid": "0.00",
            "reversed": "0.00",
        }
    ]


def test_staff_approve_over_the_api_and_bulk_ids_are_validated(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        a, b = compute(won_deal(world))[0], compute(won_deal(world))[0]
    client = api_client(world.tenant, world.channel_manager)
    assert (
        client.post(f"{BASE}/earnings/{a.pk}/approve/", format="json").json()["status"]
        == "approved"
    )
    second = client.post(f"{BASE}/earnings/{a.pk}/approve/", format="json")
    assert second.status_code == 400
    bad = client.post(f"{BASE}/earnings/approve/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400 and "ids" in bad.json()["errors"]
    ok = client.post(f"{BASE}/earnings/approve/", {"ids": [a.pk, b.pk]}, format="json").json()
    assert ok == {"approved": [b.pk], "skipped": [a.pk]}


def test_adjustment_and_dispute_refuse_bad_input_with_field_errors(world):
    with tenant_context(world.tenant):
        p = program(world, rules={"sourced_rate": "10"})
        line = compute(won_deal(world))[0]
    admin = api_client(world.tenant, world.admin)
    bad = admin.post(
        f"{BASE}/earnings/adjustments/",
        {"partner": world.partner.pk, "program": p.pk, "amount": "0", "reason": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "amount" in bad.json()["errors"]
    missing = admin.post(
        f"{BASE}/earnings/adjustments/",
        {"partner": 999999, "program": p.pk, "amount": "5", "reason": "x"},
        format="json",
    )
    assert missing.status_code == 400 and "partner" in missing.json()["errors"]
    with tenant_context(world.tenant):
        assert not Earning.objects.filter(kind="adjustment").exists()
    partner = api_client(world.tenant, world.partner_admin)
    blank = partner.post(f"{BASE}/earnings/{line.pk}/dispute/", {"reason": ""}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    ok = partner.post(f"{BASE}/earnings/{line.pk}/dispute/", {"reason": "Rate?"}, format="json")
    assert ok.status_code == 201 and ok.json()["status"] == "open"
    answer = api_client(world.tenant, world.admin).post(
        f"{BASE}/disputes/{ok.json()['id']}/answer/", {"reason": "Correct."}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "answered"


def test_projection_of_an_open_registration(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        deal = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status="approved",
            amount=D("3000"),
            customer_name_tokens=["a"],
        )
    rows = (
        api_client(world.tenant, world.partner_admin).get(f"{BASE}/projections/{deal.pk}/").json()
    )
    assert [(r["kind"], r["amount"]) for r in rows] == [("commission", "300.00")]
    other = api_client(world.tenant, world.other_partner_user).get(f"{BASE}/projections/{deal.pk}/")
    assert other.status_code == 404
    with tenant_context(world.tenant):
        assert IncentiveProgram.objects.count() == 1
