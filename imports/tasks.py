"""Celery task for CSV import jobs. Its name is the one it had in the core, so queued
messages and routes keep working."""

from __future__ import annotations

from celery import shared_task

from imports.services import import_job_run_batch
from prm.tasks import TenantTask, dispatch


@shared_task(base=TenantTask, name="prm.imports.run_batch", time_limit=300)
def run_import_batch(*, tenant, job_id: int, offset: int) -> int | None:
    """Write one batch in this task's transaction, then queue the next batch after commit,
    so progress is visible between batches and a redelivered batch is a no-op."""
    next_offset = import_job_run_batch(job_id=job_id, offset=offset)
    if next_offset is not None:
        dispatch(run_import_batch, tenant=tenant, job_id=job_id, offset=next_offset)
    return next_offset
