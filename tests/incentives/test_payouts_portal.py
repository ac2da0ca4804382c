"""Payouts through HTTP: the partner admin's payee form (errors at their fields, nothing
written), the IBAN masked for channel managers, the staff batch journey (prepare, approve,
export, mark paid after confirming), the partner's statements and remittance advice, the
API's field errors, and tenant isolation."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from incentives.models_payouts import PayeeDetails, PayoutBatch, Statement
from incentives.services.statements import statements_generate
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.incentives.payouts_support import IBAN, PDF, approved_lines, payee

TODAY = datetime.date.today()


def _form(**over):
    data = {
        "account_holder": "Acme GmbH",
        "iban": "DE89 3704 0044 0532 0130 00",
        "bic": "",
        "address": "Hauptstr. 1\n10115 Berlin",
        "currency": "EUR",
        "tax_form": SimpleUploadedFile("w8.pdf", PDF, content_type="application/pdf"),
    }
    data.update(over)
    return data


def test_the_partner_admin_saves_payee_details_and_bad_input_shows_at_its_field(world):
    client = portal_client(world.tenant, world.partner_admin)
    bad = client.post("/earnings/payee/", _form(iban="DE00 1234"))
    fake = client.post(
        "/earnings/payee/",
        _form(
            tax_form=SimpleUploadedFile(
                "w8.pdf", b"<html>no</html>", content_type="application/pdf"
            )
        ),
    )
    with tenant_context(world.tenant):
        assert not PayeeDetails.objects.exists()
    ok = client.post("/earnings/payee/", _form())
    page = client.get("/earnings/payee/")
    with tenant_context(world.tenant):
        p = PayeeDetails.objects.get()
    assert bad.status_code == 400 and "Enter a valid IBAN." in bad.content.decode()
    assert fake.status_code == 400 and "Upload a PDF, PNG or JPEG file." in fake.content.decode()
    assert ok.status_code == 302
    assert (p.iban, p.bic, p.status) == (IBAN, "COBADEFFXXX", "pending")
    assert IBAN in page.content.decode()  # the partner's own admin sees the whole IBAN
    assert client.get("/earnings/payee/tax-form/").getvalue() == PDF


def test_a_partner_user_and_another_partner_cannot_touch_the_payee_details(world):
    with tenant_context(world.tenant):
        payee(world)
    assert (
        portal_client(world.tenant, world.partner_user).get("/earnings/payee/").status_code == 403
    )
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.get("/earnings/payee/tax-form/").status_code == 403


def test_channel_managers_see_the_iban_masked_and_admins_in_full(world):
    with tenant_context(world.tenant):
        payee(world)
        approved_lines(world)
    cm = portal_client(world.tenant, world.channel_manager)
    created = cm.post("/incentives/payouts/new/", {"currency": "EUR", "period_end": TODAY})
    with tenant_context(world.tenant):
        batch = PayoutBatch.objects.get()
    assert created.status_code == 302
    as_cm = cm.get(f"/incentives/payouts/{batch.pk}/").content.decode()
    as_admin = portal_client(world.tenant, world.admin).get(f"/incentives/payouts/{batch.pk}/")
    assert IBAN not in as_cm and IBAN[-4:] in as_cm
    assert IBAN in as_admin.content.decode()
    api = api_client(world.tenant, world.channel_manager).get(
        f"/api/v1/incentives/payouts/{batch.pk}/"
    )
    assert api.json()["lines"][0]["iban"] != IBAN


def test_staff_pay_a_batch_and_the_partner_downloads_statement_and_remittance(world):
    with tenant_context(world.tenant):
        payee(world)
        approved_lines(world, amounts=("1000", "2000"))
    cm = portal_client(world.tenant, world.channel_manager)
    admin = portal_client(world.tenant, world.admin)
    cm.post("/incentives/payouts/new/", {"currency": "EUR", "period_end": TODAY})
    with tenant_context(world.tenant):
        batch = PayoutBatch.objects.get()
    assert cm.post(f"/incentives/payouts/{batch.pk}/approve/").status_code == 302
    csv = admin.post(f"/incentives/payouts/{batch.pk}/export/csv/")
    assert IBAN in b"".join(csv.streaming_content).decode()
    confirm = admin.get(f"/incentives/payouts/{batch.pk}/paid/")
    missing = admin.post(f"/incentives/payouts/{batch.pk}/paid/", {"reason": ""})
    with tenant_context(world.tenant):
        assert PayoutBatch.objects.get().status == "approved"  # nothing done without a reference
    paid = admin.post(f"/incentives/payouts/{batch.pk}/paid/", {"reason": "BANK-9"})
    with tenant_context(world.tenant):
        batch.refresh_from_db()
        line = batch.lines.get()
        statements_generate(tenant=world.tenant, month=TODAY)
        st = Statement.objects.get(partner=world.partner)
    assert confirm.status_code == 200 and missing.status_code == 200
    assert paid.status_code == 302 and batch.status == "paid"
    partner = portal_client(world.tenant, world.partner_user)
    earnings = partner.get("/earnings/").content.decode()
    assert f"/earnings/statements/{st.pk}/pdf/" in earnings
    assert f"/earnings/payouts/{line.pk}/" in earnings
    pdf = partner.get(f"/earnings/statements/{st.pk}/pdf/")
    rows = b"".join(partner.get(f"/earnings/statements/{st.pk}/csv/").streaming_content)
    remit = partner.get(f"/earnings/payouts/{line.pk}/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.getvalue().startswith(b"%PDF")
    assert b"BANK-9" in rows and b"Closing balance,,0.00,EUR" in rows
    assert remit.getvalue().startswith(b"%PDF")
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.get(f"/earnings/statements/{st.pk}/pdf/").status_code == 404
    assert other.get(f"/earnings/payouts/{line.pk}/").status_code == 404


def test_another_tenants_batch_and_statement_are_404(world, stranger):
    with tenant_context(stranger.tenant):
        payee(stranger)
        approved_lines(stranger)
        statements_generate(tenant=stranger.tenant, month=TODAY)
        st = Statement.objects.get()
    admin = portal_client(world.tenant, world.admin)
    assert admin.get(f"/earnings/statements/{st.pk}/pdf/").status_code == 404
    api = api_client(world.tenant, world.admin)
    assert api.get(f"/api/v1/incentives/statements/{st.pk}/").status_code == 404


def test_the_api_answers_bad_input_with_field_errors(world):
    pa = api_client(world.tenant, world.partner_admin)
    bad = pa.put(
        "/api/v1/incentives/payee/",
        {"account_holder": "A", "iban": "XX12", "address": "x", "currency": "EUR"},
        format="json",
    )
    no_form = pa.put(
        "/api/v1/incentives/payee/",
        {"account_holder": "A", "iban": IBAN, "address": "x", "currency": "EUR"},
        format="json",
    )
    upload = pa.put(
        "/api/v1/incentives/payee/",
        {
            "account_holder": "A",
            "iban": IBAN,
            "address": "x",
            "currency": "EUR",
            "tax_form": io.BytesIO(PDF),
        },
        format="multipart",
    )
    staff = api_client(world.tenant, world.channel_manager)
    future = staff.post(
        "/api/v1/incentives/payouts/",
        {"currency": "EUR", "period_end": (TODAY + datetime.timedelta(days=3)).isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "iban" in str(bad.json())
    assert no_form.status_code == 400 and "tax_form" in str(no_form.json())
    assert upload.status_code == 200, upload.content
    assert upload.json()["iban"] == IBAN and upload.json()["status"] == "pending"
    assert future.status_code == 400 and "period_end" in str(future.json())
