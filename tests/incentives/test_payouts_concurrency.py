"""No double payment under concurrency: a hundred requests preparing, approving and marking
paid the same payouts at the same moment (20 threads, each its own connection, one
transaction per attempt, released together at a barrier) pay each earning once."""

from __future__ import annotations

import datetime
import queue
import threading
from decimal import Decimal

from django.db import connection

from incentives.models import Earning, LedgerEntry
from incentives.models_payouts import PayoutBatch, PayoutItem, PayoutSettings
from incentives.services import payouts
from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.conftest import build_world
from tests.incentives.payouts_support import approved_lines, payee
from tests.incentives.test_incentives_support import program

ATTEMPTS = 100
CONNECTIONS = 20  # PostgreSQL's 100 connections are shared with the suite and the workers


def _race(world, attempt) -> list[str]:
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(ATTEMPTS):
        todo.put(i)
    barrier = threading.Barrier(CONNECTIONS)
    results: list[str] = []

    def worker():
        try:
            barrier.wait(timeout=30)
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    with tenant_context(world.tenant):
                        attempt(i)
                    results.append("ok")
                except DomainError:
                    results.append("refused")
                except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                    results.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return sorted(results)


def test_a_hundred_parallel_preparations_approvals_and_payments_pay_each_earning_once(
    transactional_db,
):
    world = build_world("payrace")
    with tenant_context(world.tenant):
        payee(world)
        PayoutSettings.objects.create(tenant=world.tenant, second_approval_above=Decimal("100"))
        prog = program(world, rules={"sourced_rate": "10"}, clawback_days=0, currency="EUR")
        ids = [e.pk for e in approved_lines(world, amounts=["1000"] * 5, prog=prog)]
    today = datetime.date.today()

    # 1. A hundred batches prepared at once: one gets every earning, the others find none.
    def prepare(_i):
        payouts.batch_create(tenant=world.tenant, by=world.admin, currency="EUR", period_end=today)

    prepared = _race(world, prepare)
    assert prepared == ["ok"] + ["refused"] * (ATTEMPTS - 1), set(prepared)
    with tenant_context(world.tenant):
        batch = PayoutBatch.objects.get()
        assert batch.total == Decimal("500.00") and batch.needs_second_approval

    # 2. A hundred approvals at once, first and second mixed: one of each goes through.
    def approve(i):
        b = PayoutBatch.objects.get(pk=batch.pk)
        if i % 2:
            payouts.batch_approve(batch=b, by=world.channel_manager)
        else:
            payouts.batch_approve_second(batch=b, by=world.admin)

    approved = _race(world, approve)
    assert approved.count("ok") in (1, 2) and not [r for r in approved if "error" in r]
    with tenant_context(world.tenant):
        b = PayoutBatch.objects.get(pk=batch.pk)
        if b.status != "approved":  # every second approval came before the first
            payouts.batch_approve_second(batch=b, by=world.admin)
        b.refresh_from_db()
        assert b.status == "approved"
        assert (b.approved_by_id, b.second_approved_by_id) == (
            world.channel_manager.pk,
            world.admin.pk,
        )

    # 3. A hundred "mark paid" at once: one pays, each earning once on the ledger.
    def pay(i):
        payouts.batch_mark_paid(
            batch=PayoutBatch.objects.get(pk=batch.pk), by=world.admin, reference=f"BANK-{i}"
        )

    paid = _race(world, pay)
    assert paid == ["ok"] + ["refused"] * (ATTEMPTS - 1), set(paid)
    with tenant_context(world.tenant):
        assert set(Earning.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"paid"}
        for pk in ids:
            moves = LedgerEntry.objects.filter(earning_id=pk, kind="pay")
            assert sorted(moves.values_list("bucket", flat=True)) == ["approved", "paid"]
        assert PayoutItem.objects.filter(active=True).count() == len(ids)
        assert PayoutBatch.objects.get(pk=batch.pk).status == "paid"
