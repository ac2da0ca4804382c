"""Benchmark: monthly statements for every partner (issue #20) on the big tenant.

A commission program (8 % sourced, 2 % influenced, no clawback window) is made and its
lines written set-based (`incentives.services.program_recompute`: every won deal's lines
with their earn ledger entries), then `incentives.services.statements.statement_figures` /
`statements_generate` writes the month's statements of every partner with moves, as the
monthly Celery run does (one aggregate over the ledger, statements written in chunks). Timed
(median of 3, each in a savepoint rolled back), with the statements written, the queries
run and the process's peak memory. Everything is rolled back at the end.

Target (the issue's): peak memory <= 500 MB; time recorded (<= 60 s at large is the aim).
"""

from __future__ import annotations

import datetime
import statistics
import time

from bench.common import big_tenant, peak_rss_mb, target, write

RUNS = 3


class _Undo(Exception):
    pass


def bench_statements(scale: str) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from incentives import services
    from incentives.models import IncentiveProgram, LedgerEntry, ProgramVersion
    from incentives.models_payouts import Statement
    from incentives.rules import clean_rules
    from incentives.services.statements import statements_generate
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    numbers: dict = {}
    times, queries, written = [], set(), set()
    month = timezone.localdate().replace(day=1)
    with tenant_context(tenant), transaction.atomic():
        program = IncentiveProgram.objects.create(
            tenant=tenant, name="Bench statements", kind="commission", currency="USD"
        )
        ProgramVersion.objects.create(
            tenant=tenant,
            program=program,
            version=1,
            status="published",
            effective_from=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
            rules=clean_rules("commission", {"sourced_rate": "8", "influenced_rate": "2"}),
        )
        t0 = time.perf_counter()
        numbers["earning_lines"] = services.program_recompute(program=program, by=None)
        numbers["recompute_s"] = round(time.perf_counter() - t0, 3)
        numbers["ledger_entries"] = LedgerEntry.objects.count()
        numbers["partners_with_earnings"] = (
            LedgerEntry.objects.values("partner_id").distinct().count()
        )
        for _run in range(RUNS):
            try:
                with transaction.atomic():
                    with CaptureQueriesContext(connection) as ctx:
                        t0 = time.perf_counter()
                        n = statements_generate(tenant=tenant, month=month)
                        times.append(time.perf_counter() - t0)
                    queries.add(len(ctx.captured_queries))
                    written.add((n, Statement.objects.filter(month=month).count()))
                    raise _Undo
            except _Undo:
                pass
        transaction.set_rollback(True)
    (n, stored), *_ = sorted(written)
    numbers |= {
        "month": month.isoformat(),
        "statements_written": n,
        "statements_stored": stored,
        "generate_s": round(statistics.median(times), 3),
        "generate_runs_s": [round(t, 3) for t in times],
        "queries": sorted(queries),
        "peak_rss_mb": peak_rss_mb(),
    }
    targets = {
        "peak_rss_mb": target(numbers["peak_rss_mb"], "<=", 500),
        "one_statement_per_partner_and_currency": {
            "value": n == stored and len(written) == 1,
            "target": "== stored",
            "pass": n == stored and len(written) == 1,
        },
    }
    if scale == "large":
        targets["generate_s"] = target(numbers["generate_s"], "<=", 60)
    return write("statements", scale, numbers, targets)
