"""Celery tasks of onboarding: the reminder sweep (beat) fans out one task per tenant."""

from __future__ import annotations

from celery import shared_task

from onboarding.services import reminders_send
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="onboarding.send_reminders", time_limit=300)
def send_reminders(*, tenant) -> int:
    """Idempotent: each step records its reminder, and a re-run skips reminded steps."""
    return reminders_send(tenant=tenant)


@shared_task(name="onboarding.send_reminders_all", time_limit=60)
def send_reminders_all() -> int:
    """Cross-tenant sweep: one reminder task per active tenant, each inside its tenant."""
    return for_each_tenant(send_reminders)
