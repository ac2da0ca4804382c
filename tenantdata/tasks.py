"""Celery tasks of tenant data. Their names keep the `prm.` prefix they had in the core, so
messages queued before the move still find them.

The whole-tenant export and deletion are not TenantTasks on purpose: those run the whole call
in one transaction, while these commit step by step (export progress, deletion batches) and
enter the tenant themselves. A person's export is an ordinary TenantTask."""

from __future__ import annotations

from celery import shared_task

from prm.audit import audit_context
from prm.models import Tenant
from prm.tasks import TenantTask
from prm.tenancy import system_context
from tenantdata import privacy, services


@shared_task(
    name="prm.tenant_data.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=3600,
)
def build_tenant_export(*, tenant_id: int, export_id: int) -> None:
    with audit_context(actor_label="task:prm.tenant_data.build_export"):
        services.export_build(tenant_id=tenant_id, export_id=export_id)


@shared_task(
    name="prm.tenant_data.sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=3600,
)
def sweep_tenant(*, tenant_id: int) -> None:
    with audit_context(actor_label="task:prm.tenant_data.sweep"):
        services.sweep(tenant_id=tenant_id)


@shared_task(name="prm.tenant_data.sweep_all", time_limit=60)
def sweep_all() -> int:
    """Hourly (beat): one sweep per tenant, each entering its own tenant."""
    with system_context():
        # Inactive tenants too: a deletion that was interrupted must be able to finish.
        ids = list(Tenant.objects.values_list("pk", flat=True))
    for tenant_id in ids:
        sweep_tenant.delay(tenant_id=tenant_id)
    return len(ids)


@shared_task(base=TenantTask, name="prm.privacy.build_personal_export", time_limit=300)
def build_personal_export(*, tenant, member_id: int, token: str) -> None:
    privacy.export_build(member_id=member_id, token=token)
