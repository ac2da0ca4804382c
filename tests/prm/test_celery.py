"""Celery through a real worker process (connected as the app role, like production)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from prm.models import IdempotencyRecord
from prm.tasks import dispatch, purge_idempotency_records
from prm.tenancy import tenant_context
from tests.conftest import build_world, host_of, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def _old_record(world, key):
    with tenant_context(world.tenant):
        rec = IdempotencyRecord.objects.create(
            tenant=world.tenant,
            member=world.admin,
            key=key,
            method="POST",
            path="/x",
            request_hash="h",
            status_code=201,
            response_body={},
        )
        IdempotencyRecord.objects.filter(pk=rec.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=3)
        )
    return rec


def _exists(world, pk) -> bool:
    with tenant_context(world.tenant):
        return IdempotencyRecord.objects.filter(pk=pk).exists()


def test_tenant_task_runs_in_the_worker_inside_its_tenant(celery_worker):
    alpha, beta = build_world("wa"), build_world("wb")
    a_rec, b_rec = _old_record(alpha, "a"), _old_record(beta, "b")
    with tenant_context(alpha.tenant):
        dispatch(purge_idempotency_records, tenant=alpha.tenant)
    wait_for(lambda: not _exists(alpha, a_rec.pk))
    assert _exists(beta, b_rec.pk), "a task for tenant A touched tenant B"


def test_nothing_is_queued_when_the_transaction_rolls_back(celery_worker):
    world = build_world("wr")
    rec = _old_record(world, "r")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        dispatch(purge_idempotency_records, tenant=world.tenant)
        raise Boom
    # Give a wrongly queued task ample time to run (the worker takes ~0.1 s per task).
    time.sleep(2)
    assert _exists(world, rec.pk)
    # A later, committed dispatch proves the worker was alive all along.
    with tenant_context(world.tenant):
        dispatch(purge_idempotency_records, tenant=world.tenant)
    wait_for(lambda: not _exists(world, rec.pk))


def test_healthz_reports_database_redis_and_a_live_worker(celery_worker):
    resp = Client(HTTP_HOST="localhost").get("/healthz")
    body = resp.json()
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}
    assert resp.status_code == 200


def test_healthz_on_a_tenant_host(celery_worker):
    world = build_world("wh")
    assert Client(HTTP_HOST=host_of(world.tenant)).get("/healthz").status_code == 200
