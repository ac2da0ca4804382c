"""Benchmark 15: fresh analytics (issue #24 item 1). A steady stream of changes to partners'
rollup inputs (deals won and lost, claims paid, program costs, tier changes) through the
services, 20 per second, with one Celery worker on the fresh queue; each change is timed
from its commit until its partners' rollups include it. Then a full recompute must store the
very same figures (the incremental results are compared figure by figure)."""

from __future__ import annotations

import os
import random
import threading
import time
from decimal import Decimal

from bench.common import big_tenant, celery_worker, pct, samples, target, write
from bench.ropi import ROLLUP_COLUMNS

RATE = 20.0  # changes per second (the stream)


def bench_fresh(scale: str) -> dict:
    from django.db import connection
    from django.utils import timezone

    from analytics.models import PartnerRollup, ProgramCost, RollupPending
    from analytics.services import program_cost_add, quarters_back, rollups_compute
    from dealreg.models import Deal
    from dealreg.services import deal_close
    from mdf.models import Claim
    from mdf.services import claim_transition
    from partners.models import Partner, Tier
    from partners.services import partner_set_tier
    from prm.celery import app
    from prm.models import Member
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    default_seconds = samples(20 if scale == "small" else 60, 6)
    seconds = float(os.environ.get("BENCH_FRESH_SECONDS", default_seconds))
    total = int(seconds * RATE)
    rng = random.Random(15)
    today = timezone.localdate()
    with tenant_context(tenant):
        staff = Member.objects.select_related("user").filter(role="admin").order_by("pk").first()
        # Approved deals of active partners, spread over the id range; each is closed once.
        approved = list(
            Deal.objects.filter(status="approved", partner__status="active")
            .order_by("-pk")
            .values_list("pk", flat=True)[: total * 4]
        )
        claims = list(
            Claim.objects.filter(status="approved")
            .order_by("-pk")
            .values_list("pk", flat=True)[: total // 5 + 1]
        )
        partners = list(
            Partner.objects.filter(status="active", tier__isnull=False)
            .order_by("-pk")
            .values_list("pk", flat=True)[: total + 1]
        )
        tiers = list(Tier.objects.order_by("rank").values_list("pk", flat=True))
        tier_costs = ProgramCost.objects.filter(tier__isnull=False).count()
    rng.shuffle(approved)

    def change(i: int) -> str:
        """One change through its service, as staff or the CRM would make it."""
        kind = i % 10
        if kind == 8 and claims:
            claim = Claim.objects.get(pk=claims.pop())
            claim_transition(
                claim=claim,
                to="paid",
                by=staff,
                payment_reference=f"BENCH-{i}",
                paid_on=today,
            )
            return "claim_paid"
        if kind == 9 and partners and len(tiers) > 1:
            partner = Partner.objects.get(pk=partners.pop())
            other = [t for t in tiers if t != partner.tier_id]
            tier = Tier.objects.get(pk=rng.choice(other))
            partner_set_tier(partner=partner, by=staff, tier=tier, reason="bench")
            return "tier_changed"
        if kind == 7 and partners:
            program_cost_add(
                tenant=tenant,
                amount=Decimal(rng.randrange(100, 5000)),
                currency="USD",
                incurred_on=today,
                description="bench visit",
                partner=Partner.objects.get(pk=partners.pop()),
            )
            return "cost_added"
        deal = Deal.objects.get(pk=approved.pop())
        if kind in (5, 6):
            deal_close(deal=deal, by=staff, won=False, reason="bench: lost")
            return "deal_lost"
        deal_close(deal=deal, by=staff, won=True, amount=deal.amount)
        return "deal_won"

    # change index -> (kind, commit time, mark ids still pending); visible time when all gone
    outstanding: dict[int, set[int]] = {}
    committed: dict[int, float] = {}
    visible: dict[int, float] = {}
    kinds: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def poll() -> None:
        """The time each change became visible: when none of its marks is left (a refresh
        deletes the marks it recomputes in the transaction that stores the figures, so a
        mark gone is a recompute committed with the change in it)."""
        while not stop.is_set():
            with lock:
                waiting = {i: set(ids) for i, ids in outstanding.items()}
            if waiting:
                every = sorted(set().union(*waiting.values()))
                with tenant_context(tenant):
                    left = set(
                        RollupPending.objects.filter(pk__in=every).values_list("pk", flat=True)
                    )
                now = time.time()
                with lock:
                    for i, ids in waiting.items():
                        if not ids & left:
                            visible[i] = now
                            outstanding.pop(i, None)
            time.sleep(0.05)
        connection.close()

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("fresh")
    worker = celery_worker("fresh")
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()

    def one(i: int) -> None:
        with tenant_context(tenant, user_id=staff.user_id):
            with connection.cursor() as cur:
                cur.execute("SELECT COALESCE(max(id), 0) FROM analytics_rolluppending")
                before = cur.fetchone()[0]
            kinds[i] = change(i)
            # The marks this change wrote (nothing else inserts marks here), read in its
            # own transaction before it commits.
            ids = set(RollupPending.objects.filter(pk__gt=before).values_list("pk", flat=True))
        at = time.time()
        with lock:
            committed[i] = at
            if ids:
                outstanding[i] = ids
            else:
                visible[i] = at

    try:
        # Warm-up (not counted): the worker's first task loads the code.
        one(-1)
        deadline = time.time() + 120
        while -1 not in visible and time.time() < deadline:
            time.sleep(0.1)
        started = time.time()
        next_at = started
        for i in range(total):
            time.sleep(max(0.0, next_at - time.time()))
            next_at += 1 / RATE
            one(i)  # its tenant_context is the change's transaction: committed on return
        sent_seconds = time.time() - started
        deadline = time.time() + 300
        while time.time() < deadline:
            with lock:
                if not outstanding:
                    break
            time.sleep(0.2)
    finally:
        stop.set()
        poller.join(timeout=10)
        worker.terminate()
        worker.wait(timeout=60)

    lat = [visible[i] - committed[i] for i in range(total) if i in visible]
    never = total - len(lat)

    # The full recompute must store exactly what the incremental runs stored.
    periods = quarters_back(today, 5)

    def stored() -> dict:
        with tenant_context(tenant):
            return {
                (r[0], r[1]): tuple(r[2:])
                for r in PartnerRollup.objects.filter(period_start__in=periods).values_list(
                    "partner_id", "period_start", *ROLLUP_COLUMNS
                )
            }

    incremental = stored()
    t0 = time.perf_counter()
    with tenant_context(tenant):
        rollups_compute(tenant=tenant)
    full_s = time.perf_counter() - t0
    full = stored()
    differ = [k for k in set(incremental) | set(full) if incremental.get(k) != full.get(k)]
    if differ:
        raise AssertionError(
            f"{len(differ)} rollups differ between the incremental and the full run, "
            f"e.g. {sorted(differ)[:3]}"
        )
    by_kind: dict[str, int] = {}
    for i in range(total):
        by_kind[kinds.get(i, "?")] = by_kind.get(kinds.get(i, "?"), 0) + 1
    numbers = {
        "changes": total,
        "rate_per_s": round(total / max(sent_seconds, 1e-9), 1),
        "kinds": by_kind,
        "tier_costs_in_program": tier_costs,
        "freshness_p50_s": pct(lat, 50),
        "freshness_p95_s": pct(lat, 95),
        "freshness_max_s": round(max(lat), 3) if lat else None,
        "freshness_histogram": {
            "<=1s": sum(1 for x in lat if x <= 1),
            "1-2s": sum(1 for x in lat if 1 < x <= 2),
            "2-5s": sum(1 for x in lat if 2 < x <= 5),
            ">5s": sum(1 for x in lat if x > 5),
        },
        "never_visible": never,
        "full_run_s": round(full_s, 3),
        "rows_compared": len(full),
        "figures_compared": len(full) * len(ROLLUP_COLUMNS),
        "incremental_equals_full": True,
        "note": "freshness = from the change's commit until no mark of it is left (the "
        "refresh that deletes a partner's marks stores its recomputed figures in the same "
        "transaction); polled every 50 ms",
    }
    return write(
        "fresh",
        scale,
        numbers,
        {
            "freshness_p95_s": target(numbers["freshness_p95_s"], "<=", 5),
            "never_visible": target(never, "<=", 0),
        },
    )
