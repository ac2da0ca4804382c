"""Expiry of unused funds, the daily sweep, open items of an offboarded partner."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mdf.models import (
    Claim,
    ClaimStatus,
    FundRequest,
    Program,
    RequestStatus,
)
from mdf.services._common import (
    ZERO,
    _lock_program,
    _queue,
    local_today,
)
from mdf.services.allocations import program_accrue
from partners.models import Partner
from prm.audit import log_action
from prm.errors import DomainError

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
    today = today or local_today()
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
    # local: mdf.tasks imports mdf.services, and so this module
    from mdf import tasks

    for warning_id in ids:
        _queue(tasks.notify, tenant=program.tenant, kind="expiry.warning", object_id=warning_id)
    if ids:
        log_action("mdf.program.expiry_warned", obj=program, after={"partners": len(ids)})
    return len(ids)


def mdf_daily(*, tenant, today: datetime.date | None = None) -> dict:
    """The daily sweep of one tenant: accrue running programs, warn partners whose funds
    expire soon, expire programs whose grace period is over. Each step is idempotent."""
    today = today or local_today()
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
