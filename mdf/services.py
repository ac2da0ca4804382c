"""Writes for market development funds. Every function is keyword-only, runs inside the
caller's tenant context and its own savepoint (a refused operation leaves nothing behind),
audits, and queues e-mail only after commit.

Balances live only in the append-only ledger. Locking, always in this order so that two
writers can never deadlock:

1. the object row being moved (`select_for_update` on the request or claim);
2. the program row: `FOR UPDATE` for program-wide writes (allocations and the budget,
   accruals, expiry), `FOR SHARE` for writes about one partner;
3. a transaction-scoped advisory lock per (program, partner) for writes that spend that
   partner's funds (commitments), so concurrent approvals for one partner run one at a time
   and each re-reads the derived balance inside the lock.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import hashlib
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mdf import selectors
from mdf.files import clean_name, sha256_of, sniff_proof
from mdf.models import (
    ALLOCATION_KINDS,
    CLAIM_TRANSITIONS,
    REQUEST_TRANSITIONS,
    ActivityRule,
    ActivityType,
    Claim,
    ClaimStatus,
    ExchangeRate,
    FundRequest,
    LedgerEntry,
    LedgerKind,
    Period,
    Program,
    ProofDocument,
    ProofKind,
    RequestStatus,
)
from partners.models import Partner, PartnerStatus
from prm import events
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import has_perm
from prm.tasks import dispatch

ZERO = Decimal("0")
CENT = Decimal("0.01")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud


# --- Helpers ------------------------------------------------------------------------------


def _require(by: Member | None, capability: str) -> None:
    if by is None or not has_perm(by.role, capability):
        raise PermissionDenied()


def _require_own_partner(by: Member | None, partner_id: int) -> None:
    if by is None or not has_perm(by.role, "mdf.use") or by.partner_id != partner_id:
        raise PermissionDenied()


def _money(value, *, field: str, allow_negative: bool = False, allow_zero: bool = False):
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


def _today() -> datetime.date:
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


def _notify(kind: str, obj) -> None:
    from mdf import tasks

    dispatch(tasks.notify, tenant=obj.tenant, kind=kind, object_id=obj.pk)


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


def _program_is_open_for_funds(program: Program, today: datetime.date) -> None:
    if program.is_expired or today >= program.expires_on:
        raise DomainError(_("The funds of this program have expired."), field="program")


# --- Programs and rules -------------------------------------------------------------------


def period_end(period: str, start: datetime.date) -> datetime.date:
    """Last day of a quarter or year that starts on `start` (fiscal periods allowed)."""
    months = 3 if period == Period.QUARTER else 12
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day) - datetime.timedelta(days=1)


PROGRAM_FIELDS = [
    "name",
    "period",
    "start_date",
    "end_date",
    "currency",
    "budget",
    "grace_days",
    "expiry_warning_days",
    "second_approval_threshold",
]
PROGRAM_EDITABLE = {
    "name",
    "budget",
    "grace_days",
    "expiry_warning_days",
    "second_approval_threshold",
}


@transaction.atomic
def program_create(
    *,
    tenant,
    by: Member | None,
    name: str,
    period: str,
    start_date: datetime.date,
    currency: str,
    budget: Decimal,
    end_date: datetime.date | None = None,
    grace_days: int = 30,
    expiry_warning_days: int = 14,
    second_approval_threshold: Decimal | None = None,
) -> Program:
    """Create a program for a quarter or a year (end date derived from the start unless
    given). Activity rules are added with rule_set()."""
    if by is not None:
        _require(by, "mdf.admin")
    if period not in Period.values:
        raise DomainError(_("Choose a quarter or a year."), field="period")
    program = Program(
        tenant=tenant,
        name=(name or "").strip(),
        period=period,
        start_date=start_date,
        end_date=end_date or period_end(period, start_date),
        currency=(currency or "").upper(),
        budget=_money(budget, field="budget", allow_zero=True),
        grace_days=grace_days,
        expiry_warning_days=expiry_warning_days,
        second_approval_threshold=second_approval_threshold,
    )
    program.full_clean(exclude=["tenant"], validate_constraints=False)
    if program.end_date < program.start_date:
        raise DomainError(_("The period must end after it starts."), field="start_date")
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:
        raise DomainError(_("A program with this name already exists."), field="name")
    log_action("mdf.program.created", obj=program, after=snapshot(program, PROGRAM_FIELDS))
    return program


@transaction.atomic
def program_update(*, program: Program, by: Member, **changes) -> Program:
    """Change a program's name, budget (never below what is allocated), grace period, warning
    days or second-approval threshold. Period and currency are fixed once created."""
    _require(by, "mdf.admin")
    unknown = set(changes) - PROGRAM_EDITABLE
    if unknown:
        raise DomainError(
            _("You cannot change %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    program = _lock_program(program.pk)
    before = snapshot(program, list(changes))
    for name, value in changes.items():
        setattr(program, name, value.strip() if isinstance(value, str) else value)
    if "budget" in changes:
        program.budget = _money(program.budget, field="budget", allow_zero=True)
        allocated = _allocated_total(program.pk)
        if program.budget < allocated:
            raise DomainError(
                _("%(a)s %(c)s is already allocated; the budget cannot be lower.")
                % {"a": allocated, "c": program.currency},
                field="budget",
            )
    program.full_clean(exclude=["tenant"], validate_constraints=False)
    b, a = diff(before, snapshot(program, list(changes)))
    if a:
        try:
            with transaction.atomic():
                program.save(update_fields=list(a))
        except IntegrityError:
            raise DomainError(_("A program with this name already exists."), field="name")
        log_action("mdf.program.updated", obj=program, before=b, after=a)
    return program


@transaction.atomic
def rule_set(
    *,
    program: Program,
    by: Member | None,
    activity_type: str,
    max_reimbursable_pct: Decimal,
    required_proofs: Iterable[str] = (),
    claim_deadline_days: int = 60,
) -> ActivityRule:
    """Make an activity type eligible in a program (or change its rule)."""
    if by is not None:
        _require(by, "mdf.admin")
    if activity_type not in ActivityType.values:
        raise DomainError(_("Choose an activity type."), field="activity_type")
    proofs = sorted(set(required_proofs))
    if any(p not in ProofKind.values for p in proofs):
        raise DomainError(_("Unknown proof document kind."), field="required_proofs")
    rule = ActivityRule.objects.filter(program=program, activity_type=activity_type).first()
    before = (
        snapshot(rule, ["max_reimbursable_pct", "required_proofs", "claim_deadline_days"])
        if rule
        else None
    )
    rule = rule or ActivityRule(
        tenant_id=program.tenant_id, program=program, activity_type=activity_type
    )
    rule.max_reimbursable_pct = max_reimbursable_pct
    rule.required_proofs = proofs
    rule.claim_deadline_days = claim_deadline_days
    rule.full_clean(exclude=["tenant", "program"], validate_constraints=False)
    rule.save()
    log_action(
        "mdf.rule.set",
        obj=program,
        before=before,
        after={"activity_type": activity_type}
        | snapshot(rule, ["max_reimbursable_pct", "required_proofs", "claim_deadline_days"]),
    )
    return rule


@transaction.atomic
def rule_remove(*, program: Program, by: Member, activity_type: str) -> None:
    """Stop funding an activity type. Requests already made keep their decision."""
    _require(by, "mdf.admin")
    deleted, _n = ActivityRule.objects.filter(program=program, activity_type=activity_type).delete()
    if deleted:
        log_action("mdf.rule.removed", obj=program, before={"activity_type": activity_type})


# --- Allocations --------------------------------------------------------------------------


@transaction.atomic
def allocation_add(
    *,
    program: Program,
    partner: Partner,
    amount,
    by: Member | None,
    memo: str = "",
    key: str = "",
) -> LedgerEntry:
    """A manual allocation (positive) or adjustment (negative). Total allocations never exceed
    the budget, and an adjustment never takes away funds that are not available. A `key`
    (unique per program and partner) makes the allocation idempotent, e.g. for CSV imports."""
    if by is not None:
        _require(by, "mdf.admin")
    amount = _money(amount, field="amount", allow_negative=True)
    program = _lock_program(program.pk)
    _program_is_open_for_funds(program, _today())
    if amount < 0:
        avail = selectors.available(program_id=program.pk, partner_id=partner.pk)
        if -amount > avail:
            raise DomainError(
                _("Only %(a)s %(c)s is available to take back.")
                % {"a": avail, "c": program.currency},
                field="amount",
            )
    entry = _entry(
        program=program,
        partner_id=partner.pk,
        kind=LedgerKind.ALLOCATE if amount > 0 else LedgerKind.ADJUSTMENT,
        amount=amount,
        by=by,
        memo=memo or _("Manual allocation"),
        key=key[:40],
    )
    _check_budget(program)
    log_action(
        "mdf.allocation.added",
        obj=program,
        after={"partner": partner.pk, "amount": amount, "kind": entry.kind, "memo": entry.memo},
    )
    return entry


TIER_ALLOCATION_SQL = """
INSERT INTO mdf_ledgerentry (tenant_id, program_id, partner_id, kind, amount, request_id,
                             claim_id, key, memo, created_at, created_by_id)
