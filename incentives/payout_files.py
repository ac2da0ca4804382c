"""The files of payouts, all rendered from the database when asked for: a batch's payment
list (CSV), its SEPA credit transfer (pain.001, with sepaxml; EUR batches only), a line's
remittance advice (PDF) and a statement (PDF, and CSV streamed row by row)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models_payouts import PayoutBatch, PayoutLine, Statement
from incentives.selectors_payouts import statement_entries
from incentives.services.payouts import payout_settings
from prm.errors import DomainError
from prm.models import Tenant
from prm.pdf import render_pdf

SEPA_CURRENCY = "EUR"


def batch_csv_header() -> list[str]:
    return [
        _("Batch"),
        _("Partner"),
        _("Account holder"),
        _("IBAN"),
        _("BIC"),
        _("Amount"),
        _("Currency"),
        _("Earnings"),
        _("Reference"),
    ]


def batch_csv_rows(batch: PayoutBatch):
    for line in batch.lines.select_related("partner").order_by("partner__name", "id").iterator():
        yield [
            batch.number,
            line.partner.name,
            line.account_holder,
            line.iban,
            line.bic,
            line.amount,
            line.currency,
            line.items.count(),
            f"{batch.number}-{line.pk}",
        ]


def batch_sepa_xml(batch: PayoutBatch) -> bytes:
    """pain.001.001.03 with one transfer per line, debited from the payout settings' account.
    Refused for a batch not in euros, and until the paying account is set."""
    # local: sepaxml pulls in xmlschema (~1 s, ~30 MB); only an export loads it
    from sepaxml import SepaTransfer

    if batch.currency != SEPA_CURRENCY:
        raise DomainError(_("A SEPA file pays euros only: export this batch as CSV."))
    settings = payout_settings(batch.tenant_id)
    if not (settings.payer_name and settings.payer_iban and settings.payer_bic):
        raise DomainError(
            _("Enter the paying account (holder, IBAN, BIC) under payout settings first.")
        )
    sepa = SepaTransfer(
        {
            "name": settings.payer_name,
            "IBAN": settings.payer_iban,
            "BIC": settings.payer_bic,
            "batch": True,
            "currency": SEPA_CURRENCY,
        },
        clean=True,
    )
    for line in batch.lines.order_by("id"):
        payment = {
            "name": line.account_holder,
            "IBAN": line.iban,
            "amount": int(line.amount * 100),
            "execution_date": timezone.localdate(),
            "description": f"{batch.number} {_('Partner incentives')}"[:140],
            "endtoend_id": f"{batch.number}-{line.pk}",
        }
        if line.bic:
            payment["BIC"] = line.bic
        sepa.add_payment(payment)
    return sepa.export(validate=True)


def remittance_pdf(line: PayoutLine) -> bytes:
    return render_pdf(
        "incentives/payouts/remittance_pdf.html",
        {
            "tenant": Tenant.objects.get(pk=line.tenant_id),
            "line": line,
            "batch": line.batch,
            "items": line.items.select_related("earning__program", "earning__deal"),
            "generated_at": timezone.now(),
        },
    )


def statement_pdf(statement: Statement) -> bytes:
    return render_pdf(
        "incentives/payouts/statement_pdf.html",
        {
            "tenant": Tenant.objects.get(pk=statement.tenant_id),
            "statement": statement,
            "entries": statement_entries(statement).iterator(),
            "generated_at": timezone.now(),
        },
    )


def statement_csv_header() -> list[str]:
    return [
        _("Date"),
        _("Earning"),
        _("Move"),
        _("Bucket"),
        _("Amount"),
        _("Currency"),
        _("Reference"),
    ]


def statement_csv_rows(statement: Statement):
    yield ["", "", _("Opening balance"), "", statement.opening, statement.currency, ""]
    for e in statement_entries(statement).iterator(chunk_size=2000):
        yield [
            timezone.localtime(e.created_at).date(),
            f"E-{e.earning_id}",
            e.get_kind_display(),
            e.get_bucket_display(),
            e.amount,
            e.currency,
            e.reference or e.memo,
        ]
    yield ["", "", _("Closing balance"), "", statement.closing, statement.currency, ""]
