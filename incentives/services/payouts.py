"""Payouts (issue #20, item 4): payee details (saved by the partner's admins, reviewed by
finance staff), the payout settings, and payout batches (prepare, approve once or twice,
cancel, mark paid). Exports and remittance advice are reads: incentives.payout_files.

No double payment: preparing batches is serialised per tenant (an advisory lock) and an
earning is in one live batch at most (PayoutItem's partial unique index); approving and
paying lock the batch row and check the machine after the lock; paying writes each earning's
`pay` entries once (incentives.services.ledger.earnings_mark_paid locks the earnings and the
ledger's unique (earning, kind, bucket) is the last guard)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from incentives.models import Earning, EarningStatus
from incentives.models_payouts import (
    BatchStatus,
    HoldReason,
    PayeeDetails,
    PayeeStatus,
    PayoutBatch,
    PayoutHold,
    PayoutItem,
    PayoutLine,
    PayoutSettings,
)
from incentives.services.ledger import earnings_mark_paid
from incentives.states_payouts import BATCH, PAYEE
from mdf.files import clean_name, sniff_proof
from partners.models import Partner
from prm import events, notifications
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.iso import CURRENCY_CODES
from prm.models import Member
from prm.roles import Role, require_perm

ZERO = Decimal("0")
LOCK_NAMESPACE = 720021  # pg_advisory_xact_lock(namespace, tenant id): preparing batches
MAX_AMOUNT = Decimal("99999999999999.99")


# --- Settings ---------------------------------------------------------------------------------


def payout_settings(tenant_id: int) -> PayoutSettings:
    """The tenant's settings (the defaults until an admin saves them)."""
    found = PayoutSettings.objects.filter(tenant_id=tenant_id).first()
    return found or PayoutSettings(tenant_id=tenant_id)


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter an amount."), field=field)
    if not amount.is_finite() or amount < 0:
        raise DomainError(_("Enter an amount of zero or more."), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(_("Use at most two decimal places."), field=field)
    return amount


def clean_iban(value: str, field: str = "iban") -> IBAN:
    try:
        return IBAN((value or "").strip())
    except SchwiftyException:
        raise DomainError(_("Enter a valid IBAN."), field=field)


def clean_bic(value: str, iban: IBAN | None, field: str = "bic") -> str:
    """The BIC as entered (checked), or the one the IBAN's bank code names, or ""."""
    value = (value or "").strip().replace(" ", "").upper()
    if value:
        try:
            return BIC(value).compact
        except SchwiftyException:
            raise DomainError(_("Enter a valid BIC (8 or 11 characters)."), field=field)
    if iban is not None:
        try:
            bic = iban.bic
        except SchwiftyException:
            bic = None
        if bic is not None:
            return bic.compact
    return ""


@transaction.atomic
def payout_settings_set(
    *,
    tenant,
    by: Member,
    minimum_payout,
    second_approval_above,
    payer_name: str = "",
    payer_iban: str = "",
    payer_bic: str = "",
) -> PayoutSettings:
    require_perm(by, "incentives.finance")
    minimum = _amount(minimum_payout, "minimum_payout")
    threshold = _amount(second_approval_above, "second_approval_above")
    payer_name = limited((payer_name or "").strip(), 70, "payer_name")
    iban = clean_iban(payer_iban, "payer_iban") if (payer_iban or "").strip() else None
    bic = clean_bic(payer_bic, iban, "payer_bic") if iban is not None or payer_bic else ""
    row = PayoutSettings.objects.select_for_update().filter(tenant_id=tenant.pk).first()
    row = row or PayoutSettings(tenant_id=tenant.pk)
    before = {
        "minimum_payout": row.minimum_payout,
        "second_approval_above": row.second_approval_above,
        "payer_name": row.payer_name,
        "payer_iban": row.payer_iban[-4:],
    }
    row.minimum_payout, row.second_approval_above = minimum, threshold
    row.payer_name = payer_name
    row.payer_iban = iban.compact if iban is not None else ""
    row.payer_bic = bic
    row.updated_at = timezone.now()
    row.save()
    log_action(
        "payout_settings.updated",
        obj=row,
        object_label=_("Payout settings"),
        before=before,
        after={
            "minimum_payout": minimum,
            "second_approval_above": threshold,
            "payer_name": payer_name,
            "payer_iban": row.payer_iban[-4:],
        },
    )
    return row


# --- Payee details ----------------------------------------------------------------------------


def _payee_audit(p: PayeeDetails) -> dict:
    # The audit trail keeps the last four characters of an IBAN, never the whole number.
    return {
        "status": p.status,
        "account_holder": p.account_holder,
        "iban_end": p.iban[-4:],
        "bic": p.bic,
        "currency": p.currency,
        "tax_form": p.tax_form_name,
    }


@transaction.atomic
def payee_save(
    *,
    partner: Partner,
    by: Member,
    account_holder: str,
    iban: str,
    address: str,
    currency: str,
    bic: str = "",
    tax_form=None,
) -> PayeeDetails:
    """Create or change the partner's payee details; either way they (again) wait for review.
    The first save needs a tax form; a change may keep the one on file."""
    if by.role != Role.PARTNER_ADMIN or by.partner_id != partner.pk:
        require_perm(None, "incentives.payee")
    holder = limited((account_holder or "").strip(), 70, "account_holder")
    if not holder:
        raise DomainError(_("Enter the account holder."), field="account_holder")
    parsed = clean_iban(iban)
    bic_value = clean_bic(bic, parsed)
    address = limited((address or "").strip(), 500, "address")
    if not address:
        raise DomainError(_("Enter the address."), field="address")
    currency = (currency or "").strip().upper()
    if currency not in CURRENCY_CODES:
        raise DomainError(_("Use a three-letter ISO 4217 code."), field="currency")
    sniffed = None
    if tax_form is not None:
        try:
            sniffed = sniff_proof(tax_form)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="tax_form")
    payee = PayeeDetails.objects.select_for_update().filter(partner=partner).first()
    created = payee is None
    if created:
        payee = PayeeDetails(tenant_id=partner.tenant_id, partner=partner)
        if sniffed is None:
            raise DomainError(_("Upload your tax form (PDF, PNG or JPEG)."), field="tax_form")
    else:
        PAYEE.check(payee, by, "submit")
    before = None if created else _payee_audit(payee)
    payee.account_holder, payee.iban, payee.bic = holder, parsed.compact, bic_value
    payee.address, payee.currency = address, currency
    if sniffed is not None:
        content_type, ext = sniffed
        payee.tax_form_type, payee.tax_form_ext = content_type, ext
        payee.tax_form_name = clean_name(tax_form.name, f"tax-form.{ext}")
        payee.tax_form_size = tax_form.size
        payee.tax_form.save("tax-form", tax_form, save=False)
    payee.status, payee.decision_reason = PayeeStatus.PENDING, ""
    payee.submitted_at, payee.submitted_by = timezone.now(), by
    payee.reviewed_at = payee.reviewed_by = None
    payee.save()
    log_action(
        "payee.submitted",
        obj=payee,
        object_label=partner.name,
        before=before,
        after=_payee_audit(payee),
    )
    return payee


