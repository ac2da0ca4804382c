"""Helpers shared by the MDF services: locks, ledger entries, money, notices."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mdf.models import (
    ALLOCATION_KINDS,
    ActivityRule,
    Claim,
    FundRequest,
    LedgerEntry,
    LedgerKind,
    Program,
)
from prm.errors import DomainError
from prm.models import Member
from prm.roles import require_perm
from prm.tasks import dispatch

_require = require_perm  # the shared check (prm.roles)

ZERO = Decimal("0")
CENT = Decimal("0.01")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud


# --- Helpers ------------------------------------------------------------------------------


def parse_money(value, *, field: str, allow_negative: bool = False, allow_zero: bool = False):
    try:
        value = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter an amount."), field=field)
    if not value.is_finite():
        raise DomainError(_("Enter an amount."), field=field)
    if abs(value) >= Decimal("1000000000000"):
        raise DomainError(_("The amount is too large."), field=field)
    if value != value.quantize(CENT):
        raise DomainError(_("Use at most two decimal places."), field=field)
    if (value < 0 and not allow_negative) or (value == 0 and not allow_zero):
        raise DomainError(_("Enter an amount greater than zero."), field=field)
    return value.quantize(CENT)


def local_today() -> datetime.date:
    return timezone.localdate()


def _lock_program(program_id: int) -> Program:
    """Exclusive: program-wide writes (budget, accrual, expiry) and settings changes."""
    return Program.objects.select_for_update().get(pk=program_id)


def _lock_funds(program_id: int, partner_id: int) -> Program:
    """Shared lock on the program (waits for program-wide writes), then the partner's funds
    lock. Both are released when the transaction ends."""
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM mdf_program WHERE id = %s FOR SHARE", [program_id])
        key = int.from_bytes(
            hashlib.sha256(f"mdf-funds:{program_id}:{partner_id}".encode()).digest()[:8],
            "big",
            signed=True,
        )
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    return Program.objects.get(pk=program_id)


def _entry(
    *,
    program: Program,
    partner_id: int,
    kind: str,
    amount: Decimal,
    by: Member | None = None,
    request: FundRequest | None = None,
    claim: Claim | None = None,
    memo: str = "",
    key: str = "",
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        tenant_id=program.tenant_id,
        program=program,
        partner_id=partner_id,
        kind=kind,
        amount=amount,
        request=request,
        claim=claim,
        memo=memo[:300],
        key=key,
        created_by=by,
        created_at=timezone.now(),
    )


def _release(
    *, program: Program, request: FundRequest, amount: Decimal, by, memo: str, claim=None
) -> None:
    """Give an unused commitment back. In a program whose funds already expired, the released
    amount expires at once, so an expired program never shows available funds."""
    if amount <= 0:
        return
    _entry(
        program=program,
        partner_id=request.partner_id,
        kind=LedgerKind.RELEASE,
        amount=amount,
        by=by,
        request=request,
        claim=claim,
        memo=memo,
    )
    if program.is_expired:
        _entry(
            program=program,
            partner_id=request.partner_id,
            kind=LedgerKind.EXPIRY,
            amount=amount,
            by=by,
            request=request,
            claim=claim,
            memo=_("Released after the program's funds expired"),
        )


def _queue(task, **kwargs) -> None:
    """Queue a task after commit (every MDF service queues through here)."""
    dispatch(task, **kwargs)


def _notify(kind: str, obj) -> None:
    # local: mdf.tasks imports mdf.services, and so this module
    from mdf import tasks

    _queue(tasks.notify, tenant=obj.tenant, kind=kind, object_id=obj.pk)


def _rule(program_id: int, activity_type: str) -> ActivityRule | None:
    return ActivityRule.objects.filter(program_id=program_id, activity_type=activity_type).first()


def _allocated_total(program_id: int) -> Decimal:
    return LedgerEntry.objects.filter(program_id=program_id, kind__in=ALLOCATION_KINDS).aggregate(
        t=Sum("amount")
    )["t"] or Decimal("0")


def _check_budget(program: Program) -> None:
    total = _allocated_total(program.pk)
    if total > program.budget:
        raise DomainError(
            _(
                "Allocations would total %(t)s %(c)s, over the program budget of %(b)s %(c)s. "
                "Raise the budget or allocate less."
            )
            % {"t": total, "b": program.budget, "c": program.currency},
            field="amount",
        )


def program_is_open_for_funds(program: Program, today: datetime.date) -> None:
    if program.is_expired or today >= program.expires_on:
        raise DomainError(_("The funds of this program have expired."), field="program")
