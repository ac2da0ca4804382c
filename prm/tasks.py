"""Celery plumbing shared by every app: the tenant task base class and after-commit dispatch.

Tasks take ids (never model instances), re-enter the tenant with `tenant_context()` (the same
helper requests use), call one service, and must be safe to run twice: `acks_late` plus
`reject_on_worker_lost` means a task whose worker died is delivered again.
"""

from __future__ import annotations

import datetime
import logging

from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from prm import history
from prm.audit import audit_context
from prm.models import IdempotencyRecord, Tenant
from prm.tenancy import system_context, tenant_context

log = logging.getLogger(__name__)


class TenantTask(Task):
    """Base for tasks working inside one tenant. Call with `tenant_id=` as a keyword."""

    abstract = True
    typing = False  # callers pass tenant_id; the task function receives tenant
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        tenant_id = kwargs.pop("tenant_id")
        seeded = kwargs.pop(history.HISTORY_KEY, False)
        with system_context():
            tenant = Tenant.objects.get(pk=tenant_id)
        with audit_context(actor_label=f"task:{self.name}"), tenant_context(tenant):
            if seeded:
                # Queued while a tenant's history was seeded: what this run sets off is
                # history too (see prm.history).
                with history.replaying():
                    return super().__call__(*args, tenant=tenant, **kwargs)
            return super().__call__(*args, tenant=tenant, **kwargs)


def dispatch(task, *, tenant=None, countdown: int | None = None, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once if there is none).

    Nothing is queued for work that was rolled back, and a worker never looks for rows that
    are not yet visible."""
    if tenant is not None:
        kwargs["tenant_id"] = tenant.pk
    if history.is_history() and isinstance(task, TenantTask):
        kwargs[history.HISTORY_KEY] = True

    transaction.on_commit(lambda: _queue(task, kwargs, countdown))


def _queue(task, kwargs: dict, countdown: int | None = None) -> None:
    """Send one message (after the commit: the rows it names are there)."""
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown)
    except (KombuOperationalError, ConnectionError, OSError):
        # Broker down: the row is committed; the scheduled sweeps pick the work up later.
        log.exception("could not queue %s", task.name)


class _Batch:
    """The items `dispatch_batched` collected for one task and tenant in one transaction (or
    savepoint), sent once it commits."""

    def __init__(self, task, tenant_id: int, size: int, weight):
        self.task, self.tenant_id, self.size, self.weight = task, tenant_id, size, weight
        self.items: list = []

    def matches(self, task, tenant_id: int) -> bool:
        return self.task is task and self.tenant_id == tenant_id

    def chunks(self) -> list[list]:
        """The items in order, cut after each `size` units of weight."""
        out: list[list] = []
        chunk: list = []
        load = 0
        for item in self.items:
            chunk.append(item)
            load += self.weight(item)
            if load >= self.size:
                out.append(chunk)
                chunk, load = [], 0
        if chunk:
            out.append(chunk)
        return out

    def __call__(self) -> None:
        for chunk in self.chunks():
            _queue(self.task, {"tenant_id": self.tenant_id, "items": chunk})


def dispatch_batched(task, *, tenant_id: int, item, size: int = 1000, weight=None) -> None:
    """Like `dispatch`, for work that comes as many small items in one transaction (a full
    computation announcing its results partner by partner): the items are collected and
    queued after the commit as `task(tenant_id=..., items=[...])`, a message per `size`
    units of `weight(item)` (1 per item by default), instead of one message each.

    Items added inside a savepoint are kept apart from those added outside it, so a savepoint
    that rolls back takes its items with it (Django drops its on-commit callbacks)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        savepoints = set(connection.savepoint_ids)
        for ids, func, _robust in reversed(connection.run_on_commit):
            if (
                isinstance(func, _Batch)
                and set(ids) == savepoints
                and func.matches(task, tenant_id)
            ):
                func.items.append(item)
                return
    batch = _Batch(task, tenant_id, size, weight or (lambda _item: 1))
    batch.items.append(item)
    transaction.on_commit(batch)


HEARTBEAT_KEY = "prm:worker-heartbeat"


@shared_task(name="prm.tasks.heartbeat", ignore_result=True, time_limit=30)
def heartbeat() -> str:
    """Beat sends this; a worker runs it. /healthz reads the time it last ran."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=300)
    return now


def for_each_tenant(task) -> int:
    """A cross-tenant sweep: queue `task` once per active tenant (each run enters its own
    tenant through TenantTask) and return how many were queued."""
    with system_context():
        ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in ids:
        task.delay(tenant_id=tenant_id)
    return len(ids)


@shared_task(name="prm.tasks.ping", ignore_result=False, time_limit=10)
def ping() -> str:
    return "pong"


@shared_task(base=TenantTask, name="prm.tasks.purge_idempotency_records", time_limit=120)
def purge_idempotency_records(*, tenant) -> int:
    cutoff = timezone.now() - datetime.timedelta(hours=settings.PRM_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(name="prm.tasks.purge_idempotency_records_all", time_limit=60)
def purge_idempotency_records_all() -> int:
    """Cross-tenant sweep: one task per tenant, each inside its own tenant."""
    return for_each_tenant(purge_idempotency_records)
