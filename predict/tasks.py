"""Celery tasks of predictive models: training (weekly by beat, and when an admin asks) and
scoring. Each re-enters its tenant and calls one service."""

from __future__ import annotations

from celery import shared_task

from predict import services
from predict.models import Task
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="predict.train", time_limit=900, soft_time_limit=840)
def train(*, tenant, kind: str, requested_by: int | None = None) -> dict:
    model = services.model_train(tenant=tenant, task=kind, requested_by_id=requested_by)
    return {"model": model.pk, "status": model.status}


@shared_task(base=TenantTask, name="predict.train_tenant", time_limit=1800)
def train_tenant(*, tenant) -> int:
    for task in Task.values:
        services.model_train(tenant=tenant, task=task)
    return len(Task.values)


@shared_task(name="predict.train_all", time_limit=60)
def train_all() -> int:
    """Beat, weekly: train every task's model for each active tenant."""
    return for_each_tenant(train_tenant)


@shared_task(base=TenantTask, name="predict.score_tenant", time_limit=900)
def score_tenant(*, tenant) -> int:
    return sum(services.scores_refresh(tenant=tenant, task=task) for task in Task.values)


@shared_task(name="predict.score_all", time_limit=60)
def score_all() -> int:
    """Beat, nightly: rescore with each tenant's active models."""
    return for_each_tenant(score_tenant)
