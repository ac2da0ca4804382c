"""Payouts through the services: payee details (IBAN and BIC checked, tax form checked from
its bytes, any change back to review), batches (held-out partners with the reason, minimum
payout carried over, two-level approval above the threshold by two people, mark paid on the
ledger), the SEPA file, statements from the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from incentives import selectors
from incentives.models import Earning, LedgerEntry
from incentives.models_payouts import PayeeDetails, PayoutItem, PayoutSettings, Statement
from incentives.payout_files import batch_csv_rows, batch_sepa_xml, statement_csv_rows
from incentives.services import payouts
from incentives.services.ledger import earning_reverse_locked
from incentives.services.statements import statements_generate
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent, Notification, OutboxEvent
from prm.tenancy import tenant_context
from tests.incentives.payouts_support import (
    IBAN,
    IBAN_2,
    approved_lines,
    payee,
    tax_form,
)
from tests.incentives.test_incentives_support import program

D = Decimal
TODAY = datetime.date.today()


def _batch(world, by=None, currency="EUR", **kw):
    return payouts.batch_create(
        tenant=world.tenant, by=by or world.admin, currency=currency, period_end=TODAY, **kw
    )


def test_payee_details_check_the_iban_and_derive_the_bic(world):
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as bad:
            payouts.payee_save(
                partner=world.partner,
                by=world.partner_admin,
                account_holder="A",
                iban="DE89370400440532013001",
                address="x",
                currency="EUR",
                tax_form=tax_form(),
            )
        p = payouts.payee_save(
            partner=world.partner,
            by=world.partner_admin,
            account_holder="A",
            iban="de89 3704 0044 0532 0130 00",
            address="x",
            currency="EUR",
            tax_form=tax_form(),
        )
    assert bad.value.field == "iban"
    assert (p.iban, p.bic, p.status) == (IBAN, "COBADEFFXXX", "pending")
    assert p.masked_iban.startswith("DE") and p.masked_iban.endswith("3000")
    assert "0532" not in p.masked_iban


def test_a_tax_form_is_checked_from_its_bytes_and_required_the_first_time(world):
    with tenant_context(world.tenant):
        fields = {
            "partner": world.partner,
            "by": world.partner_admin,
            "account_holder": "A",
            "iban": IBAN,
            "address": "x",
            "currency": "EUR",
        }
        with pytest.raises(DomainError) as missing:
            payouts.payee_save(**fields)
        with pytest.raises(DomainError) as renamed:
            payouts.payee_save(**fields, tax_form=tax_form("w9.pdf", b"MZ not a pdf at all"))
        assert not PayeeDetails.objects.exists()  # nothing half-written
    assert missing.value.field == renamed.value.field == "tax_form"


def test_a_change_by_the_partner_sends_approved_details_back_to_review(world):
    with tenant_context(world.tenant):
        p = payee(world)
        assert p.status == "approved"
        changed = payouts.payee_save(
            partner=world.partner,
            by=world.partner_admin,
            account_holder="New Holder",
            iban=IBAN_2,
            address="y",
            currency="EUR",
        )
        actions = list(
            AuditEvent.objects.filter(object_id=str(p.pk)).values_list("action", flat=True)
        )
    assert changed.status == "pending" and changed.tax_form  # the tax form on file stays
    assert actions.count("payee.submitted") == 2 and "payee.approved" in actions


def test_only_the_partners_own_admin_saves_and_only_finance_reviews(world):
    with tenant_context(world.tenant):
        for who in (world.partner_user, world.channel_manager, world.admin):
            with pytest.raises(PermissionDenied):
                payouts.payee_save(
                    partner=world.partner,
                    by=who,
                    account_holder="A",
                    iban=IBAN,
                    address="x",
                    currency="EUR",
                    tax_form=tax_form(),
                )
        p = payee(world, status="pending")
        with pytest.raises(PermissionDenied):
            payouts.payee_approve(payee=p, by=world.channel_manager)
        with pytest.raises(DomainError) as no_reason:
            payouts.payee_reject(payee=p, by=world.admin, reason=" ")
    assert no_reason.value.field == "reason"


def test_a_batch_holds_out_partners_without_approved_details_and_below_the_minimum(world):
    with tenant_context(world.tenant):
        payee(world)
        payee(world, world.other_partner, status="pending", iban=IBAN_2)
        PayoutSettings.objects.create(tenant=world.tenant, minimum_payout=D("150"))
        prog = program(world, rules={"sourced_rate": "10"}, clawback_days=0, currency="EUR")
        approved_lines(world, amounts=("1000", "1000"), prog=prog)  # 200 for partner A
        approved_lines(world, partner=world.other_partner, amounts=("1000",), prog=prog)  # 100
        batch = _batch(world, by=world.channel_manager)
        lines = {line.partner_id: line.amount for line in batch.lines.all()}
        holds = {h.partner_id: h.reason for h in batch.holds.all()}
        # B's details approved later, B still owes less than the minimum: carried over again
        p = payouts.payee_approve(
            payee=PayeeDetails.objects.get(partner=world.other_partner), by=world.admin
        )
        second = _batch(world)
        second_holds = {h.partner_id: h.reason for h in second.holds.all()}
        second_lines = second.lines.count()
    assert lines == {world.partner.pk: D("200.00")}
    assert holds == {world.other_partner.pk: "payee_pending"}
    assert batch.total == D("200.00") and p.status == "approved"
    assert second_lines == 0
    assert second_holds == {world.other_partner.pk: "below_minimum"}


def test_an_earning_is_in_one_live_batch_and_a_cancelled_batch_frees_it(world):
    with tenant_context(world.tenant):
        payee(world)
        approved_lines(world)
        first = _batch(world)
        with pytest.raises(DomainError):
            _batch(world)  # nothing left to pay
        payouts.batch_cancel(batch=first, by=world.admin, reason="Wrong period")
        again = _batch(world)
        amount = again.lines.get().amount
    assert amount == D("100.00")


def test_above_the_threshold_two_different_people_approve(world):
    with tenant_context(world.tenant):
        payee(world)
        PayoutSettings.objects.create(tenant=world.tenant, second_approval_above=D("50"))
        approved_lines(world)
        batch = _batch(world, by=world.channel_manager)
        assert batch.needs_second_approval
        batch = payouts.batch_approve(batch=batch, by=world.channel_manager)
        assert batch.status == "partly_approved"
        with pytest.raises(PermissionDenied):  # a channel manager gives no second approval
            payouts.batch_approve_second(batch=batch, by=world.channel_manager)
        with pytest.raises(DomainError):
            payouts.batch_mark_paid(batch=batch, by=world.admin, reference="X")
        batch = payouts.batch_approve_second(batch=batch, by=world.admin)
    assert batch.status == "approved"


def test_the_first_approver_cannot_give_the_second_approval(world):
    with tenant_context(world.tenant):
        payee(world)
        PayoutSettings.objects.create(tenant=world.tenant, second_approval_above=D("50"))
        approved_lines(world)
        batch = payouts.batch_approve(batch=_batch(world), by=world.admin)
        with pytest.raises(DomainError) as same:
            payouts.batch_approve_second(batch=batch, by=world.admin)
    assert "another person" in same.value.message


def test_marking_a_batch_paid_pays_each_earning_on_the_ledger_and_tells_the_partner(world):
    with tenant_context(world.tenant):
        payee(world)
        lines = approved_lines(world, amounts=("1000", "3000"))
        batch = payouts.batch_approve(batch=_batch(world), by=world.admin)
        mail.outbox.clear()
        payouts.batch_mark_paid(batch=batch, by=world.admin, reference="BANK-77")
        statuses = set(
            Earning.objects.filter(pk__in=[e.pk for e in lines]).values_list("status", flat=True)
        )
        b = selectors.balances(partner_id=world.partner.pk)["EUR"]
        pay = LedgerEntry.objects.filter(kind="pay", bucket="paid")
        event = OutboxEvent.objects.get(event_type="payout.paid")
        notes = Notification.objects.filter(
            member=world.partner_admin, event_type="payout.paid"
        ).count()
        pay = list(pay)
    assert statuses == {"paid"}
    assert (b["approved"], b["paid"]) == (D("0.00"), D("400.00"))
    assert len(pay) == 2 and all(e.reference.startswith(batch.number) for e in pay)
    assert event.payload["partner_id"] == world.partner.pk
    assert event.payload["amount"] == "400.00"
    assert notes == 1


def test_a_clawback_nets_against_the_next_payout(world):
    with tenant_context(world.tenant):
        payee(world)
        line = approved_lines(world, amounts=("1000", "5000"))[0]
        earning_reverse_locked(Earning.objects.get(pk=line.pk), reason="Refunded")
        amount = _batch(world).lines.get().amount
    assert amount == D("500.00")  # 100 + 500 - 100


def test_the_sepa_file_pays_each_line_from_the_vendors_account(world):
    with tenant_context(world.tenant):
        payee(world)
        approved_lines(world)
        batch = payouts.batch_approve(batch=_batch(world), by=world.admin)
        with pytest.raises(DomainError):  # no paying account yet
            batch_sepa_xml(batch)
        payouts.payout_settings_set(
            tenant=world.tenant,
            by=world.admin,
            minimum_payout="0",
            second_approval_above="100000",
            payer_name="Vendor AG",
            payer_iban=IBAN_2,
            payer_bic="",
        )
        xml = batch_sepa_xml(batch).decode()
        rows = list(batch_csv_rows(batch))
    assert "pain.001.001.03" in xml
    assert IBAN in xml and IBAN_2 in xml and '<InstdAmt Ccy="EUR">100.00</InstdAmt>' in xml
    assert rows[0][3] == IBAN and rows[0][5] == D("100.00")


def test_a_sepa_file_is_refused_for_another_currency(world):
    with tenant_context(world.tenant):
        payee(world, currency="USD")
        approved_lines(world, currency="USD")
        batch = payouts.batch_approve(batch=_batch(world, currency="USD"), by=world.admin)
        with pytest.raises(DomainError):
            batch_sepa_xml(batch)


def test_a_statement_adds_up_from_the_ledger(world):
    with tenant_context(world.tenant):
        payee(world)
        prog = program(world, rules={"sourced_rate": "10"}, clawback_days=0, currency="EUR")
        approved_lines(world, amounts=("1000", "2000"), prog=prog)
        batch = payouts.batch_approve(batch=_batch(world), by=world.admin)
        payouts.batch_mark_paid(batch=batch, by=world.admin, reference="R")
        approved_lines(world, amounts=("500",), prog=prog)
        assert statements_generate(tenant=world.tenant, month=TODAY) == 1
        st = Statement.objects.get(partner=world.partner)
        rows = list(statement_csv_rows(st))
        # Rewriting the month changes nothing and writes no second row.
        statements_generate(tenant=world.tenant, month=TODAY)
        assert Statement.objects.filter(partner=world.partner).count() == 1
    assert (st.opening, st.earned, st.approved, st.paid, st.reversed) == (
        D("0"),
        D("350.00"),
        D("350.00"),
        D("300.00"),
        D("0"),
    )
    assert st.closing == D("50.00")  # earned 350, paid 300
    assert rows[0][4] == D("0") and rows[-1][4] == D("50.00")


def test_statements_are_refused_for_a_month_not_begun(world):
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):
            statements_generate(
                tenant=world.tenant, month=TODAY.replace(day=1) + datetime.timedelta(days=40)
            )


def test_a_batch_item_row_keeps_the_earning_once(world):
    with tenant_context(world.tenant):
        payee(world)
        approved_lines(world)
        _batch(world)
    with tenant_context(world.tenant):
        assert PayoutItem.objects.filter(active=True).count() == 1