SELECT p.tenant_id, %(program)s, p.id, 'allocate', t.mdf_allocation, NULL, NULL, 'tier',
       t.name || ' tier allocation', %(now)s, %(by)s
FROM partners_partner p
JOIN partners_tier t ON t.id = p.tier_id AND t.tenant_id = p.tenant_id
WHERE p.tenant_id = %(tenant)s AND p.status = 'active' AND t.mdf_allocation > 0
  AND NOT EXISTS (
      SELECT 1 FROM mdf_ledgerentry e
      WHERE e.tenant_id = p.tenant_id AND e.program_id = %(program)s
        AND e.partner_id = p.id AND e.key = 'tier')
RETURNING partner_id, amount
"""


@transaction.atomic
def program_allocate_by_tier(*, program: Program, by: Member | None) -> dict:
    """Allocate each active partner its tier's MDF allocation, in one INSERT ... SELECT.
    Partners that already received their tier allocation in this program are skipped, so
    running it again (e.g. after new partners joined) only adds the new ones. Refused as a
    whole when it would exceed the budget."""
    if by is not None:
        _require(by, "mdf.admin")
    program = _lock_program(program.pk)
    _program_is_open_for_funds(program, _today())
    with connection.cursor() as cur:
        cur.execute(
            TIER_ALLOCATION_SQL,
            {
                "tenant": program.tenant_id,
                "program": program.pk,
                "now": timezone.now(),
                "by": by.pk if by else None,
            },
        )
        rows = cur.fetchall()
    _check_budget(program)
    total = sum((r[1] for r in rows), ZERO)
    if rows:
        log_action(
            "mdf.allocation.by_tier", obj=program, after={"partners": len(rows), "total": total}
        )
    return {"partners": len(rows), "total": total}


ACCRUAL_SQL = """
WITH won AS (
    SELECT d.partner_id, SUM(d.won_amount * fx.rate) AS revenue
    FROM dealreg_deal d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.currency = %(currency)s THEN 1::numeric ELSE (
            SELECT x.rate FROM mdf_exchangerate x
            WHERE x.tenant_id = d.tenant_id AND x.from_currency = d.currency
              AND x.to_currency = %(currency)s AND x.valid_from <= d.closed_at
            ORDER BY x.valid_from DESC LIMIT 1) END AS rate
    ) fx
    WHERE d.tenant_id = %(tenant)s AND d.status = 'won' AND d.won_amount IS NOT NULL
      AND d.closed_at BETWEEN %(start)s AND %(end)s
    GROUP BY d.partner_id
),
target AS (
    SELECT w.partner_id, w.revenue, t.mdf_accrual_pct AS pct,
           ROUND(w.revenue * t.mdf_accrual_pct / 100, 2) AS amount
    FROM won w
    JOIN partners_partner p ON p.id = w.partner_id AND p.tenant_id = %(tenant)s
    JOIN partners_tier t ON t.id = p.tier_id AND t.tenant_id = %(tenant)s
    WHERE p.status = 'active' AND t.mdf_accrual_pct > 0 AND w.revenue IS NOT NULL
),
done AS (
    SELECT e.partner_id, SUM(e.amount) AS amount
    FROM mdf_ledgerentry e
    WHERE e.tenant_id = %(tenant)s AND e.program_id = %(program)s AND e.kind = 'accrue'
    GROUP BY e.partner_id
)
INSERT INTO mdf_ledgerentry (tenant_id, program_id, partner_id, kind, amount, request_id,
                             claim_id, key, memo, created_at, created_by_id)
