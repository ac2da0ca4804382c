"""MDF portal pages: empty states that say what to do, forms that show errors (never a 500),
decisions, admin screens, the CSV exports and query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mdf import services
from mdf.models import ExchangeRate, FundRequest, LedgerEntry, Program
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.import_helpers import start_and_run, upload
from tests.mdf.test_mdf_support import (
    claim_fields,
    make_program,
    mdf_objects,
    pdf_upload,
    request_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def text(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.content.decode()


@pytest.mark.parametrize(
    ("role", "path", "hint"),
    [
        ("partner_user", "/mdf/", "No funds have been allocated to your company yet"),
        ("partner_user", "/mdf/requests/", "No requests yet"),
        ("partner_user", "/mdf/requests/new/", "No program is taking requests right now"),
        ("partner_user", "/mdf/claims/", "No claims yet"),
        ("partner_user", "/mdf/documents/", "No documents yet"),
        ("channel_manager", "/mdf/review/requests/", "No requests are waiting"),
        ("channel_manager", "/mdf/review/claims/", "No claims are waiting"),
        ("channel_manager", "/mdf/review/history/", "No decisions yet"),
        ("channel_manager", "/mdf/roi/", "Nothing to measure yet"),
        ("admin", "/mdf/programs/", "No programs yet"),
        ("admin", "/mdf/exchange-rates/", "No rates yet"),
        ("admin", "/mdf/ledger/", "No entries match"),
    ],
)
def test_empty_pages_say_what_to_do_next(world, role, path, hint):
    assert hint in text(portal_client(world.tenant, world.member(role)).get(path))


def test_navigation_shows_mdf_by_role(world):
    assert "/mdf/" in text(portal_client(world.tenant, world.partner_user).get("/"))
    staff = text(portal_client(world.tenant, world.channel_manager).get("/"))
    assert "/mdf/review/requests/" in staff and "/mdf/programs/" not in staff
    assert "/mdf/programs/" in text(portal_client(world.tenant, world.admin).get("/"))


@pytest.fixture
def funded(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="3000", by=None)
    return world, program


def form_data(prog, **overrides):
    data = {"program": prog.pk} | {k: str(v) for k, v in request_fields(prog).items()}
    return data | overrides


def test_partner_requests_funds_in_the_portal(funded):
    world, program = funded
    client = portal_client(world.tenant, world.partner_user)
    assert "Current quarter: Event" in text(client.get("/mdf/requests/new/"))
    resp = client.post("/mdf/requests/new/", form_data(program))
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        req = FundRequest.objects.get()
    assert resp["Location"] == f"/mdf/requests/{req.pk}/"
    assert req.submitted_by_id == world.partner_user.pk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"requested_amount": "lots"}, "Enter a number."),
        ({"start_date": "31/31/2030"}, "Enter a valid date."),
        ({"requested_amount": "2500"}, "At most 50.00% of the planned cost"),
        ({"planned_cost": "8000", "requested_amount": "3000.01"}, "You have 3000.00 USD available"),
        ({"activity_type": "training"}, "does not fund this activity type"),
        ({"program": "999999"}, "Select a valid choice."),
        ({"end_date": "2000-01-01"}, "The activity must end on or after its start."),
    ],
)
def test_bad_request_input_shows_form_errors(funded, overrides, message):
    world, program = funded
    resp = portal_client(world.tenant, world.partner_user).post(
        "/mdf/requests/new/", form_data(program, **overrides)
    )
    assert message in text(resp)
    with tenant_context(world.tenant):
        assert not FundRequest.objects.exists()


def test_staff_decide_in_the_portal_and_partners_cannot(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
    url = f"/mdf/requests/{req.pk}/"
    partner = portal_client(world.tenant, world.partner_admin)
    # The partner sees its request but may not decide it: 403, not 404.
    assert partner.post(f"{url}approve/", {}).status_code == 403
    manager = portal_client(world.tenant, world.channel_manager)
    page = text(manager.get(url))
    assert "The partner has $3,000.00 available in this program." in page
    assert "Tell the partner why." in text(manager.post(f"{url}reject/", {"reason": ""}))
    assert "Enter a number." in text(manager.post(f"{url}approve/", {"amount": "x"}))
    resp = manager.post(f"{url}approve/", {"amount": "750"})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        req.refresh_from_db()
    assert req.status == "approved" and req.approved_amount == Decimal("750")
    assert req.campaign_code in text(partner.get(url))


def test_unknown_actions_are_404_and_pages_take_no_posts(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
    client = portal_client(world.tenant, world.admin)
    assert client.post(f"/mdf/requests/{req.pk}/nonsense/").status_code == 404
    assert client.post(f"/mdf/programs/{program.pk}/nonsense/").status_code == 404
    assert client.post(f"/mdf/requests/{req.pk}/", {"op": "cancel"}).status_code == 405
    assert client.post(f"/mdf/programs/{program.pk}/", {"op": "rule"}).status_code == 405


def test_returned_request_is_edited_and_resubmitted_in_the_portal(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        services.request_transition(
            request=req, to="returned", by=world.channel_manager, reason="Add the agenda."
        )
    client = portal_client(world.tenant, world.partner_user)
    assert "Add the agenda." in text(client.get("/mdf/"))
    data = form_data(program, description="Agenda: keynote and demo.")
    data.pop("program")
    resp = client.post(f"/mdf/requests/{req.pk}/edit/", data)
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        req.refresh_from_db()
    assert req.status == "submitted" and req.description.startswith("Agenda")
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.get(f"/mdf/requests/{req.pk}/edit/").status_code == 404
    assert other.get(f"/mdf/requests/{req.pk}/").status_code == 404


def test_partner_cancels_an_approved_request(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        services.request_transition(request=req, to="approved", by=world.admin)
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(f"/mdf/requests/{req.pk}/cancel/", {"reason": "Venue closed"})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert LedgerEntry.objects.filter(request=req).latest("id").kind == "release"


def test_claim_review_shows_the_checks_and_records_the_decision(world):
    m = mdf_objects(world)
    client = portal_client(world.tenant, world.channel_manager)
    queue = text(client.get("/mdf/review/claims/"))
    assert f"/mdf/claims/{m.claim_submitted.pk}/" in queue and "All passed" in queue
    detail = text(client.get(f"/mdf/claims/{m.claim_submitted.pk}/"))
    assert "Automatic checks" in detail and "Required proof present" in detail
    assert "Tell the partner why." in text(
        client.post(f"/mdf/claims/{m.claim_submitted.pk}/reject/", {"reason": ""})
    )
    resp = client.post(f"/mdf/claims/{m.claim_submitted.pk}/approve/", {"amount": "800"})
    assert resp.status_code == 302
    history = text(client.get("/mdf/review/history/"))
    # Decisions by their label (prm.labels), not their code.
    assert "Claim approved" in history and "Fund request approved" in history
    assert "mdf.claim.approved" not in history
    partner = portal_client(world.tenant, world.partner_admin)
    assert "Automatic checks" not in text(partner.get(f"/mdf/claims/{m.claim_submitted.pk}/"))


def test_admin_records_payment_and_partner_answers_an_information_request(world):
    m = mdf_objects(world)
    admin = portal_client(world.tenant, world.admin)
    url = f"/mdf/claims/{m.claim_approved.pk}/"
    assert "Enter a valid date." in text(
        admin.post(f"{url}pay/", {"payment_reference": "W-1", "paid_on": "yesterday"})
    )
    resp = admin.post(
        f"{url}pay/", {"payment_reference": "W-1", "paid_on": str(timezone.localdate())}
    )
    assert resp.status_code == 302
    partner = portal_client(world.tenant, world.partner_admin)
    info = f"/mdf/claims/{m.claim_info.pk}/"
    assert "Attach the invoice." in text(partner.get(info))
    up = partner.post(f"{info}documents/", {"kind": "invoice", "file": pdf_upload()})
    assert up.status_code == 302
    data = {k: str(v) for k, v in claim_fields(m.claim_info.request).items()}
    assert partner.post(f"{info}respond/", data).status_code == 302
    with tenant_context(world.tenant):
        m.claim_info.refresh_from_db()
    assert m.claim_info.status == "submitted"


def test_partner_files_a_claim_with_bad_numbers_and_sees_errors(world):
    m = mdf_objects(world)
    req = m.approved_unclaimed
    client = portal_client(world.tenant, world.partner_admin)
    data = {k: str(v) for k, v in claim_fields(req).items()}
    for bad, message in (
        ({"amount_claimed": "-1"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount_claimed": "1500.01", "actual_cost": "5000"}, "You can claim at most"),
        ({"currency": "EURO"}, "EURO is not an ISO currency code (ISO 4217)"),
        ({"activity_end": "2000-01-01"}, "The activity must end on or after its start."),
    ):
        assert message in text(client.post(f"/mdf/requests/{req.pk}/claim/", data | bad))


def test_admin_creates_a_program_adds_a_rule_and_allocates(world, monkeypatch):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        "/mdf/programs/",
        {
            "name": "FY31",
            "period": "year",
            "start_date": "2031-02-01",
            "currency": "eur",
            "budget": "5000",
            "grace_days": "30",
            "expiry_warning_days": "14",
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        program = Program.objects.get(name="FY31")
    assert program.end_date == datetime.date(2032, 1, 31) and program.currency == "EUR"
    url = f"/mdf/programs/{program.pk}/"
    assert (
        client.post(
            f"{url}rules/",
            {
                "activity_type": "webinar",
                "max_reimbursable_pct": "60",
                "required_proofs": ["invoice", "attendee_list"],
                "claim_deadline_days": "30",
            },
        ).status_code
        == 302
    )
    assert "Attendee list, Invoice" in text(client.get(url))
    assert "Ensure this value is less than or equal to 100." in text(
        client.post(
            f"{url}rules/",
            {
                "activity_type": "webinar",
                "max_reimbursable_pct": "101",
                "claim_deadline_days": "30",
            },
        )
    )
    alloc = f"/mdf/programs/{program.pk}/allocations/"
    assert "over the program budget" in text(
        client.post(f"{alloc}manual/", {"partner": world.partner.pk, "amount": "5000.01"})
    )
    assert (
        client.post(f"{alloc}manual/", {"partner": world.partner.pk, "amount": "5000"}).status_code
        == 302
    )
    queued = []
    monkeypatch.setattr(
        "mdf.services._common.dispatch",
        lambda task, **kw: queued.append((task.name, kw["program_id"])),
    )
    assert client.post(f"{alloc}accrue/").status_code == 302
    assert queued == [("mdf.accrue_program", program.pk)]
    assert client.post(f"{alloc}tier/").status_code == 302
    assert "budget" in text(
        client.post(
            f"{url}settings/",
            {
                "name": "FY31",
                "budget": "10",
                "grace_days": "30",
                "expiry_warning_days": "14",
            },
        )
    )


RATES_CSV = (
    "from_currency,to_currency,rate,valid_from\n"
    "EUR,USD,1.0825,2030-01-01\n"
    "GBP,USD,1.27,2030-01-01\n"
)


def _csv(content: str):
    return SimpleUploadedFile("rates.csv", content.encode("utf-8-sig"), content_type="text/csv")


def test_rate_csv_import_previews_before_saving(world):
    resp, job = upload(world, world.admin, "exchange-rates", _csv(RATES_CSV).read())
    preview = text(portal_client(world.tenant, world.admin).get(resp["Location"]))
    assert "2 new, 0 to update, 0 unchanged, 0 with errors." in preview
    assert "Import 2 rows" in preview
    with tenant_context(world.tenant):
        assert not ExchangeRate.objects.exists()
    job = start_and_run(world, world.admin, job)
    assert job.created == 2
    with tenant_context(world.tenant):
        assert ExchangeRate.objects.count() == 2
        assert AuditEvent.objects.filter(action="mdf.exchange_rate.set").count() == 2
        assert AuditEvent.objects.filter(action="import.finished").exists()


def test_rate_csv_with_errors_shows_them_and_skips_them(world):
    bad = RATES_CSV + "EUR,USD,-2,2030-02-01\n"
    resp, job = upload(world, world.admin, "exchange-rates", bad)
    page = text(portal_client(world.tenant, world.admin).get(resp["Location"]))
    assert "Enter a rate greater than zero." in page
    job = start_and_run(world, world.admin, job)
    assert (job.created, job.failed) == (2, 1)
    binary = b"\xff\xfe\x00bad\x00\xd8"
    resp, job = upload(world, world.admin, "exchange-rates", binary)
    assert job is None and "Save the file as UTF-8 CSV." in text(resp)


def test_single_rate_is_added_with_the_form(world):
    client = portal_client(world.tenant, world.admin)
    assert "Choose two different currencies." in text(
        client.post(
            "/mdf/exchange-rates/add/",
            {
                "from_currency": "USD",
                "to_currency": "usd",
                "rate": "1",
                "valid_from": "2030-01-01",
            },
        )
    )
    resp = client.post(
        "/mdf/exchange-rates/add/",
        {
            "from_currency": "chf",
            "to_currency": "usd",
            "rate": "1.12345678",
            "valid_from": "2030-01-01",
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert ExchangeRate.objects.get().rate == Decimal("1.12345678")


def test_ledger_export_is_a_csv_of_the_filtered_entries(world):
    m = mdf_objects(world)
    client = portal_client(world.tenant, world.admin)
    resp = client.get(f"/mdf/ledger/export.csv?program={m.program.pk}&kind=payment")
    assert resp["Content-Type"].startswith("text/csv")
    assert resp["Content-Disposition"].startswith('attachment; filename="mdf-ledger-')
    rows = b"".join(resp.streaming_content).decode().strip().splitlines()
    assert rows[0].startswith("id,created_at_utc,program,currency,partner,kind,amount")
    assert len(rows) == 2 and ",payment,1000.00," in rows[1]
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="mdf.ledger.exported").exists()
    assert "Export CSV" in text(client.get("/mdf/ledger/?kind=bogus"))


def test_review_queue_query_count_does_not_grow_with_claims(world, django_assert_max_num_queries):
    m = mdf_objects(world)
    client = portal_client(world.tenant, world.channel_manager)
    client.get("/mdf/review/claims/")
    with django_assert_max_num_queries(40) as before:
        client.get("/mdf/review/claims/")
    with tenant_context(world.tenant):
        for _ in range(5):
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
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/mdf/review/claims/")
    client.get("/mdf/review/requests/")
    with django_assert_max_num_queries(40) as before:
        client.get("/mdf/review/requests/")
    with tenant_context(world.tenant):
        for _ in range(5):
            services.request_submit(
                program=m.program,
                by=world.partner_admin,
                **request_fields(m.program, requested_amount="10"),
            )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/mdf/review/requests/")


def test_partner_overview_shows_balances_and_deadlines(world):
    m = mdf_objects(world)
    page = text(portal_client(world.tenant, world.partner_user).get("/mdf/"))
    assert "Current quarter" in page
    assert "$15,000.00" in page  # 20,000 allocated - 5 x 1,000 used or committed
    assert f"/mdf/requests/{m.approved_unclaimed.pk}/claim/" in page


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("admin", "/mdf/ledger/?program=abc&partner=-1&kind=x&page=zz"),
        ("admin", "/mdf/ledger/export.csv?program=abc"),
        ("admin", "/mdf/exchange-rates/?page=999"),
        ("channel_manager", "/mdf/roi/?program=abc"),
        ("channel_manager", "/mdf/review/claims/?page=-3"),
        ("partner_user", "/mdf/requests/?page=abc"),
    ],
)
def test_garbage_query_strings_are_ignored_not_errors(world, role, path):
    mdf_objects(world)
    resp = portal_client(world.tenant, world.member(role)).get(path)
    assert resp.status_code == 200


def test_garbage_posts_are_form_errors_or_404_never_500(world):
    m = mdf_objects(world)
    admin = portal_client(world.tenant, world.admin)
    alloc = f"/mdf/programs/{m.program.pk}/allocations/"
    assert "Enter a number." in text(admin.post(f"{alloc}manual/", {"amount": "1,000"}))
    assert admin.post(f"/mdf/programs/{m.program.pk}/rules/x/remove/").status_code == 404
    assert admin.post("/mdf/exchange-rates/preview/").status_code == 404
    assert "This field is required." in text(admin.post("/imports/exchange-rates/", {}))
    partner = portal_client(world.tenant, world.partner_admin)
    assert partner.post(f"/mdf/claims/{m.claim_submitted.pk}/pay/").status_code == 403
    assert "This field is required." in text(
        partner.post(f"/mdf/claims/{m.claim_submitted.pk}/documents/", {})
    )
