"""Demo data for payouts: the payout settings (with the vendor's paying account), Northwind's
approved payee details and BluePeak's waiting for review, a paid batch of Northwind's
approved earnings with its remittance advice, and this month's statements. Runs inside the
demo tenant's context after incentives.seed (manage.py seed_demo)."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incentives import services
from incentives.models import IncentiveProgram
from incentives.services import payouts
from incentives.services.statements import previous_month, statements_generate
from prm.models import Member
from prm.roles import Role

# A one-page PDF as a stand-in for a scanned tax form (W-8BEN-E).
TAX_FORM = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _payee(partner, *, iban: str, holder: str, address: str, currency: str):
    admin = Member.objects.filter(partner=partner, role=Role.PARTNER_ADMIN).first()
    if admin is None:
        return None
    return payouts.payee_save(
        partner=partner,
        by=admin,
        account_holder=holder,
        iban=iban,
        address=address,
        currency=currency,
        tax_form=SimpleUploadedFile("w-8ben-e.pdf", TAX_FORM, content_type="application/pdf"),
    )


def _bonus(partner, program, admin, manager, amount: str, reason: str) -> None:
    line = services.earning_adjust(
        partner=partner, program=program, amount=Decimal(amount), reason=reason, by=admin
    )
    services.earning_approve(earning=line, by=manager)


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).first()
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    currency = tenant.default_currency
    payouts.payout_settings_set(
        tenant=tenant,
        by=admin,
        minimum_payout="50.00",
        second_approval_above="25000.00",
        payer_name=tenant.name[:70],
        payer_iban="DE02120300000000202051",
        payer_bic="BYLADEM1001",
    )
    northwind = partners["Northwind Resellers"]
    nw = _payee(
        northwind,
        iban="DE89370400440532013000",
        holder="Northwind Resellers Inc.",
        address="200 Harbor Way\nSeattle, WA 98101\nUnited States",
        currency=currency,
    )
    if nw is not None:
        payouts.payee_approve(payee=nw, by=admin)
    _payee(
        partners["BluePeak Integrators"],
        iban="DE75512108001245126199",
        holder="BluePeak Integrators GmbH",
        address="Torstraße 12\n10119 Berlin\nDeutschland",
        currency=currency,
    )
    # A bonus for Northwind, approved and paid in a batch (the lines incentives.seed left
    # pending stay pending); then another approved bonus waits for the next batch.
    commission = IncentiveProgram.objects.filter(name="Partner commission").first()
    if commission is not None and nw is not None:
        _bonus(northwind, commission, admin, manager, "250.00", "Partner of the quarter bonus.")
        batch = payouts.batch_create(
            tenant=tenant,
            by=manager,
            currency=commission.currency,
            period_end=timezone.localdate(),
            note="Monthly partner payout",
        )
        if batch.lines.exists():
            batch = payouts.batch_approve(batch=batch, by=manager)
            if batch.status != "approved":
                payouts.batch_approve_second(batch=batch, by=admin)
                batch.refresh_from_db()
            payouts.batch_mark_paid(batch=batch, by=admin, reference="SEPA-DEMO-0001")
        _bonus(northwind, commission, admin, manager, "180.00", "Co-marketing webinar bonus.")
    today = timezone.localdate()
    statements_generate(tenant=tenant, month=previous_month(today))
    statements_generate(tenant=tenant, month=today)