SELECT %(tenant)s, %(program)s, target.partner_id, 'accrue',
       target.amount - COALESCE(done.amount, 0), NULL, NULL, '',
       'Accrual: ' || TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM target.pct::text))
         || '%% of ' || ROUND(target.revenue, 2)::text || ' won revenue',
       %(now)s, %(by)s
FROM target
LEFT JOIN done ON done.partner_id = target.partner_id
WHERE target.amount - COALESCE(done.amount, 0) > 0
RETURNING partner_id, amount
"""


@transaction.atomic
def program_accrue(*, program: Program, by: Member | None = None) -> dict:
    """Accrue each active partner its tier's % of the won revenue of the period (won deals
    whose closed_at falls in the period, converted to the program currency at the rate in
    force on the close date). One INSERT ... SELECT adds only the difference since the last
    accrual, so re-running is idempotent; accruals only grow (corrections downwards are
    manual adjustments). Refused as a whole when it would exceed the budget."""
    if by is not None:
        _require(by, "mdf.admin")
    program = _lock_program(program.pk)
    _program_is_open_for_funds(program, _today())
    with connection.cursor() as cur:
        cur.execute(
            ACCRUAL_SQL,
            {
                "tenant": program.tenant_id,
                "program": program.pk,
                "currency": program.currency,
                "start": program.start_date,
                "end": program.end_date,
                "now": timezone.now(),
                "by": by.pk if by else None,
            },
        )
        rows = cur.fetchall()
    _check_budget(program)
    total = sum((r[1] for r in rows), ZERO)
    if rows:
        log_action(
            "mdf.allocation.accrued", obj=program, after={"partners": len(rows), "total": total}
        )
    return {"partners": len(rows), "total": total}


# --- Requests -----------------------------------------------------------------------------

REQUEST_FIELDS = [
    "activity_type",
    "title",
    "description",
    "start_date",
    "end_date",
    "planned_cost",
    "requested_amount",
    "expected_leads",
    "expected_pipeline",
    "target_audience",
]
REQUEST_AUDIT_FIELDS = [
    "status",
    "approved_amount",
    "campaign_code",
    "claim_deadline",
    "decision_reason",
]


def _rule(program_id: int, activity_type: str) -> ActivityRule | None:
    return ActivityRule.objects.filter(program_id=program_id, activity_type=activity_type).first()


def _validate_request(req: FundRequest, *, today: datetime.date) -> ActivityRule:
    program = req.program
    if program.is_expired or today > program.end_date:
        raise DomainError(_("This program no longer takes requests."), field="program")
    rule = _rule(program.pk, req.activity_type)
    if rule is None:
        raise DomainError(
            _("This program does not fund this activity type."), field="activity_type"
        )
    req.title = (req.title or "").strip()
    req.target_audience = (req.target_audience or "").strip()
    req.full_clean(exclude=["tenant", "program", "partner"], validate_constraints=False)
    if req.end_date < req.start_date:
        raise DomainError(_("The activity must end on or after its start."), field="end_date")
    if req.start_date < program.start_date or req.end_date > program.end_date:
        raise DomainError(
            _("The activity must take place within the program period (%(a)s – %(b)s).")
            % {"a": program.start_date, "b": program.end_date},
            field="start_date",
        )
    _money(req.planned_cost, field="planned_cost")
    _money(req.requested_amount, field="requested_amount")
    limit = (req.planned_cost * rule.max_reimbursable_pct / 100).quantize(CENT)
    if req.requested_amount > limit:
        raise DomainError(
            _("At most %(p)s%% of the planned cost can be funded: %(l)s %(c)s.")
            % {"p": rule.max_reimbursable_pct, "l": limit, "c": program.currency},
            field="requested_amount",
        )
    avail = selectors.available(program_id=program.pk, partner_id=req.partner_id)
    if req.requested_amount > avail:
        raise DomainError(
            _("You have %(a)s %(c)s available in this program.")
            % {"a": avail, "c": program.currency},
            field="requested_amount",
        )
    return rule


@transaction.atomic
def request_submit(*, program: Program, by: Member, **fields) -> FundRequest:
    """A partner person asks for funds for one activity of its own company."""
    if by is None or not has_perm(by.role, "mdf.use") or not by.partner_id:
        raise PermissionDenied()
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    partner = Partner.objects.get(pk=by.partner_id)
    if partner.status != PartnerStatus.ACTIVE:
        raise DomainError(_("Only active partners can request funds."))
    now = timezone.now()
    req = FundRequest(
        tenant_id=program.tenant_id,
        program=program,
        partner=partner,
        submitted_by=by,
        status=RequestStatus.SUBMITTED,
        created_at=now,
        submitted_at=now,
        **fields,
    )
    _validate_request(req, today=timezone.localdate(now))
    req.save()
    log_action("mdf.request.submitted", obj=req, after=snapshot(req, ["status", *REQUEST_FIELDS]))
    _notify("request.submitted", req)
    return req


@transaction.atomic
def request_update(*, request: FundRequest, by: Member, **changes) -> FundRequest:
    """The partner edits its request while it is submitted or returned for changes; a
    returned request goes back to the review queue."""
    _require_own_partner(by, request.partner_id)
    unknown = set(changes) - set(REQUEST_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    req = FundRequest.objects.select_for_update().select_related("program").get(pk=request.pk)
    if req.status not in (RequestStatus.SUBMITTED, RequestStatus.RETURNED):
        raise DomainError(_("Only submitted or returned requests can be edited."))
    before = snapshot(req, REQUEST_FIELDS)
    for name, value in changes.items():
        setattr(req, name, value)
    _validate_request(req, today=_today())
    b, a = diff(before, snapshot(req, REQUEST_FIELDS))
    if a:
        req.save(update_fields=list(a))
        log_action("mdf.request.updated", obj=req, before=b, after=a)
    if req.status == RequestStatus.RETURNED:
        req = request_transition(request=req, to=RequestStatus.SUBMITTED, by=by)
    return req


def _new_campaign_code() -> str:
    for _attempt in range(20):
        code = "MDF-" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(5))
        if not FundRequest.objects.filter(campaign_code=code).exists():
            return code
    raise DomainError(_("Could not issue a campaign code; try again."))


def _authorise_request_move(req: FundRequest, to: str, by: Member | None) -> None:
    if to in (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.RETURNED):
        _require(by, "mdf.review")
    elif to == RequestStatus.SUBMITTED:
        _require_own_partner(by, req.partner_id)
    elif to == RequestStatus.CANCELLED:
        if by is None or not (
            has_perm(by.role, "mdf.review")
            or (has_perm(by.role, "mdf.use") and by.partner_id == req.partner_id)
        ):
            raise PermissionDenied()


@transaction.atomic
def request_transition(
    *,
    request: FundRequest,
    to: str,
    by: Member | None,
    amount=None,
    reason: str = "",
    _system: bool = False,
) -> FundRequest:
    """The one way a request changes status (REQUEST_TRANSITIONS). Locks the row, refuses
    illegal moves, applies the money side (approve commits funds under the partner's funds
    lock after re-checking the derived balance; cancel releases what is still committed),
    audits, and e-mails after commit.

    approve: `amount` (defaults to the amount requested; less is a partial approval).
    reject / return: `reason` is required and shown to the partner."""
    if to not in RequestStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    req = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("program", "partner")
        .get(pk=request.pk)
    )
    old = req.status
    if to not in REQUEST_TRANSITIONS[old] or (to == RequestStatus.COMPLETED and not _system):
        raise DomainError(
            _("A request cannot move from %(a)s to %(b)s.")
            % {"a": RequestStatus(old).label, "b": RequestStatus(to).label},
            field="status",
        )
    if not _system:
        _authorise_request_move(req, to, by)
    reason = (reason or "").strip()[:1000]
    before = snapshot(req, REQUEST_AUDIT_FIELDS)
    now = timezone.now()
    changed = ["status"]
    if to == RequestStatus.APPROVED:
        amount = _money(req.requested_amount if amount in (None, "") else amount, field="amount")
        if amount > req.requested_amount:
            raise DomainError(
                _("You can approve at most the amount requested (%(a)s).")
                % {"a": req.requested_amount},
                field="amount",
            )
        rule = _rule(req.program_id, req.activity_type)
        if rule is None:
            raise DomainError(
                _("The program no longer funds this activity type."), field="activity_type"
            )
        program = _lock_funds(req.program_id, req.partner_id)
        _program_is_open_for_funds(program, timezone.localdate(now))
        avail = selectors.available(program_id=program.pk, partner_id=req.partner_id)
        if amount > avail:
            raise DomainError(
                _("Only %(a)s %(c)s is available to this partner; approve less or add funds.")
                % {"a": avail, "c": program.currency},
                field="amount",
            )
        req.approved_amount = amount
        req.claim_deadline = req.end_date + datetime.timedelta(days=rule.claim_deadline_days)
        req.campaign_code = _new_campaign_code()
        _entry(
            program=program,
            partner_id=req.partner_id,
            kind=LedgerKind.COMMIT,
            amount=amount,
            by=by,
            request=req,
            memo=f"{req.number} {req.title}",
        )
        changed += ["approved_amount", "claim_deadline", "campaign_code"]
    elif to in (RequestStatus.REJECTED, RequestStatus.RETURNED):
        if not reason:
            raise DomainError(_("Tell the partner why."), field="reason")
    elif to == RequestStatus.CANCELLED and old == RequestStatus.APPROVED:
        if req.claims.exclude(status=ClaimStatus.REJECTED).exists():
            raise DomainError(
                _("A claim has been filed for this request; it can no longer be cancelled.")
            )
        program = _lock_funds(req.program_id, req.partner_id)
        _release(
            program=program,
            request=req,
            amount=selectors.request_open_commitment(req.pk),
            by=by,
            memo=_("Request cancelled"),
        )
    elif to == RequestStatus.SUBMITTED:
        req.submitted_at = now
        changed.append("submitted_at")
    if to in (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.RETURNED):
        req.decided_by = by
        req.decided_at = now
        req.decision_reason = reason
        changed += ["decided_by", "decided_at", "decision_reason"]
    elif to == RequestStatus.CANCELLED and reason:
        req.decision_reason = reason
        changed.append("decision_reason")
    req.status = to
    req.save(update_fields=changed)
    b, a = diff(before, snapshot(req, REQUEST_AUDIT_FIELDS))
    log_action(f"mdf.request.{to}", obj=req, before=b, after=a)
    if f"mdf.request.{to}" in events.EVENTS:  # decisions: approved, rejected, returned
        events.emit(f"mdf.request.{to}", req)
    if to != RequestStatus.COMPLETED:
        _notify(f"request.{to}", req)
    return req


# --- Claims -------------------------------------------------------------------------------

CLAIM_FIELDS = [
    "activity_start",
    "activity_end",
    "actual_cost",
    "amount_claimed",
    "currency",
    "leads",
    "attendees",
    "impressions",
    "notes",
]
CLAIM_AUDIT_FIELDS = [
    "status",
    "approved_amount",
    "exchange_rate",
    "approved_amount_program",
    "decision_reason",
    "info_request",
    "payment_reference",
    "paid_on",
]


def _validate_documents(
    documents: Iterable[tuple[str, object]],
) -> list[tuple[str, object, str, str]]:
    out = []
    for kind, upload in documents:
        if kind not in ProofKind.values:
            raise DomainError(_("Choose what the document proves."), field="kind")
        try:
            content_type, ext = sniff_proof(upload)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="file")
        out.append((kind, upload, content_type, ext))
    return out


def _store_documents(claim: Claim, checked, by: Member) -> list[ProofDocument]:
    docs = []
    for kind, upload, content_type, ext in checked:
        doc = ProofDocument(
            tenant_id=claim.tenant_id,
            claim=claim,
            kind=kind,
            original_name=clean_name(getattr(upload, "name", "")),
            content_type=content_type,
            ext=ext,
            size=upload.size,
            sha256=sha256_of(upload),
            uploaded_by=by,
        )
        upload.seek(0)
        doc.file.save(f"proof.{ext}", upload, save=False)
        doc.save()
        docs.append(doc)
        log_action(
            "mdf.claim.document_added",
            obj=claim,
            after={"document": doc.pk, "kind": kind, "name": doc.original_name, "size": doc.size},
        )
    return docs


def _validate_claim(claim: Claim, req: FundRequest) -> None:
    claim.currency = (claim.currency or "").upper()
    claim.full_clean(
        exclude=["tenant", "request", "program", "partner"], validate_constraints=False
    )
    if claim.activity_end < claim.activity_start:
        raise DomainError(_("The activity must end on or after its start."), field="activity_end")
    _money(claim.actual_cost, field="actual_cost")
    _money(claim.amount_claimed, field="amount_claimed")
    if claim.amount_claimed > claim.actual_cost:
        raise DomainError(_("You cannot claim more than the actual cost."), field="amount_claimed")
    rule = _rule(req.program_id, req.activity_type)
    if rule is not None:
        limit = (claim.actual_cost * rule.max_reimbursable_pct / 100).quantize(CENT)
        if claim.amount_claimed > limit:
            raise DomainError(
                _("At most %(p)s%% of the actual cost can be reimbursed: %(l)s %(c)s.")
                % {"p": rule.max_reimbursable_pct, "l": limit, "c": claim.currency},
                field="amount_claimed",
            )
    rate = selectors.rate_for(claim.currency, req.program.currency, _today())
    if rate is not None:
        converted = selectors.convert(claim.amount_claimed, rate)
        if converted > (req.approved_amount or ZERO):
            raise DomainError(
                _("You can claim at most the approved %(a)s %(c)s (this is %(v)s %(c)s).")
                % {"a": req.approved_amount, "c": req.program.currency, "v": converted},
                field="amount_claimed",
            )


@transaction.atomic
def claim_submit(
    *,
    request: FundRequest,
    by: Member,
    documents: Iterable[tuple[str, object]] = (),
    **fields,
) -> Claim:
    """The partner claims reimbursement for an approved request after the activity, with
    proof files as (kind, uploaded file) pairs. Missing proof does not block the claim: the
    reviewer sees it among the automatic checks."""
    _require_own_partner(by, request.partner_id)
    unknown = set(fields) - set(CLAIM_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    req = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=request.pk)
    )
    if req.status != RequestStatus.APPROVED:
        raise DomainError(_("Only approved requests can be claimed."))
    if req.claims.exclude(status=ClaimStatus.REJECTED).exists():
        raise DomainError(_("This request already has a claim."))
    fields.setdefault("currency", req.program.currency)
    claim = Claim(
        tenant_id=req.tenant_id,
        request=req,
        program=req.program,
        partner_id=req.partner_id,
        submitted_by=by,
        status=ClaimStatus.SUBMITTED,
        submitted_at=timezone.now(),
        **fields,
    )
    _validate_claim(claim, req)
    checked = _validate_documents(documents)
    claim.save()
    log_action("mdf.claim.submitted", obj=claim, after=snapshot(claim, ["status", *CLAIM_FIELDS]))
    _store_documents(claim, checked, by)
    _notify("claim.submitted", claim)
    return claim


@transaction.atomic
def claim_add_documents(
    *, claim: Claim, by: Member, documents: Iterable[tuple[str, object]]
) -> list[ProofDocument]:
    """More proof for a claim that is still with the partner or in review."""
    _require_own_partner(by, claim.partner_id)
    claim = _lock_claim(claim.pk)
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.INFO_REQUESTED):
        raise DomainError(_("Documents can be added only while the claim is in review."))
    checked = _validate_documents(documents)
    if not checked:
        raise DomainError(_("Choose a file."), field="file")
    return _store_documents(claim, checked, by)


@transaction.atomic
def claim_update(
    *, claim: Claim, by: Member, documents: Iterable[tuple[str, object]] = (), **changes
) -> Claim:
    """The partner answers a request for more information (changes and/or documents); the
    claim goes back to review."""
    _require_own_partner(by, claim.partner_id)
    unknown = set(changes) - set(CLAIM_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    claim = _lock_claim(claim.pk)
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.INFO_REQUESTED):
        raise DomainError(_("Only claims in review can be changed."))
    before = snapshot(claim, CLAIM_FIELDS)
    for name, value in changes.items():
        setattr(claim, name, value)
    _validate_claim(claim, claim.request)
    checked = _validate_documents(documents)
    b, a = diff(before, snapshot(claim, CLAIM_FIELDS))
    if a:
        claim.save(update_fields=list(a))
        log_action("mdf.claim.updated", obj=claim, before=b, after=a)
    _store_documents(claim, checked, by)
    if claim.status == ClaimStatus.INFO_REQUESTED:
        claim = claim_transition(claim=claim, to=ClaimStatus.SUBMITTED, by=by)
    return claim


def _lock_claim(claim_pk: int) -> Claim:
    """Lock the claim's request row, then the claim row: the same order as every other
    writer that touches both (request first), so they cannot deadlock."""
    request_id = Claim.objects.filter(pk=claim_pk).values_list("request_id", flat=True).get()
    list(FundRequest.objects.select_for_update().filter(pk=request_id).values_list("pk"))
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("program", "request__program", "partner")
        .get(pk=claim_pk)
    )


def _final_approve(claim: Claim, req: FundRequest, by: Member) -> None:
    """Money side of a claim's final approval: the approved amount moves from committed to
    claimed, and what is left of the commitment is released."""
    program = _lock_funds(claim.program_id, claim.partner_id)
    open_commitment = selectors.request_open_commitment(req.pk)
    amount = claim.approved_amount_program
    if amount > open_commitment:
        raise DomainError(
            _("Only %(a)s %(c)s is still committed to this request.")
            % {"a": open_commitment, "c": program.currency},
            field="amount",
        )
    _entry(
        program=program,
        partner_id=claim.partner_id,
        kind=LedgerKind.CLAIM_APPROVED,
        amount=amount,
        by=by,
        request=req,
        claim=claim,
        memo=f"{claim.number} {req.title}",
    )
    _release(
        program=program,
        request=req,
        amount=open_commitment - amount,
        by=by,
        claim=claim,
        memo=_("Not claimed by %(c)s") % {"c": claim.number},
    )
    request_transition(request=req, to=RequestStatus.COMPLETED, by=by, _system=True)


def _authorise_claim_move(claim: Claim, old: str, to: str, by: Member | None) -> None:
    if to == ClaimStatus.SUBMITTED:
        _require_own_partner(by, claim.partner_id)
    elif old == ClaimStatus.SECOND_APPROVAL or to == ClaimStatus.PAID:
        _require(by, "mdf.admin")
    else:
        _require(by, "mdf.review")


@transaction.atomic
def claim_transition(
    *,
    claim: Claim,
    to: str,
    by: Member | None,
    amount=None,
    reason: str = "",
    payment_reference: str = "",
    paid_on: datetime.date | None = None,
) -> Claim:
    """The one way a claim changes status (CLAIM_TRANSITIONS). Locks the row, refuses illegal
    moves, audits, and e-mails after commit.

    approve (from submitted): `amount` in the claim currency (defaults to the amount claimed;
      less is a partial approval). The exchange rate in force today is stored on the claim
      with the converted amount. Above the program's threshold the claim then waits for an
      admin's second approval; otherwise the ledger records the approved claim and releases
      the unclaimed rest of the commitment.
    approve (from second_approval): an admin other than the first approver confirms.
    reject / info_requested: `reason` is required and shown to the partner.
    paid: `payment_reference` and `paid_on`; the remittance advice PDF is rendered after
      commit."""
    if to not in ClaimStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    claim = _lock_claim(claim.pk)
    old = claim.status
    allowed = CLAIM_TRANSITIONS[old]
    if to not in allowed:
        raise DomainError(
            _("A claim cannot move from %(a)s to %(b)s.")
            % {"a": ClaimStatus(old).label, "b": ClaimStatus(to).label},
            field="status",
        )
    if to == ClaimStatus.SECOND_APPROVAL:
        raise DomainError(_("Approve the claim; the second approval follows from the amount."))
    _authorise_claim_move(claim, old, to, by)
    req = claim.request
    program = claim.program
    reason = (reason or "").strip()[:1000]
    before = snapshot(claim, CLAIM_AUDIT_FIELDS)
    now = timezone.now()
    changed = ["status"]
    action = to
    if to == ClaimStatus.APPROVED and old == ClaimStatus.SUBMITTED:
        amount = _money(claim.amount_claimed if amount in (None, "") else amount, field="amount")
        if amount > claim.amount_claimed:
            raise DomainError(
                _("You can approve at most the amount claimed (%(a)s %(c)s).")
                % {"a": claim.amount_claimed, "c": claim.currency},
                field="amount",
            )
        rule = _rule(claim.program_id, req.activity_type)
        if rule is not None:
            limit = (claim.actual_cost * rule.max_reimbursable_pct / 100).quantize(CENT)
            if amount > limit:
                raise DomainError(
                    _("At most %(p)s%% of the actual cost can be reimbursed: %(l)s %(c)s.")
                    % {"p": rule.max_reimbursable_pct, "l": limit, "c": claim.currency},
                    field="amount",
                )
        rate = selectors.rate_for(claim.currency, program.currency, timezone.localdate(now))
        if rate is None:
            raise DomainError(
                _(
                    "There is no exchange rate from %(f)s to %(t)s; an admin adds one under "
                    "Exchange rates."
                )
                % {"f": claim.currency, "t": program.currency},
                field="amount",
            )
        in_program = selectors.convert(amount, rate)
        open_commitment = selectors.request_open_commitment(req.pk)
        if in_program > open_commitment:
            raise DomainError(
                _("That is %(v)s %(c)s, more than the %(a)s %(c)s committed to the request.")
                % {"v": in_program, "a": open_commitment, "c": program.currency},
                field="amount",
            )
        claim.approved_amount = amount
        claim.exchange_rate = rate
        claim.approved_amount_program = in_program
        claim.first_approved_by = by
        claim.first_approved_at = now
        claim.decision_reason = reason
        changed += [
            "approved_amount",
            "exchange_rate",
            "approved_amount_program",
            "first_approved_by",
            "first_approved_at",
            "decision_reason",
        ]
        threshold = program.second_approval_threshold
        if threshold is not None and in_program > threshold:
            to = ClaimStatus.SECOND_APPROVAL
            action = "first_approved"
        else:
            claim.decided_at = now
            changed.append("decided_at")
            _final_approve(claim, req, by)
    elif to == ClaimStatus.APPROVED and old == ClaimStatus.SECOND_APPROVAL:
        if by.pk == claim.first_approved_by_id:
            raise PermissionDenied(_("A second approval must come from another admin."))
        claim.second_approved_by = by
        claim.second_approved_at = now
        claim.decided_at = now
        changed += ["second_approved_by", "second_approved_at", "decided_at"]
        _final_approve(claim, req, by)
    elif to in (ClaimStatus.REJECTED, ClaimStatus.INFO_REQUESTED):
        if not reason:
            raise DomainError(_("Tell the partner why."), field="reason")
        if to == ClaimStatus.REJECTED:
            claim.decision_reason = reason
            claim.decided_at = now
            changed += ["decision_reason", "decided_at"]
        else:
            claim.info_request = reason
            changed.append("info_request")
    elif to == ClaimStatus.SUBMITTED:
        claim.submitted_at = now
        changed.append("submitted_at")
    elif to == ClaimStatus.PAID:
        payment_reference = (payment_reference or "").strip()
        if not payment_reference:
            raise DomainError(_("Enter the payment reference."), field="payment_reference")
        if len(payment_reference) > 100:
            raise DomainError(_("At most 100 characters."), field="payment_reference")
        if paid_on is None:
            raise DomainError(_("Enter the payment date."), field="paid_on")
        if paid_on > timezone.localdate(now):
            raise DomainError(_("The payment date cannot be in the future."), field="paid_on")
        if claim.decided_at and paid_on < timezone.localdate(claim.decided_at):
            raise DomainError(_("The payment date is before the approval."), field="paid_on")
        claim.payment_reference = payment_reference
        claim.paid_on = paid_on
        claim.paid_by = by
        changed += ["payment_reference", "paid_on", "paid_by"]
        _entry(
            program=program,
            partner_id=claim.partner_id,
            kind=LedgerKind.PAYMENT,
            amount=claim.approved_amount_program,
            by=by,
            request=req,
            claim=claim,
            memo=_("Payment %(r)s") % {"r": payment_reference},
        )
        from mdf import tasks

        dispatch(tasks.render_remittance, tenant=claim.tenant, claim_id=claim.pk)
    claim.status = to
    claim.save(update_fields=changed)
    b, a = diff(before, snapshot(claim, CLAIM_AUDIT_FIELDS))
    log_action(f"mdf.claim.{action}", obj=claim, before=b, after=a)
    if f"mdf.claim.{to}" in events.EVENTS:  # decisions and payments
        events.emit(f"mdf.claim.{to}", claim)
    _notify(f"claim.{to}", claim)
    return claim


def claim_render_remittance(*, claim: Claim, force: bool = False) -> str:
    """Render (once) the remittance advice PDF of a paid claim and store it privately."""
    from mdf.pdf import render_remittance

    claim = Claim.objects.select_related("program", "partner", "request").get(pk=claim.pk)
    if claim.status != ClaimStatus.PAID:
        raise DomainError(_("Only paid claims have a remittance advice."))
    if claim.remittance_pdf and not force:
        return claim.remittance_pdf.name
    pdf = render_remittance(claim)
    name = f"mdf/{claim.tenant_id}/remittances/{claim.number}-{secrets.token_hex(8)}.pdf"
    stored = claim.remittance_pdf.storage.save(name, ContentFile(pdf))
    Claim.objects.filter(pk=claim.pk).update(remittance_pdf=stored)
    log_action("mdf.claim.remittance_rendered", obj=claim, after={"file": stored})
    return stored


# --- Exchange rates -----------------------------------------------------------------------


def _currency(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    if len(value) != 3 or not value.isalpha() or not value.isascii():
        raise DomainError(_("Use a three-letter ISO 4217 code."), field=field)
    return value


def _rate(value) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Enter a number such as 1.0825."), field="rate")
    if not rate.is_finite() or rate <= 0 or rate >= Decimal("10000000000"):
        raise DomainError(_("Enter a rate greater than zero."), field="rate")
    if rate != rate.quantize(Decimal("0.00000001")):
        raise DomainError(_("Use at most eight decimal places."), field="rate")
    return rate


@transaction.atomic
def exchange_rate_set(
    *,
    tenant,
    by: Member | None,
    from_currency: str,
    to_currency: str,
    rate,
    valid_from: datetime.date,
) -> ExchangeRate:
    """Enter (or correct) the rate valid from a day. Claims approved earlier keep the rate
    stored on them."""
    if by is not None:
        _require(by, "mdf.admin")
    frm = _currency(from_currency, "from_currency")
    to = _currency(to_currency, "to_currency")
    if frm == to:
        raise DomainError(_("Choose two different currencies."), field="to_currency")
    rate = _rate(rate)
    obj = ExchangeRate.objects.filter(
        from_currency=frm, to_currency=to, valid_from=valid_from
    ).first()
    before = {"rate": obj.rate} if obj else None
    if obj is None:
        obj = ExchangeRate.objects.create(
            tenant=tenant,
            from_currency=frm,
            to_currency=to,
            rate=rate,
            valid_from=valid_from,
            created_by=by,
        )
    elif obj.rate != rate:
        obj.rate = rate
        obj.created_by = by
        obj.save(update_fields=["rate", "created_by"])
    log_action(
        "mdf.exchange_rate.set",
        obj=obj,
        before=before,
        after={"from": frm, "to": to, "rate": rate, "valid_from": valid_from},
    )
    return obj


RATE_COLUMNS = ("from_currency", "to_currency", "rate", "valid_from")
MAX_IMPORT_ROWS = 5000


@dataclass
class RateImport:
    rows: list[dict] = field(default_factory=list)
    dry_run: bool = True

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r["action"] == "error")

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r["action"] == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.errors


@transaction.atomic
def exchange_rates_import(*, tenant, by: Member | None, text: str, dry_run: bool) -> RateImport:
    """Import rates from CSV (header: from_currency,to_currency,rate,valid_from with dates as
    YYYY-MM-DD). Every row is checked and classified (create, update, unchanged, error); with
    `dry_run`, or when any row has an error, nothing is written."""
    if by is not None:
        _require(by, "mdf.admin")
    result = RateImport(dry_run=dry_run)
    reader = csv.DictReader(io.StringIO(text or ""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if set(RATE_COLUMNS) - set(header):
        raise DomainError(
            _("The first line must name the columns: %(c)s.") % {"c": ",".join(RATE_COLUMNS)},
            field="file",
        )
    reader.fieldnames = header
    try:
        raw_rows = list(reader)
    except csv.Error as exc:
        raise DomainError(_("The file is not valid CSV: %(e)s") % {"e": exc}, field="file")
    if len(raw_rows) > MAX_IMPORT_ROWS:
        raise DomainError(
            _("At most %(n)s rows per import.") % {"n": MAX_IMPORT_ROWS}, field="file"
        )
    existing = {
        (r.from_currency, r.to_currency, r.valid_from): r.rate for r in ExchangeRate.objects.all()
    }
    seen: set[tuple] = set()
    for line, raw in enumerate(raw_rows, start=2):
        row = {k: (raw.get(k) or "").strip() for k in RATE_COLUMNS}
        item = {"line": line, **row, "action": "", "error": ""}
        try:
            frm = _currency(row["from_currency"], "from_currency")
            to = _currency(row["to_currency"], "to_currency")
            if frm == to:
                raise DomainError(_("Choose two different currencies."))
            rate = _rate(row["rate"])
            try:
                day = datetime.date.fromisoformat(row["valid_from"])
            except ValueError:
                raise DomainError(_("Use a date like 2025-01-31."))
            key = (frm, to, day)
            if key in seen:
                raise DomainError(_("The same currency pair and date appear twice."))
            seen.add(key)
            item.update(from_currency=frm, to_currency=to, rate=rate, valid_from=day)
            if key not in existing:
                item["action"] = "create"
            elif existing[key] != rate:
                item.update(action="update", previous=existing[key])
            else:
                item["action"] = "unchanged"
        except DomainError as exc:
            item.update(action="error", error=exc.message)
        result.rows.append(item)
    if not result.rows:
        raise DomainError(_("The file has no rows."), field="file")
    if dry_run or result.errors:
        return result
    to_write = [r for r in result.rows if r["action"] in ("create", "update")]
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(
                tenant=tenant,
                from_currency=r["from_currency"],
                to_currency=r["to_currency"],
                rate=r["rate"],
                valid_from=r["valid_from"],
                created_by=by,
            )
            for r in to_write
        ],
        update_conflicts=True,
        unique_fields=["tenant", "from_currency", "to_currency", "valid_from"],
        update_fields=["rate", "created_by"],
    )
    log_action(
        "mdf.exchange_rate.imported",
        object_type="mdf.exchangerate",
        after={"created": result.created, "updated": result.updated},
    )
    return result


# --- Expiry and the daily sweep -----------------------------------------------------------

AVAILABLE_SQL = """
    SUM(CASE WHEN e.kind IN ('allocate', 'accrue', 'adjustment', 'release') THEN e.amount
             WHEN e.kind IN ('expiry', 'commit') THEN -e.amount ELSE 0 END)