def _payee_decide(payee: PayeeDetails, by: Member, name: str, reason: str) -> PayeeDetails:
    require_perm(by, "incentives.finance")
    locked = PayeeDetails.objects.select_for_update().select_related("partner").get(pk=payee.pk)
    PAYEE.check(locked, by, name)
    reason = limited((reason or "").strip(), 500, "reason")
    if name == "reject" and not reason:
        raise DomainError(_("Tell the partner why."), field="reason")
    old = locked.status
    locked.status = PayeeStatus.APPROVED if name == "approve" else PayeeStatus.REJECTED
    locked.decision_reason = reason
    locked.reviewed_at, locked.reviewed_by = timezone.now(), by
    locked.save(update_fields=["status", "decision_reason", "reviewed_at", "reviewed_by"])
    log_action(
        f"payee.{'approved' if name == 'approve' else 'rejected'}",
        obj=locked,
        object_label=locked.partner.name,
        before={"status": old},
        after={"status": locked.status, "reason": reason},
    )
    notifications.notify(
        Member.objects.filter(
            partner_id=locked.partner_id, role=Role.PARTNER_ADMIN, is_active=True
        ),
        group="incentives",
        subject=_("Payee details approved") if name == "approve" else _("Payee details rejected"),
        template="incentives/payouts/emails/payee_decided.txt",
        context={"payee": locked, "approved": name == "approve"},
        path="/earnings/payee/",
        kind=f"payee.{name}",
        obj=locked,
    )
    return locked


@transaction.atomic
def payee_approve(*, payee: PayeeDetails, by: Member, reason: str = "") -> PayeeDetails:
    return _payee_decide(payee, by, "approve", reason)


@transaction.atomic
def payee_reject(*, payee: PayeeDetails, by: Member, reason: str) -> PayeeDetails:
    return _payee_decide(payee, by, "reject", reason)


# --- Batches ----------------------------------------------------------------------------------


def _hold_reason(payee: PayeeDetails | None, currency: str) -> str | None:
    if payee is None:
        return HoldReason.NO_PAYEE
    if payee.status == PayeeStatus.PENDING:
        return HoldReason.PAYEE_PENDING
    if payee.status == PayeeStatus.REJECTED:
        return HoldReason.PAYEE_REJECTED
    if not payee.tax_form:
        return HoldReason.NO_TAX_FORM
    if payee.currency != currency:
        return HoldReason.CURRENCY
    return None


