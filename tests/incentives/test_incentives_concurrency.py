"""No double approval under concurrency: many requests approving the same lines at the same
moment (each thread its own connection and transaction, as parallel requests) write one
approval per line."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from incentives import services
from incentives.models import Earning, LedgerEntry
from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.conftest import build_world
from tests.incentives.test_incentives_support import compute, program, won_deal

THREADS = 12


@pytest.fixture
def setup(transactional_db):
    world = build_world("race")
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        ids = [compute(won_deal(world, amount="1000"))[0].pk for _ in range(3)]
    return world, ids


def _parallel(world, fn, n):
    barrier = threading.Barrier(n)
    results: list[str] = []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            with tenant_context(world.tenant):
                fn(i)
            results.append("ok")
        except DomainError:
            results.append("refused")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_parallel_single_approvals_of_one_line_write_one_approval(setup):
    world, ids = setup

    def approve(_i):
        services.earning_approve(earning=Earning.objects.get(pk=ids[0]), by=world.admin)

    results = _parallel(world, approve, THREADS)
    assert sorted(results) == ["ok"] + ["refused"] * (THREADS - 1)
    with tenant_context(world.tenant):
        assert LedgerEntry.objects.filter(earning_id=ids[0], kind="approve").count() == 2


def test_parallel_bulk_approvals_approve_each_line_once(setup):
    world, ids = setup
    approved: list[int] = []

    def approve(i):
        who = world.admin if i % 2 else world.channel_manager
        result = services.earnings_approve(ids=list(reversed(ids)) if i % 2 else ids, by=who)
        approved.extend(result["approved"])

    results = _parallel(world, approve, THREADS)
    assert results == ["ok"] * THREADS
    assert sorted(approved) == sorted(ids)  # each line approved by exactly one request
    with tenant_context(world.tenant):
        for pk in ids:
            entries = LedgerEntry.objects.filter(earning_id=pk, bucket="approved")
            assert [e.amount for e in entries] == [Decimal("100.00")]
