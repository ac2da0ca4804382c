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
from tests.test_mdf_support import make_program, request_fields

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
