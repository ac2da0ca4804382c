"""The MDF API: a whole flow, field errors in the project format, 404 for unknown and foreign
ids, scoping of lists and balances, idempotent decisions, exchange-rate import."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mdf.models import ExchangeRate
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.mdf.test_mdf_support import claim_fields, mdf_objects, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_whole_flow_through_the_api(world):
    admin = api_client(world.tenant, world.admin)
    manager = api_client(world.tenant, world.channel_manager)
    partner = api_client(world.tenant, world.partner_user)
    today = timezone.localdate()

    program = admin.post(
        "/api/v1/mdf/programs/",
        {
            "name": "This quarter",
            "period": "quarter",
            "start_date": str(today.replace(day=1)),
            "currency": "USD",
            "budget": "10000.00",
        },
        format="json",
    )
    assert program.status_code == 201, program.json()
    pid = program.json()["id"]
    assert admin.post(
        f"/api/v1/mdf/programs/{pid}/rules/",
        {"activity_type": "webinar", "max_reimbursable_pct": "80", "required_proofs": ["invoice"]},
        format="json",
    ).json()["rules"] == [
        {
            "activity_type": "webinar",
            "max_reimbursable_pct": "80.00",
            "required_proofs": ["invoice"],
            "claim_deadline_days": 60,
        }
    ]
    resp = admin.post(
        "/api/v1/mdf/allocations/",
        {"program": pid, "partner": world.partner.pk, "amount": "3000"},
        format="json",
    )
    assert resp.status_code == 201 and resp.json()["kind"] == "allocate"

    req = partner.post(
        "/api/v1/mdf/requests/",
        {
            "program": pid,
            "activity_type": "webinar",
            "title": "Webinar",
            "description": "Live demo",
            "start_date": str(today),
            "end_date": str(today),
            "planned_cost": "2000",
            "requested_amount": "1500",
            "target_audience": "Admins",
        },
        format="json",
    )
    assert req.status_code == 201, req.json()
    rid = req.json()["id"]
    approved = manager.post(
        f"/api/v1/mdf/requests/{rid}/approve/", {"amount": "1200"}, format="json"
    )
    assert approved.status_code == 200
    assert (
        approved.json()["status"] == "approved" and approved.json()["approved_amount"] == "1200.00"
    )
    code = approved.json()["campaign_code"]
    assert code.startswith("MDF-")

    claim = partner.post(
        "/api/v1/mdf/claims/",
        {
            "request": rid,
            "activity_start": str(today),
            "activity_end": str(today),
            "actual_cost": "1800",
            "amount_claimed": "1200",
            "attendees": 80,
        },
        format="json",
    )
    assert claim.status_code == 201, claim.json()
    cid = claim.json()["id"]
    assert claim.json()["currency"] == "USD"
    up = partner.post(
        f"/api/v1/mdf/claims/{cid}/documents/",
        {"kind": "invoice", "file": pdf_upload()},
        format="multipart",
    )
    assert up.status_code == 201 and len(up.json()["documents"]) == 1
    assert (
        manager.post(f"/api/v1/mdf/claims/{cid}/approve/", {}, format="json").json()["status"]
        == "approved"
    )
    paid = admin.post(
        f"/api/v1/mdf/claims/{cid}/pay/",
        {"payment_reference": "WIRE-1", "paid_on": str(today)},
        format="json",
    )
    assert paid.status_code == 200
    assert paid.json()["remittance_url"] == f"/mdf/claims/{cid}/remittance.pdf"

    (balance,) = partner.get("/api/v1/mdf/balances/").json()
    assert {k: balance[k] for k in ("allocated", "committed", "claimed", "paid", "available")} == {
        "allocated": "3000.00",
        "committed": "0.00",
        "claimed": "0.00",
        "paid": "1200.00",
        "available": "1800.00",
    }
    ledger = admin.get(f"/api/v1/mdf/ledger/?program={pid}").json()["results"]
    assert [e["kind"] for e in ledger] == ["payment", "claim_approved", "commit", "allocate"]


def test_field_errors_use_the_project_format(world):
    admin = api_client(world.tenant, world.admin)
    resp = admin.post(
        "/api/v1/mdf/programs/",
        {"name": "", "period": "month", "start_date": "soon", "currency": "usd", "budget": "-1"},
        format="json",
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["type"] == "validation_error"
    assert set(body["errors"]) == {"name", "period", "start_date", "currency", "budget"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "lots"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1000.001"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"amount": "5000"}, "amount"),  # more than requested: a domain error
    ],
)
def test_bad_decision_input_is_a_400_naming_the_field(world, payload, field):
    m = mdf_objects(world)
    resp = api_client(world.tenant, world.channel_manager).post(
        f"/api/v1/mdf/requests/{m.submitted.pk}/approve/", payload, format="json"
    )
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]


def test_non_object_bodies_and_missing_reasons_are_400(world):
    m = mdf_objects(world)
    client = api_client(world.tenant, world.channel_manager)
    assert (
        client.post(f"/api/v1/mdf/requests/{m.submitted.pk}/reject/", [], format="json").status_code
        == 400
    )
    resp = client.post(f"/api/v1/mdf/claims/{m.claim_submitted.pk}/reject/", {}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["errors"]


def test_illegal_moves_are_400_not_500(world):
    m = mdf_objects(world)
    client = api_client(world.tenant, world.admin)
    resp = client.post(f"/api/v1/mdf/claims/{m.claim_paid.pk}/approve/", {}, format="json")
    assert resp.status_code == 400 and "status" in resp.json()["errors"]
    resp = client.post(
        f"/api/v1/mdf/claims/{m.claim_submitted.pk}/pay/",
        {"payment_reference": "X", "paid_on": "2020-01-01"},
        format="json",
    )
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/mdf/requests/abc/",
        "/api/v1/mdf/requests/999999/",
        "/api/v1/mdf/claims/1.5/",
        "/api/v1/mdf/programs/999999/",
    ],
)
def test_unknown_or_malformed_ids_are_404(world, path):
    assert api_client(world.tenant, world.admin).get(path).status_code == 404


def test_malformed_id_on_an_action_is_404(world):
    client = api_client(world.tenant, world.admin)
    assert client.post("/api/v1/mdf/requests/abc/approve/", {}, format="json").status_code == 404


def test_another_tenants_objects_are_404_and_foreign_ids_do_not_exist(world, stranger):
    theirs = mdf_objects(stranger)
    mdf_objects(world)
    client = api_client(world.tenant, world.admin)
    assert client.get(f"/api/v1/mdf/requests/{theirs.submitted.pk}/").status_code == 404
    resp = client.post(
        "/api/v1/mdf/allocations/",
        {"program": theirs.program.pk, "partner": stranger.partner.pk, "amount": "10"},
        format="json",
    )
    assert resp.status_code == 400 and {"program", "partner"} <= set(resp.json()["errors"])


def test_partners_see_only_their_company(world):
    m = mdf_objects(world)
    mine = api_client(world.tenant, world.partner_user)
    other = api_client(world.tenant, world.other_partner_user)
    assert len(mine.get("/api/v1/mdf/requests/").json()["results"]) == 6
    assert other.get("/api/v1/mdf/requests/").json()["results"] == []
    assert other.get(f"/api/v1/mdf/claims/{m.claim_submitted.pk}/").status_code == 404
    assert other.post(f"/api/v1/mdf/requests/{m.submitted.pk}/cancel/").status_code == 404
    assert other.get("/api/v1/mdf/balances/").json() == []
    assert other.get(f"/api/v1/mdf/balances/?partner={world.partner.pk}").json() == []
    assert [b["partner"] for b in mine.get("/api/v1/mdf/balances/").json()] == [world.partner.pk]
    resp = other.post(
        "/api/v1/mdf/claims/",
        {
            "request": m.approved_unclaimed.pk,
            **{k: str(v) for k, v in claim_fields(m.approved_unclaimed).items()},
        },
        format="json",
    )
    assert resp.status_code == 400 and "request" in resp.json()["errors"]


def test_balances_reject_malformed_filters(world):
    client = api_client(world.tenant, world.admin)
    assert client.get("/api/v1/mdf/balances/?program=x").status_code == 400


def test_an_approval_repeated_with_the_same_idempotency_key_is_replayed(world):
    m = mdf_objects(world)
    client = api_client(world.tenant, world.channel_manager)
    url = f"/api/v1/mdf/requests/{m.submitted.pk}/approve/"
    first = client.post(url, {"amount": "300"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(url, {"amount": "300"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["campaign_code"] == second.json()["campaign_code"]
    with tenant_context(world.tenant):
        assert m.submitted.entries.count() == 1


def test_claim_resubmission_after_an_information_request(world):
    m = mdf_objects(world)
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(f"/api/v1/mdf/claims/{m.claim_info.pk}/resubmit/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"
    # A claim in review may still be corrected; a decided one may not.
    again = client.post(
        f"/api/v1/mdf/claims/{m.claim_info.pk}/resubmit/", {"leads": 15}, format="json"
    )
    assert again.status_code == 200 and again.json()["leads"] == 15
    paid = client.post(f"/api/v1/mdf/claims/{m.claim_paid.pk}/resubmit/", {}, format="json")
    assert paid.status_code == 400


CSV = (
    "from_currency,to_currency,rate,valid_from\n"
    "EUR,USD,1.0825,2030-01-01\n"
    "GBP,USD,1.27,2030-01-01\n"
)


def test_exchange_rate_import_previews_then_applies(world):
    client = api_client(world.tenant, world.admin)
    preview = client.post("/api/v1/mdf/exchange-rates/import/", {"csv": CSV}, format="json")
    assert preview.status_code == 200
    body = preview.json()
    assert (body["dry_run"], body["applied"], body["created"], body["errors"]) == (
        True,
        False,
        2,
        0,
    )
    with tenant_context(world.tenant):
        assert not ExchangeRate.objects.exists()
    applied = client.post(
        "/api/v1/mdf/exchange-rates/import/", {"csv": CSV, "dry_run": False}, format="json"
    )
    assert applied.json()["applied"] is True
    with tenant_context(world.tenant):
        assert ExchangeRate.objects.count() == 2
    again = client.post("/api/v1/mdf/exchange-rates/import/", {"csv": CSV}, format="json")
    assert again.json()["unchanged"] == 2


def test_exchange_rate_import_with_errors_saves_nothing(world):
    client = api_client(world.tenant, world.admin)
    bad = CSV + "EUR,EUR,1,2030-01-01\nXYZ,USD,abc,2030-02-30\n"
    preview = client.post("/api/v1/mdf/exchange-rates/import/", {"csv": bad}, format="json")
    assert preview.status_code == 200 and preview.json()["errors"] == 2
    resp = client.post(
        "/api/v1/mdf/exchange-rates/import/", {"csv": bad, "dry_run": False}, format="json"
    )
    assert resp.status_code == 400
    assert resp.json()["errors"]["file"][0].startswith("Line 4:")
    with tenant_context(world.tenant):
        assert not ExchangeRate.objects.exists()
    header = client.post("/api/v1/mdf/exchange-rates/import/", {"csv": "a,b\n1,2\n"}, format="json")
    assert header.status_code == 400 and "file" in header.json()["errors"]


def test_list_query_counts_do_not_grow_with_rows(world, django_assert_max_num_queries):
    from mdf import services
    from tests.mdf.test_mdf_support import request_fields

    m = mdf_objects(world)
    client = api_client(world.tenant, world.admin)
    client.get("/api/v1/mdf/requests/")
    with django_assert_max_num_queries(20) as requests_before:
        client.get("/api/v1/mdf/requests/")
    with django_assert_max_num_queries(20) as claims_before:
        client.get("/api/v1/mdf/claims/")
    with tenant_context(world.tenant):
        for _ in range(4):
            req = services.request_submit(
                program=m.program,
                by=world.partner_admin,
                **request_fields(m.program, requested_amount="10"),
            )
            req = services.request_transition(request=req, to="approved", by=world.admin)
            services.claim_submit(
                request=req,
                by=world.partner_admin,
                documents=[("invoice", pdf_upload())],
                **claim_fields(req, amount_claimed="10"),
            )
    with django_assert_max_num_queries(len(requests_before.captured_queries)):
        client.get("/api/v1/mdf/requests/")
    with django_assert_max_num_queries(len(claims_before.captured_queries)):
        client.get("/api/v1/mdf/claims/")
