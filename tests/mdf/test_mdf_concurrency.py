"""Funds cannot be over-committed, even by approvals running at the same moment: each thread
has its own database connection and transaction, as parallel requests would."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from mdf import selectors, services
from mdf.models import FundRequest, LedgerEntry
from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.conftest import build_world
from tests.mdf.test_mdf_support import make_program, request_fields

THREADS = 8


@pytest.fixture
def setup(transactional_db):
    world = build_world("race")
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("3000"), by=None
        )
        ids = [
            services.request_submit(
                program=program, by=world.partner_admin, **request_fields(program)
            ).pk
            for _ in range(THREADS)
        ]
    return world, program, ids


def _run_in_parallel(world, fn, ids):
    barrier = threading.Barrier(len(ids))
    results: dict[int, str] = {}

    def worker(pk):
        try:
            barrier.wait(timeout=10)
            with tenant_context(world.tenant):
                fn(pk)
            results[pk] = "ok"
        except DomainError:
            results[pk] = "refused"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[pk] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_parallel_approvals_never_commit_more_than_is_available(setup, monkeypatch):
    world, program, ids = setup
    original = selectors.available

    def slow_available(**kwargs):
        # Widen the window between reading the balance and writing the commitment, so that
        # without the lock every thread would read 3,000 available and all would succeed.
        value = original(**kwargs)
        threading.Event().wait(0.05)
        return value

    monkeypatch.setattr(selectors, "available", slow_available)

    def approve(pk):
        req = FundRequest.objects.get(pk=pk)
        services.request_transition(request=req, to="approved", by=world.channel_manager)

    results = _run_in_parallel(world, approve, ids)

    assert sorted(results.values()) == ["ok"] * 3 + ["refused"] * (THREADS - 3), results
    with tenant_context(world.tenant):
        balance = selectors.balance_for(program=program, partner=world.partner)
        assert balance["committed"] == Decimal("3000")
        assert balance["available"] == Decimal("0")
        assert LedgerEntry.objects.filter(kind="commit").count() == 3
        approved = FundRequest.objects.filter(status="approved")
        assert approved.count() == 3
        assert len(set(approved.values_list("campaign_code", flat=True))) == 3


def test_parallel_partial_approvals_fill_the_balance_exactly(setup):
    world, program, ids = setup

    def approve(pk):
        req = FundRequest.objects.get(pk=pk)
        services.request_transition(
            request=req, to="approved", by=world.channel_manager, amount="750"
        )

    results = _run_in_parallel(world, approve, ids)

    assert list(results.values()).count("ok") == 4, results
    with tenant_context(world.tenant):
        assert selectors.available(program_id=program.pk, partner_id=world.partner.pk) == 0


# --- 100 approvals against one allocation ---------------------------------------------------

APPROVALS = 100
# Connections at once: PostgreSQL's max_connections (100) is shared with the rest of the
# suite and the workers, so 100 approvals are run by 20 threads, each with its own connection
# and one transaction per approval, all released together at a barrier.
CONNECTIONS = 20


def test_a_hundred_parallel_approvals_never_overspend_and_the_ledger_balances(
    transactional_db,
):
    import queue

    from prm.models import AuditEvent

    world = build_world("race100")
    with tenant_context(world.tenant):
        program = make_program(world)
        # Room for 37 approvals of 1,000 and half of a 38th: the rest must be refused.
        services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("37500"), by=None
        )
        ids = [
            services.request_submit(
                program=program, by=world.partner_admin, **request_fields(program)
            ).pk
            for _ in range(APPROVALS)
        ]
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for pk in ids:
        todo.put(pk)
    barrier = threading.Barrier(CONNECTIONS)
    results: dict[int, str] = {}

    def worker():
        try:
            barrier.wait(timeout=30)
            while True:
                try:
                    pk = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    with tenant_context(world.tenant):
                        req = FundRequest.objects.get(pk=pk)
                        services.request_transition(
                            request=req, to="approved", by=world.channel_manager
                        )
                    results[pk] = "ok"
                except DomainError:
                    results[pk] = "refused"
                except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                    results[pk] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    outcomes = sorted(results.values())
    assert len(outcomes) == APPROVALS
    assert outcomes == ["ok"] * 37 + ["refused"] * 63, {o for o in outcomes if "error" in o}
    with tenant_context(world.tenant):
        approved = FundRequest.objects.filter(status="approved")
        total_approved = sum(r.approved_amount for r in approved)
        assert total_approved == Decimal("37000") <= Decimal("37500")
        commits = LedgerEntry.objects.filter(kind="commit")
        assert commits.count() == 37
        assert sum(e.amount for e in commits) == total_approved
        assert set(commits.values_list("request_id", flat=True)) == {r.pk for r in approved}
        balance = selectors.balance_for(program=program, partner=world.partner)
        assert balance["allocated"] == Decimal("37500")
        assert balance["committed"] == Decimal("37000")
        assert balance["available"] == Decimal("500")
        assert balance["allocated"] - balance["committed"] == balance["available"]
        # One audit entry per approval, none for the refusals (their transactions rolled back).
        audited = AuditEvent.objects.filter(action="mdf.request.approved")
        assert sorted(audited.values_list("object_id", flat=True)) == sorted(
            str(r.pk) for r in approved
        )
        assert FundRequest.objects.filter(status="submitted").count() == 63
