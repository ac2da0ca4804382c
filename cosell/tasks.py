"""Celery tasks of shared opportunities: the daily reminder of tasks coming due."""

from __future__ import annotations

from celery import shared_task

from cosell.services import task_reminders_send
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="cosell.send_task_reminders", time_limit=300)
def send_task_reminders(*, tenant) -> int:
    """Idempotent: each task records the due date it was reminded of, and a re-run skips it."""
    return task_reminders_send()


@shared_task(name="cosell.send_task_reminders_all", time_limit=60)
def send_task_reminders_all() -> int:
    """Cross-tenant sweep: one reminder task per active tenant, each inside its tenant."""
    return for_each_tenant(send_task_reminders)
