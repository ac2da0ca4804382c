"""Celery tasks of account mapping: the overlap computation (accountmap.overlaps). Each
task re-enters its tenant (TenantTask) and runs one set-based statement; re-running one
gives the same overlaps (the statement inserts what is missing and deletes what no longer
matches), so they are safe to redeliver."""

from __future__ import annotations

from celery import shared_task

from accountmap import overlaps
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="accountmap.overlaps_refresh", time_limit=300)
def overlaps_refresh(*, tenant, partner_id: int | None, account_ids: list[int]) -> int:
    """The overlaps of the accounts a write changed (queued after its commit)."""
    return overlaps.overlaps_compute_changed(tenant, partner_id, account_ids).created_count


@shared_task(base=TenantTask, name="accountmap.overlaps_partner", time_limit=300)
def overlaps_partner(*, tenant, partner_id: int) -> int:
    return overlaps.overlaps_compute_partner(tenant, partner_id).created_count


@shared_task(base=TenantTask, name="accountmap.overlaps_full", time_limit=1800)
def overlaps_full(*, tenant) -> int:
    return overlaps.overlaps_compute_full(tenant).created_count


@shared_task(name="accountmap.overlaps_full_all", time_limit=60)
def overlaps_full_all() -> int:
    """The nightly full run: one task per tenant."""
    return for_each_tenant(overlaps_full)