"""

EXPIRY_SQL = f"""
INSERT INTO mdf_ledgerentry (tenant_id, program_id, partner_id, kind, amount, request_id,
                             claim_id, key, memo, created_at, created_by_id)
SELECT %(tenant)s, %(program)s, e.partner_id, 'expiry', {AVAILABLE_SQL}, NULL, NULL, '',
       %(memo)s, %(now)s, NULL
FROM mdf_ledgerentry e
WHERE e.tenant_id = %(tenant)s AND e.program_id = %(program)s
GROUP BY e.partner_id
HAVING {AVAILABLE_SQL} > 0
RETURNING partner_id, amount
"""  # noqa: S608 - composed from module constants; values are bound parameters

WARNING_SQL = f"""
INSERT INTO mdf_expirywarning (tenant_id, program_id, partner_id, amount, sent_at)
SELECT %(tenant)s, %(program)s, e.partner_id, {AVAILABLE_SQL}, %(now)s
FROM mdf_ledgerentry e
WHERE e.tenant_id = %(tenant)s AND e.program_id = %(program)s
GROUP BY e.partner_id
HAVING {AVAILABLE_SQL} > 0
ON CONFLICT (tenant_id, program_id, partner_id) DO NOTHING
RETURNING id
"""  # noqa: S608 - composed from module constants; values are bound parameters


@transaction.atomic
def program_expire(*, program: Program, today: datetime.date | None = None) -> dict:
    """Expire every partner's available funds in a program whose grace period is over, as
    expiry entries (one INSERT ... SELECT). Idempotent: a second run finds nothing available.
    Commitments stay for the claims still to come; what they release later expires at once."""
    today = today or _today()
    program = _lock_program(program.pk)
    if today < program.expires_on:
        raise DomainError(
            _("The funds of this program expire on %(d)s.") % {"d": program.expires_on}
        )
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            EXPIRY_SQL,
            {
                "tenant": program.tenant_id,
                "program": program.pk,
                "memo": f"Unused funds expired on {program.expires_on.isoformat()}",
                "now": now,
            },
        )
        rows = cur.fetchall()
    total = sum((r[1] for r in rows), ZERO)
    first_time = program.expired_at is None
    if first_time:
        program.expired_at = now
        program.save(update_fields=["expired_at"])
    if rows or first_time:
        log_action(
            "mdf.program.expired", obj=program, after={"partners": len(rows), "total": total}
        )
    return {"partners": len(rows), "total": total}


@transaction.atomic
def program_warn_expiry(*, program: Program) -> int:
    """Record, once per partner with funds left, that its admins are warned; the e-mails go
    out after commit. Returns how many warnings were recorded now."""
    with connection.cursor() as cur:
        cur.execute(
            WARNING_SQL,
            {"tenant": program.tenant_id, "program": program.pk, "now": timezone.now()},
        )
        ids = [r[0] for r in cur.fetchall()]
    from mdf import tasks

    for warning_id in ids:
        dispatch(tasks.notify, tenant=program.tenant, kind="expiry.warning", object_id=warning_id)
    if ids:
        log_action("mdf.program.expiry_warned", obj=program, after={"partners": len(ids)})
    return len(ids)


def mdf_daily(*, tenant, today: datetime.date | None = None) -> dict:
    """The daily sweep of one tenant: accrue running programs, warn partners whose funds
    expire soon, expire programs whose grace period is over. Each step is idempotent."""
    today = today or _today()
    out = {"accrued": 0, "warned": 0, "expired": 0}
    live = Program.objects.filter(expired_at__isnull=True)
    for program in live.filter(start_date__lte=today):
        if today >= program.expires_on:
            program_expire(program=program, today=today)
            out["expired"] += 1
            continue
        try:
            out["accrued"] += program_accrue(program=program)["partners"]
        except DomainError as exc:
            log_action("mdf.allocation.accrual_refused", obj=program, after={"error": exc.message})
        if today >= program.expires_on - datetime.timedelta(days=program.expiry_warning_days):
            out["warned"] += program_warn_expiry(program=program)
    return out


def open_items(partner: Partner) -> list[dict]:
    """For partners.services.OPEN_ITEM_PROVIDERS: MDF work an offboarded partner leaves."""
    items = []
    for req in FundRequest.objects.filter(
        partner=partner,
        status__in=[RequestStatus.SUBMITTED, RequestStatus.RETURNED, RequestStatus.APPROVED],
    )[:50]:
        items.append(
            {"kind": _("MDF request"), "label": str(req), "url": f"/mdf/requests/{req.pk}/"}
        )
    for claim in Claim.objects.filter(
        partner=partner,
        status__in=[
            ClaimStatus.SUBMITTED,
            ClaimStatus.INFO_REQUESTED,
            ClaimStatus.SECOND_APPROVAL,
            ClaimStatus.APPROVED,
        ],
    ).select_related("request")[:50]:
        items.append(
            {"kind": _("MDF claim"), "label": str(claim), "url": f"/mdf/claims/{claim.pk}/"}
        )
    return items