def _clean_period(period_start, period_end) -> tuple[datetime.date | None, datetime.date]:
    if not isinstance(period_end, datetime.date):
        raise DomainError(_("Enter the last day of the period."), field="period_end")
    if period_end > timezone.localdate():
        raise DomainError(_("The period cannot end in the future."), field="period_end")
    if period_start is not None and period_start > period_end:
        raise DomainError(_("The period starts after it ends."), field="period_start")
    return period_start, period_end


@transaction.atomic
def batch_create(
    *,
    tenant,
    by: Member,
    currency: str,
    period_end: datetime.date,
    period_start: datetime.date | None = None,
    note: str = "",
) -> PayoutBatch:
    """A batch of the approved, unpaid earnings in `currency` approved in the period (up to
    its last day), one line per partner whose payee details are approved, in that currency,
    with a tax form, and whose total reaches the minimum payout. The others are held out
    with the reason; their earnings wait, approved, for the next batch."""
    require_perm(by, "incentives.payouts")
    currency = (currency or "").strip().upper()
    if currency not in CURRENCY_CODES:
        raise DomainError(_("Use a three-letter ISO 4217 code."), field="currency")
    period_start, period_end = _clean_period(period_start, period_end)
    note = limited((note or "").strip(), 300, "note")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, tenant.pk])
    qs = Earning.objects.filter(
        status=EarningStatus.APPROVED,
        payout_currency=currency,
        approved_at__date__lte=period_end,
    ).exclude(Exists(PayoutItem.objects.filter(earning=OuterRef("pk"), active=True)))
    if period_start is not None:
        qs = qs.filter(approved_at__date__gte=period_start)
    per_partner: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for pk, partner_id, amount in qs.order_by("partner_id", "id").values_list(
        "pk", "partner_id", "payout_amount"
    ):
        per_partner[partner_id].append((pk, amount))
    if not per_partner:
        raise DomainError(
            _("No approved, unpaid earnings in %(c)s in this period.") % {"c": currency},
            field="currency",
        )
    settings = payout_settings(tenant.pk)
    payees = {p.partner_id: p for p in PayeeDetails.objects.filter(partner_id__in=per_partner)}
    batch = PayoutBatch.objects.create(
        tenant_id=tenant.pk,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
        note=note,
        created_by=by,
    )
    holds, total = [], ZERO
    lines: list[tuple[PayoutLine, list[tuple[int, Decimal]]]] = []
    for partner_id, items in per_partner.items():
        amount = sum((a for _pk, a in items), ZERO)
        payee = payees.get(partner_id)
        reason = _hold_reason(payee, currency)
        if reason is None and (amount <= 0 or amount < settings.minimum_payout):
            reason = HoldReason.BELOW_MINIMUM
        if reason is not None:
            holds.append(
                PayoutHold(
                    tenant_id=tenant.pk,
                    batch=batch,
                    partner_id=partner_id,
                    amount=amount,
                    reason=reason,
                )
            )
            continue
        total += amount
        line = PayoutLine(
            tenant_id=tenant.pk,
            batch=batch,
            partner_id=partner_id,
            amount=amount,
            currency=currency,
            account_holder=payee.account_holder,
            iban=payee.iban,
            bic=payee.bic,
        )
        lines.append((line, items))
    PayoutLine.objects.bulk_create([line for line, _items in lines])
    PayoutItem.objects.bulk_create(
        [
            PayoutItem(tenant_id=tenant.pk, batch=batch, line=line, earning_id=pk, amount=a)
            for line, items in lines
            for pk, a in items
        ]
    )
    PayoutHold.objects.bulk_create(holds)
    batch.total = total
    batch.needs_second_approval = total > settings.second_approval_above
    batch.save(update_fields=["total", "needs_second_approval"])
    log_action(
        "payout_batch.created",
        obj=batch,
        object_label=batch.number,
        after={
            "currency": currency,
            "period_start": period_start,
            "period_end": period_end,
            "total": total,
            "lines": len(lines),
            "held_out": len(holds),
            "needs_second_approval": batch.needs_second_approval,
        },
    )
    return batch


def _lock_batch(batch: PayoutBatch) -> PayoutBatch:
    return PayoutBatch.objects.select_for_update().get(pk=batch.pk)


@transaction.atomic
def batch_approve(*, batch: PayoutBatch, by: Member) -> PayoutBatch:
    """The first approval: final at or below the threshold, else the batch waits for a
    second approval by another admin."""
    require_perm(by, "incentives.payouts")
    locked = _lock_batch(batch)
    if not locked.lines.exists():
        raise DomainError(_("This batch pays no one: cancel it instead."))
    name = "approve_first" if locked.needs_second_approval else "approve"
    act = BATCH.check(locked, by, name)
    locked.status = act.target
    locked.approved_at, locked.approved_by = timezone.now(), by
    locked.save(update_fields=["status", "approved_at", "approved_by"])
    log_action(
        "payout_batch.approved",
        obj=locked,
        object_label=locked.number,
        before={"status": BatchStatus.DRAFT},
        after={"status": locked.status, "total": locked.total},
    )
    return locked


