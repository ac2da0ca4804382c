"""Celery tasks of payouts: the monthly statements of every partner (beat, on the 1st for the
month before; staff may ask for any begun month), one run per tenant."""

from __future__ import annotations

import datetime

from celery import shared_task

from incentives.services.statements import previous_month, statements_generate
from prm.tasks import TenantTask, for_each_tenant


@shared_task(
    base=TenantTask, name="incentives.statements_month", time_limit=3600, soft_time_limit=3500
)
def statements_month(*, tenant, month: str | None = None) -> int:
    day = datetime.date.fromisoformat(month) if month else previous_month()
    return statements_generate(tenant=tenant, month=day)


@shared_task(name="incentives.statements_all", time_limit=60)
def statements_all() -> int:
    """Beat, monthly: last month's statements, one task per active tenant."""
    return for_each_tenant(statements_month)
