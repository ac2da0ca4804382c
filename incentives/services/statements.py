"""Monthly statements (issue #20, item 4): each partner's month per currency, from the
ledger alone. The outstanding balance is what the partner is owed and not yet paid: the
sum of the held, pending and approved buckets. Opening is that sum before the month,
closing at its end; earned, approved, paid and reversed are the month's moves into those
buckets (a clawback is a negative approval).

All partners of a month are written by one aggregate query, read as a stream (a server-side
cursor, `iterator()`) and written back in chunks: memory holds one chunk, whatever the number
of partners."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import Bucket, LedgerEntry, LedgerKind
from incentives.models_payouts import Statement
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import Member
from prm.roles import require_perm

OUTSTANDING = [Bucket.HELD, Bucket.PENDING, Bucket.APPROVED]
CHUNK = 1000
FIGURES = ["opening", "earned", "approved", "paid", "reversed", "closing"]


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first instant and the next month's, in the tenant's time zone."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    return start, datetime.datetime.combine(following, datetime.time.min, tzinfo=tz)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    first = (today or timezone.localdate()).replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def statement_figures(month: datetime.date, *, partner_id: int | None = None):
    """(partner id, currency, figures...) of every partner with a balance or a move in the
    month, ordered by partner and currency, as a stream."""
    start, end = month_bounds(month)
    in_month = Q(created_at__gte=start)
    qs = LedgerEntry.objects.filter(created_at__lt=end)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return (
        qs.values("partner_id", "currency")
        .annotate(
            opening=Sum("amount", filter=Q(created_at__lt=start, bucket__in=OUTSTANDING)),
            closing=Sum("amount", filter=Q(bucket__in=OUTSTANDING)),
            earned=Sum("amount", filter=in_month & Q(kind=LedgerKind.EARN)),
            approved=Sum(
                "amount",
                filter=in_month & Q(kind=LedgerKind.APPROVE, bucket=Bucket.APPROVED),
            ),
            paid=Sum("amount", filter=in_month & Q(kind=LedgerKind.PAY, bucket=Bucket.PAID)),
            reversed=Sum(
                "amount",
                filter=in_month & Q(kind=LedgerKind.REVERSE, bucket=Bucket.REVERSED),
            ),
            moves=Count("id", filter=in_month),
        )
        .order_by("partner_id", "currency")
        .iterator(chunk_size=CHUNK)
    )


def _write(tenant_id: int, month: datetime.date, rows: list[Statement]) -> None:
    Statement.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "partner", "month", "currency"],
        update_fields=[*FIGURES, "generated_at"],
    )


def statements_generate(
    *, tenant, month: datetime.date, by: Member | None = None, partner_id: int | None = None
) -> int:
    """Write (or rewrite) the statements of `month` for every partner (or one), each chunk in
    its own transaction. Returns how many were written. A month not yet over is refused."""
    if by is not None:
        require_perm(by, "incentives.payouts")
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise DomainError(_("Statements are for months that have begun."), field="month")
    now = timezone.now()
    written, chunk = 0, []
    with transaction.atomic():
        for row in statement_figures(month, partner_id=partner_id):
            figures = {k: row[k] or 0 for k in FIGURES}
            if not row["moves"] and not figures["opening"]:
                continue
            chunk.append(
                Statement(
                    tenant_id=tenant.pk,
                    partner_id=row["partner_id"],
                    month=month,
                    currency=row["currency"],
                    generated_at=now,
                    **figures,
                )
            )
            if len(chunk) >= CHUNK:
                _write(tenant.pk, month, chunk)
                written, chunk = written + len(chunk), []
        if chunk:
            _write(tenant.pk, month, chunk)
            written += len(chunk)
        log_action(
            "statements.generated",
            tenant=tenant,
            object_type="incentives.statement",
            object_label=f"{month:%Y-%m}",
            after={"month": month, "statements": written, "partner": partner_id},
        )
    return written


def statements_request(*, tenant, month: datetime.date, by: Member) -> datetime.date:
    """Staff ask for a month's statements now: audited, then written by one Celery run."""
    # local: incentives.tasks_payouts imports this module (the task calls statements_generate)
    from incentives import tasks_payouts
    from prm.tasks import dispatch

    require_perm(by, "incentives.payouts")
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise DomainError(_("Statements are for months that have begun."), field="month")
    log_action(
        "statements.requested",
        tenant=tenant,
        object_type="incentives.statement",
        object_label=f"{month:%Y-%m}",
        after={"month": month},
    )
    dispatch(tasks_payouts.statements_month, tenant=tenant, month=month.isoformat())
    return month