@transaction.atomic
def batch_approve_second(*, batch: PayoutBatch, by: Member) -> PayoutBatch:
    require_perm(by, "incentives.finance")
    locked = _lock_batch(batch)
    BATCH.check(locked, by, "approve_second")
    if locked.approved_by_id == by.pk:
        raise DomainError(_("The second approval must come from another person."))
    locked.status = BatchStatus.APPROVED
    locked.second_approved_at, locked.second_approved_by = timezone.now(), by
    locked.save(update_fields=["status", "second_approved_at", "second_approved_by"])
    log_action(
        "payout_batch.second_approved",
        obj=locked,
        object_label=locked.number,
        before={"status": BatchStatus.PARTLY_APPROVED},
        after={"status": locked.status, "total": locked.total},
    )
    return locked


@transaction.atomic
def batch_cancel(*, batch: PayoutBatch, by: Member, reason: str) -> PayoutBatch:
    """Nothing was paid: the earnings are freed for the next batch."""
    require_perm(by, "incentives.finance")
    locked = _lock_batch(batch)
    BATCH.check(locked, by, "cancel")
    reason = limited((reason or "").strip(), 500, "reason")
    if not reason:
        raise DomainError(_("Give the reason for cancelling."), field="reason")
    old = locked.status
    locked.status, locked.cancelled_reason = BatchStatus.CANCELLED, reason
    locked.save(update_fields=["status", "cancelled_reason"])
    PayoutItem.objects.filter(batch=locked).update(active=False)
    log_action(
        "payout_batch.cancelled",
        obj=locked,
        object_label=locked.number,
        before={"status": old},
        after={"status": locked.status, "reason": reason},
    )
    return locked


@transaction.atomic
def batch_mark_exported(*, batch: PayoutBatch, by: Member, kind: str) -> None:
    """Record (and audit) that a payment file was taken."""
    require_perm(by, "incentives.finance")
    locked = _lock_batch(batch)
    BATCH.check(locked, by, "export")
    if locked.exported_at is None:
        locked.exported_at = timezone.now()
        locked.save(update_fields=["exported_at"])
    log_action(
        "payout_batch.exported", obj=locked, object_label=locked.number, after={"file": kind}
    )


@transaction.atomic
def batch_mark_paid(*, batch: PayoutBatch, by: Member, reference: str) -> PayoutBatch:
    """The bank paid the batch: every earning of it becomes paid (its `pay` ledger entries,
    with the reference), each line's partner admins are told and `payout.paid` goes out."""
    require_perm(by, "incentives.finance")
    reference = limited((reference or "").strip(), 100, "reference")
    if not reference:
        raise DomainError(_("Enter the payment reference."), field="reference")
    locked = _lock_batch(batch)
    BATCH.check(locked, by, "mark_paid")
    earning_ids = list(
        PayoutItem.objects.filter(batch=locked, active=True).values_list("earning_id", flat=True)
    )
    paid = earnings_mark_paid(
        earnings=[Earning(pk=pk) for pk in earning_ids],
        reference=f"{locked.number} {reference}"[:100],
        by=by,
    )
    if paid != len(earning_ids):
        # An earning of the batch is no longer approved (it cannot be: a batch's earnings
        # are only paid here, under this lock). Refuse rather than pay a different total.
        raise DomainError(_("Some earnings of this batch are no longer approved."))
    locked.status = BatchStatus.PAID
    locked.paid_at, locked.paid_by, locked.payment_reference = timezone.now(), by, reference
    locked.save(update_fields=["status", "paid_at", "paid_by", "payment_reference"])
    log_action(
        "payout_batch.paid",
        obj=locked,
        object_label=locked.number,
        before={"status": BatchStatus.APPROVED},
        after={"status": locked.status, "reference": reference, "earnings": paid},
    )
    for line in locked.lines.select_related("partner"):
        line.batch = locked
        events.emit("payout.paid", line)
        notifications.notify(
            Member.objects.filter(
                partner_id=line.partner_id, role=Role.PARTNER_ADMIN, is_active=True
            ),
            group="incentives",
            subject=str(events.EVENTS["payout.paid"][2]),
            template="incentives/payouts/emails/payout_paid.txt",
            context={"line": line, "batch": locked},
            path=f"/earnings/payouts/{line.pk}/",
            kind="payout.paid",
            event=notifications.event_for("payout.paid", line),
            obj=line,
        )
    return locked
