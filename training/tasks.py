"""Celery tasks of training: the daily certificate sweep (beat) fans out one task per tenant.

Celery's autodiscovery finds this module (`<app>.tasks`); the task names stay
`training.sweep_certificates[_all]`, as beat (prm/celery.py) names them."""

from __future__ import annotations

from celery import shared_task

from prm.tasks import TenantTask, for_each_tenant
from training.services import certificates_sweep


@shared_task(base=TenantTask, name="training.sweep_certificates", time_limit=600)
def sweep_certificates(*, tenant) -> dict:
    """Expire, remind, recompute certified people. Idempotent: expired certificates are no
    longer active, and every notice is recorded under a unique key before it is sent."""
    return certificates_sweep(tenant=tenant)


@shared_task(name="training.sweep_certificates_all", time_limit=60)
def sweep_certificates_all() -> int:
    """Cross-tenant sweep: one task per active tenant, each inside its own tenant."""
    return for_each_tenant(sweep_certificates)
