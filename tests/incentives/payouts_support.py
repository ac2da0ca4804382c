"""Builders shared by the payouts tests and their permission rows (no tests)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from incentives import services
from incentives.models_payouts import PayeeStatus, Statement
from incentives.services import payouts
from incentives.services.statements import statements_generate
from prm.tenancy import tenant_context
from tests.factories import MemberFactory
from tests.incentives.test_incentives_support import compute, program, won_deal

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
IBAN = "DE89370400440532013000"
IBAN_2 = "DE02120300000000202051"


def tax_form(name="w8.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def approved_lines(world, partner=None, amounts=("1000",), currency="EUR", prog=None):
    """Approved earning lines (10 % of each deal amount) for `partner`, in `currency`."""
    prog = prog or program(world, rules={"sourced_rate": "10"}, clawback_days=0, currency=currency)
    lines = []
    for amount in amounts:
        deal = won_deal(world, partner=partner, amount=amount, currency=currency)
        for line in compute(deal):
            lines.append(services.earning_approve(earning=line, by=world.admin))
    return lines


def payee(world, partner=None, *, status=PayeeStatus.APPROVED, currency="EUR", iban=IBAN):
    """Payee details for `partner`, saved through the service by its admin, then set to
    `status` as finance would."""
    partner = partner or world.partner
    admin = world.partner_admin
    if partner.pk != world.partner.pk:
        admin = MemberFactory(tenant=world.tenant, role="partner_admin", partner=partner)
    p = payouts.payee_save(
        partner=partner,
        by=admin,
        account_holder=f"{partner.name} GmbH",
        iban=iban,
        address="Hauptstr. 1\n10115 Berlin",
        currency=currency,
        tax_form=tax_form(),
    )
    if status == PayeeStatus.APPROVED:
        p = payouts.payee_approve(payee=p, by=world.admin)
    elif status == PayeeStatus.REJECTED:
        p = payouts.payee_reject(payee=p, by=world.admin, reason="Wrong holder")
    return p


def payout_objects(world):
    """Objects the permission rows point at, made once per world: approved payee details, a
    pending payee of the other partner, a draft batch and a paid batch (with its line), a
    statement."""
    if hasattr(world, "_payouts"):
        return world._payouts
    with tenant_context(world.tenant):
        mine = payee(world)
        other = payee(world, world.other_partner, status=PayeeStatus.PENDING, iban=IBAN_2)
        prog = program(world, rules={"sourced_rate": "10"}, clawback_days=0, currency="EUR")
        approved_lines(world, amounts=("1000",), prog=prog)
        paid = payouts.batch_create(
            tenant=world.tenant, by=world.admin, currency="EUR", period_end=datetime.date.today()
        )
        payouts.batch_approve(batch=paid, by=world.admin)
        payouts.batch_mark_paid(batch=paid, by=world.admin, reference="BANK-1")
        approved_lines(world, amounts=("2000",), prog=prog)
        draft = payouts.batch_create(
            tenant=world.tenant, by=world.admin, currency="EUR", period_end=datetime.date.today()
        )
        statements_generate(tenant=world.tenant, month=datetime.date.today())
        statement = Statement.objects.filter(partner=world.partner).first()
        line = paid.lines.first()
    world._payouts = SimpleNamespace(
        payee=mine, other_payee=other, paid=paid, draft=draft, line=line, statement=statement
    )
    return world._payouts
