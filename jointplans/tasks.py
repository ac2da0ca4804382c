"""Celery tasks of joint business plans: the daily sweep (start plans whose period has begun,
remind both sides of review dates). Each re-enters its tenant and calls services; each is
safe to run twice (a reminder is claimed by its unique row before it is sent)."""

from __future__ import annotations

from celery import shared_task

from jointplans import services
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="jointplans.daily", time_limit=300, soft_time_limit=270)
def daily(*, tenant) -> dict:
    return {
        "started": services.plans_start_due(tenant=tenant),
        "reminded": services.reminders_send(tenant=tenant),
    }


@shared_task(name="jointplans.daily_all", time_limit=60)
def daily_all() -> int:
    """Beat, once a day: one sweep per active tenant."""
    return for_each_tenant(daily)
