"""Earning lines and the ledger: writing a line (and its first entry), releasing held lines
after the clawback window, approving (the exchange rate locked then), paying, reversing and
clawing back, staff adjustments.

Every move locks the earning row (`select_for_update`) and checks it with the machine after
the lock, so two approvals of one line at the same moment write one approval: the second
finds the line approved and is refused. The ledger's unique (earning, kind, bucket) is the
last guard."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import (
    Bucket,
    Earning,
    EarningKind,
    EarningStatus,
    IncentiveProgram,
    LedgerEntry,
    LedgerKind,
)
from incentives.rules import CENT, cents
from incentives.states import EARNING
from mdf.selectors import rate_for
from partners.models import Partner
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.models import Member
from prm.roles import require_perm
from prm.states import ActionNotAllowed

ZERO = Decimal("0")


def _entry(earning: Earning, kind: str, bucket: str, amount, currency: str, by=None, **extra):
    return LedgerEntry(
        tenant_id=earning.tenant_id,
        partner_id=earning.partner_id,
        earning=earning,
        kind=kind,
        bucket=bucket,
        amount=amount,
        currency=currency,
        created_by=by,
        **extra,
    )


def _lock(earning_id: int) -> Earning:
    return Earning.objects.select_for_update().get(pk=earning_id)


def earnings_write(*, earnings: list[Earning], by: Member | None = None) -> list[Earning]:
    """Insert new earning lines with their first ledger entry (held, or pending when there
    is no window), audit and announce each. Lines whose key exists are skipped, so a
    computation that runs twice writes nothing the second time. Precondition: the caller
    holds the lock that serialises computations of the same cause."""
    if not earnings:
        return []
    existing = set(
        Earning.objects.filter(key__in=[e.key for e in earnings]).values_list("key", flat=True)
    )
    new = [e for e in earnings if e.key not in existing]
    if not new:
        return []
    created = Earning.objects.bulk_create(new)
    LedgerEntry.objects.bulk_create(
        [
            _entry(
                e,
                LedgerKind.EARN,
                Bucket.HELD if e.status == EarningStatus.HELD else e.status,
                e.amount,
                e.currency,
                by,
                memo=e.kind,
            )
            for e in created
        ]
    )
    for e in created:
        log_action(
            "earning.created",
            obj=e,
            object_label=e.number,
            after={
                "kind": e.kind,
                "partner": e.partner_id,
                "amount": e.amount,
                "currency": e.currency,
                "status": e.status,
                "deal": e.deal_id,
                "version": e.version_id,
            },
        )
        events.emit("earning.created", e)
    return created


def new_earning(
    *, program: IncentiveProgram, on: datetime.date, no_hold: bool = False, **fields
) -> Earning:
    """An unsaved line, held for the program's clawback window from `on` (the day the deal
    closed) unless it has none or the line is not for a deal."""
    days = 0 if no_hold else program.clawback_days
    hold_until = on + datetime.timedelta(days=days) if days else None
    held = hold_until is not None and hold_until > timezone.localdate()
    return Earning(
        tenant_id=program.tenant_id,
        program=program,
        earned_on=on,
        hold_until=hold_until,
        status=EarningStatus.HELD if held else EarningStatus.PENDING,
        **fields,
    )


@transaction.atomic
def earnings_release(*, today: datetime.date | None = None) -> int:
    """Held lines whose clawback window has passed become pending (the daily sweep). Lines
    another transaction holds are left for the next run."""
    today = today or timezone.localdate()
    lines = list(
        Earning.objects.select_for_update(skip_locked=True)
        .filter(status=EarningStatus.HELD, hold_until__lte=today)
        .order_by("id")
    )
    now = timezone.now()
    entries = []
    for e in lines:
        EARNING.check_move(e.status, EarningStatus.PENDING)
        e.status, e.released_at = EarningStatus.PENDING, now
        entries += [
            _entry(e, LedgerKind.RELEASE, Bucket.HELD, -e.amount, e.currency),
            _entry(e, LedgerKind.RELEASE, Bucket.PENDING, e.amount, e.currency),
        ]
    Earning.objects.bulk_update(lines, ["status", "released_at"])
    LedgerEntry.objects.bulk_create(entries)
    for e in lines:
        log_action(
            "earning.released",
            obj=e,
            object_label=e.number,
            before={"status": "held"},
            after={"status": "pending"},
        )
    return len(lines)


def _approve_locked(earning: Earning, by: Member, today: datetime.date) -> Earning:
    EARNING.check(earning, by, "approve")
    payout_currency = earning.program.currency
    rate = rate_for(earning.currency, payout_currency, today)
    if rate is None:
        raise DomainError(
            _("No exchange rate from %(f)s to %(t)s yet: add one under Exchange rates.")
            % {"f": earning.currency, "t": payout_currency},
            field="earning",
        )
    payout = cents(earning.amount * rate)
    earning.status = EarningStatus.APPROVED
    earning.approved_at, earning.approved_by = timezone.now(), by
    earning.fx_rate, earning.payout_currency, earning.payout_amount = rate, payout_currency, payout
    earning.save(
        update_fields=[
            "status",
            "approved_at",
            "approved_by",
            "fx_rate",
            "payout_currency",
            "payout_amount",
        ]
    )
    LedgerEntry.objects.bulk_create(
        [
            _entry(
                earning, LedgerKind.APPROVE, Bucket.PENDING, -earning.amount, earning.currency, by
            ),
            _entry(
                earning,
                LedgerKind.APPROVE,
                Bucket.APPROVED,
                payout,
                payout_currency,
                by,
                fx_rate=rate,
            ),
        ]
    )
    log_action(
        "earning.approved",
        obj=earning,
        object_label=earning.number,
        before={"status": "pending"},
        after={
            "status": "approved",
            "fx_rate": rate,
            "payout_amount": payout,
            "payout_currency": payout_currency,
        },
    )
    events.emit("earning.approved", earning)
    return earning


@transaction.atomic
def earning_approve(*, earning: Earning, by: Member) -> Earning:
    """Approve one pending line: the amount moves to approved in the program's payout
    currency, at mdf's exchange rate in force today, which is kept on the line and its
    ledger entry (later rates never change it)."""
    require_perm(by, "incentives.review")
    locked = Earning.objects.select_for_update().select_related("program").get(pk=earning.pk)
    return _approve_locked(locked, by, timezone.localdate())


@transaction.atomic
def earnings_approve(*, ids: list[int], by: Member) -> dict:
    """Approve many pending lines at once (locked in id order, so two bulk approvals cannot
    deadlock). Lines no longer pending, and lines without an exchange rate, are skipped and
    counted; the rest are approved."""
    require_perm(by, "incentives.review")
    if not ids:
        raise DomainError(_("Choose at least one line."), field="ids")
    lines = list(
        Earning.objects.select_for_update()
        .select_related("program")
        .filter(pk__in=ids)
        .order_by("id")
    )
    today = timezone.localdate()
    approved, skipped = [], []
    for line in lines:
        try:
            with transaction.atomic():
                _approve_locked(line, by, today)
        except (ActionNotAllowed, DomainError):
            skipped.append(line.pk)
        else:
            approved.append(line.pk)
    missing = set(ids) - {line.pk for line in lines}
    return {"approved": approved, "skipped": skipped + sorted(missing)}


@transaction.atomic
def earnings_mark_paid(*, earnings: list[Earning], reference: str, by: Member | None) -> int:
    """Approved lines become paid (the payout, issue #20 item 4, calls this with its
    reference). Already paid lines are left as they are."""
    if by is not None:
        require_perm(by, "incentives.admin")
    reference = limited((reference or "").strip(), 100, "reference")
    if not reference:
        raise DomainError(_("Enter the payment reference."), field="reference")
    lines = list(
        Earning.objects.select_for_update()
        .filter(pk__in=[e.pk for e in earnings], status=EarningStatus.APPROVED)
        .order_by("id")
    )
    now = timezone.now()
    for e in lines:
        EARNING.check_move(e.status, EarningStatus.PAID)
        e.status, e.paid_at, e.payment_reference = EarningStatus.PAID, now, reference
        e.save(update_fields=["status", "paid_at", "payment_reference"])
        LedgerEntry.objects.bulk_create(
            [
                _entry(e, LedgerKind.PAY, Bucket.APPROVED, -e.payout_amount, e.payout_currency, by),
                _entry(
                    e,
                    LedgerKind.PAY,
                    Bucket.PAID,
                    e.payout_amount,
                    e.payout_currency,
                    by,
                    reference=reference,
                ),
            ]
        )
        log_action(
            "earning.paid",
            obj=e,
            object_label=e.number,
            before={"status": "approved"},
            after={"status": "paid", "reference": reference},
        )
    return len(lines)


def earning_reverse_locked(earning: Earning, *, reason: str, by: Member | None = None) -> Earning:
    """Take a line back because its cause went away (the deal was lost after it was won): a
    held or pending line is reversed; an approved or paid one keeps its history and a
    clawback line (approved at once, in the payout currency) takes its amount back from the
    next payout. Precondition: `earning` is locked. Reversed lines are left alone."""
    if earning.status in (EarningStatus.HELD, EarningStatus.PENDING):
        old = earning.status
        EARNING.check(earning, None, "reverse")
        earning.status = EarningStatus.REVERSED
        earning.reversed_at, earning.reversal_reason = timezone.now(), reason[:500]
        earning.save(update_fields=["status", "reversed_at", "reversal_reason"])
        LedgerEntry.objects.bulk_create(
            [
                _entry(earning, LedgerKind.REVERSE, old, -earning.amount, earning.currency, by),
                _entry(
                    earning,
                    LedgerKind.REVERSE,
                    Bucket.REVERSED,
                    earning.amount,
                    earning.currency,
                    by,
                ),
            ]
        )
        log_action(
            "earning.reversed",
            obj=earning,
            object_label=earning.number,
            before={"status": old},
            after={"status": "reversed", "reason": reason},
        )
        events.emit("earning.reversed", earning)
        return earning
    if earning.status in (EarningStatus.APPROVED, EarningStatus.PAID):
        if earning.clawbacks.exists():
            return earning
        now = timezone.now()
        clawback = Earning(
            tenant_id=earning.tenant_id,
            partner_id=earning.partner_id,
            program_id=earning.program_id,
            version_id=earning.version_id,
            kind=EarningKind.CLAWBACK,
            role=earning.role,
            status=EarningStatus.APPROVED,
            deal_id=earning.deal_id,
            direct_deal_id=earning.direct_deal_id,
            reverses=earning,
            amount=-earning.payout_amount,
            currency=earning.payout_currency,
            payout_amount=-earning.payout_amount,
            payout_currency=earning.payout_currency,
            fx_rate=Decimal("1"),
            approved_at=now,
            reason=reason[:500],
            key=f"clawback:{earning.pk}",
            earned_on=timezone.localdate(),
            computation={"steps": [{"step": "clawback", "of": earning.number}]},
            created_by=by,
        )
        clawback.save()
        _entry(
            clawback,
            LedgerKind.APPROVE,
            Bucket.APPROVED,
            clawback.amount,
            clawback.currency,
            by,
            fx_rate=Decimal("1"),
            memo=f"clawback of {earning.number}",
        ).save()
        log_action(
            "earning.clawed_back",
            obj=clawback,
            object_label=clawback.number,
            after={"of": earning.pk, "amount": clawback.amount, "reason": reason},
        )
        events.emit("earning.reversed", earning, clawback_id=clawback.pk)
    return earning


def _parse_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter an amount."), field="amount")
    if not amount.is_finite() or amount == 0:
        raise DomainError(_("Enter an amount other than zero."), field="amount")
    if abs(amount) >= Decimal("1000000000000"):
        raise DomainError(_("The amount is too large."), field="amount")
    if amount != amount.quantize(CENT):
        raise DomainError(_("Use at most two decimal places."), field="amount")
    return amount


@transaction.atomic
def earning_adjust(
    *, partner: Partner, program: IncentiveProgram, amount, reason: str, by: Member
) -> Earning:
    """A staff adjustment (positive or negative) with its reason, in the program's payout
    currency; pending approval at once (no clawback window)."""
    require_perm(by, "incentives.admin")
    amount = _parse_amount(amount)
    reason = limited((reason or "").strip(), 500, "reason")
    if not reason:
        raise DomainError(_("Give the reason for the adjustment."), field="reason")
    line = new_earning(
        program=program,
        on=timezone.localdate(),
        no_hold=True,
        partner=partner,
        kind=EarningKind.ADJUSTMENT,
        amount=amount,
        currency=program.currency,
        reason=reason,
        key=f"adjustment:{uuid.uuid4().hex}",
        created_by=by,
        computation={"steps": [{"step": "adjustment", "reason": reason}]},
    )
    return earnings_write(earnings=[line], by=by)[0]
