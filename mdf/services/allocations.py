"""Allocations: manual, by tier, accrual."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mdf import selectors
from mdf.models import (
    LedgerEntry,
    LedgerKind,
    Program,
)
from mdf.services._common import (
    ZERO,
    _check_budget,
    _entry,
    _lock_program,
    _queue,
    _require,
    local_today,
    parse_money,
    program_is_open_for_funds,
)
from partners.models import Partner
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import Member

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
    amount = parse_money(amount, field="amount", allow_negative=True)
    program = _lock_program(program.pk)
    program_is_open_for_funds(program, local_today())
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
    program_is_open_for_funds(program, local_today())
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
    program_is_open_for_funds(program, local_today())
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


def program_queue_accrual(*, program: Program, by: Member) -> None:
    """Queue the accrual of one program now (portal and API); the task runs program_accrue."""
    # local: mdf.tasks imports mdf.services, and so this module
    from mdf import tasks

    _require(by, "mdf.admin")
    log_action("mdf.allocation.accrual_queued", obj=program)
    _queue(tasks.accrue_program, tenant=program.tenant, program_id=program.pk)
