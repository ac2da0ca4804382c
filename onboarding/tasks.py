"""Celery tasks of onboarding: the reminder sweep (beat) fans out one task per tenant."""

from __future__ import annotations

from celery import shared_task

from onboarding.services import reminders_send
from prm.models import Tenant
from prm.tasks import TenantTask
from prm.tenancy import system_context


@shared_task(base=TenantTask, name="onboarding.send_reminders", time_limit=300)
def send_reminders(*, tenant) -> int:
    """Idempotent: each step records its reminder, and a re-run skips reminded steps."""
    return reminders_send(tenant=tenant)


@shared_task(name="onboarding.send_reminders_all", time_limit=60)
def send_reminders_all() -> int:
    """Cross-tenant sweep: one reminder task per active tenant, each inside its tenant."""
    with system_context():
        ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in ids:
        send_reminders.delay(tenant_id=tenant_id)
    return len(ids)
