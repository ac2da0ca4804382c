"""Helpers for tests of CSV imports (prm.imports): upload through the portal, then run the
job's batches in the test's own transaction (the worker test runs them in Celery)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services as imports
from imports.models import ImportJob
from prm.tenancy import tenant_context
from tests.conftest import portal_client


def upload(world, member, kind: str, content: str | bytes, name: str = "rows.csv"):
    """POST the file to the upload page; returns (response, job or None)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    client = portal_client(world.tenant, member)
    resp = client.post(f"/imports/{kind}/", {"file": SimpleUploadedFile(name, data)})
    job = None
    if resp.status_code == 302:
        with tenant_context(world.tenant):
            job = ImportJob.objects.get(pk=int(resp["Location"].rstrip("/").rsplit("/", 1)[1]))
    return resp, job


def start_and_run(world, member, job) -> ImportJob:
    """Start the job through the portal and run every batch here, as the task would."""
    resp = portal_client(world.tenant, member).post(f"/imports/jobs/{job.pk}/start/")
    assert resp.status_code == 302
    offset = 0
    with tenant_context(world.tenant):
        while offset is not None:
            offset = imports.import_job_run_batch(job_id=job.pk, offset=offset)
        return ImportJob.objects.get(pk=job.pk)


def import_csv(world, member, kind: str, content: str | bytes) -> ImportJob:
    resp, job = upload(world, member, kind, content)
    assert job is not None, resp.content.decode()[:2000]
    return start_and_run(world, member, job)
