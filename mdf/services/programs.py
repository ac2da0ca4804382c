"""Programs and their activity rules."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mdf.models import (
    ActivityRule,
    ActivityType,
    Period,
    Program,
    ProofKind,
)
from mdf.services._common import (
    _allocated_total,
    _lock_program,
    _require,
    parse_money,
)
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError
from prm.models import Member

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
        budget=parse_money(budget, field="budget", allow_zero=True),
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
        program.budget = parse_money(program.budget, field="budget", allow_zero=True)
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
