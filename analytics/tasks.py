"""Celery: nightly health snapshots and rollups per tenant, on-demand recomputes, at-risk
notifications and business-review PDFs. Each task loads by id, enters the tenant (TenantTask)
and calls one service."""

from __future__ import annotations

from celery import shared_task

from analytics import reviews, services
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="analytics.nightly", time_limit=600, soft_time_limit=540)
def nightly(*, tenant) -> int:
    """Today's health snapshots, then the quarterly rollups of partners whose data changed
    (both idempotent)."""
    scored = services.health_compute(tenant=tenant)
    services.rollups_refresh(tenant=tenant)
    return scored


@shared_task(name="analytics.nightly_all", time_limit=60)
def nightly_all() -> int:
    return for_each_tenant(nightly)


@shared_task(base=TenantTask, name="analytics.run_rollups", time_limit=600, soft_time_limit=540)
def run_rollups(*, tenant, run_id: int) -> int:
    run = services.rollup_run_execute(tenant=tenant, run_id=run_id)
    return run.rows if run else 0


@shared_task(base=TenantTask, name="analytics.refresh_rollups", time_limit=300, soft_time_limit=270)
def refresh_rollups(*, tenant) -> int:
    """The rollups of the partners whose inputs changed since the last refresh."""
    return services.rollups_refresh_changed(tenant=tenant)


@shared_task(
    base=TenantTask, name="analytics.refresh_rollups_sweep", time_limit=300, soft_time_limit=270
)
def refresh_rollups_sweep(*, tenant) -> int:
    """Refresh marks whose task was lost."""
    return services.rollups_refresh_sweep(tenant=tenant)


@shared_task(name="analytics.refresh_rollups_sweep_all", time_limit=60)
def refresh_rollups_sweep_all() -> int:
    return for_each_tenant(refresh_rollups_sweep)


@shared_task(base=TenantTask, name="analytics.notify_at_risk", time_limit=60)
def notify_at_risk(*, tenant, episode_id: int) -> bool:
    return services.at_risk_notify(tenant=tenant, episode_id=episode_id)


@shared_task(base=TenantTask, name="analytics.build_review", time_limit=300, soft_time_limit=270)
def build_review(*, tenant, review_id: int) -> bool:
    return reviews.review_build(tenant=tenant, review_id=review_id)
