"""The relay's Celery tasks. Their names predate the app (`prm.webhooks.*`) and are kept, so
the beat entry (prm/celery.py), the queue route (settings: `prm.webhooks.*` goes to the
`integrations` queue) and messages already queued still resolve."""

from __future__ import annotations

from celery import shared_task

from integrations.relay import relay_tenant
from integrations.services import RELAY_ALL_TASK, RELAY_TENANT_TASK
from prm.models import Tenant
from prm.tenancy import system_context


@shared_task(name=RELAY_ALL_TASK, ignore_result=True, time_limit=300, soft_time_limit=240)
def relay_all() -> int:
    """Beat, every 10 s: each active tenant in turn, inside its own tenant context."""
    with system_context():
        ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    attempts = 0
    for tenant_id in ids:
        with system_context():
            tenant = Tenant.objects.get(pk=tenant_id)
        attempts += relay_tenant(tenant=tenant)["attempts"]
    return attempts


@shared_task(name=RELAY_TENANT_TASK, ignore_result=True, time_limit=300)
def relay_tenant_task(*, tenant_id: int) -> None:
    with system_context():
        tenant = Tenant.objects.get(pk=tenant_id)
    relay_tenant(tenant=tenant)
