"""Benchmark: the global search's deal-name search (issue #18) on the big tenant.

The search box looks a deal up by its number or by a part of its customer's name or domain
(dealreg.search_providers.deals, the deal list's own filter). Measured for a channel manager
(every deal of the program) and a partner admin (its own company's deals):

1. `prm.global_search.search_all` for 200 terms (a whole customer stem, the first word of a
   name, a domain, a deal number and a word no customer has), p50 / p95 ms, in-process.
2. The `/search/?q=` page for a sample of the same terms (HTTP through the middleware), p95
   and its query count, which must be the same for every term (no query per hit).

Target: p95 <= 150 ms at large for both (recorded at small).
"""

from __future__ import annotations

import random
import time

from bench.common import HOST, big_tenant, member, pct, samples, target, write


def _terms(rng: random.Random, deals: int) -> list[str]:
    # Called after django.setup() (bench.run.run_one): the seed's name builder is shared.
    from bench.seed import _customer

    customers = max(1, deals // 5)
    terms = []
    for i in range(samples(200, 40)):
        name, domain = _customer(rng, rng.randrange(customers))
        kind = i % 5
        if kind == 0:
            terms.append(name.split()[0])  # the stem: many deals
        elif kind == 1:
            terms.append(name)  # the whole name as typed
        elif kind == 2:
            terms.append(domain)
        elif kind == 3:
            terms.append(f"DR-{rng.randrange(1, deals)}")
        else:
            terms.append(f"zzq{rng.randrange(10**6)}")  # nothing matches: a full miss
    return terms


def bench_search(scale: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dealreg.models import Deal
    from prm.global_search import search_all
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    rng = random.Random(18)
    with tenant_context(tenant):
        deals = Deal.objects.count()
    terms = _terms(rng, deals)
    numbers: dict = {"deals": deals, "terms": len(terms)}
    targets: dict = {}
    for role in ("channel_manager", "partner_admin"):
        who = member(tenant, role)
        times, hits = [], 0
        with tenant_context(tenant):
            search_all(who, terms[0])  # warm-up
            for term in terms:
                t0 = time.perf_counter()
                groups = search_all(who, term)
                times.append((time.perf_counter() - t0) * 1000)
                hits += sum(len(g.hits) for g in groups if g.key == "deals")
        client = Client(HTTP_HOST=HOST)
        client.force_login(who.user)
        client.get("/search/", {"q": terms[0]})
        page_times, queries = [], set()
        for term in terms[:: max(1, len(terms) // samples(40, 10))]:
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                status = client.get("/search/", {"q": term}).status_code
                page_times.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                numbers[f"{role}_page_error"] = f"HTTP {status}"
            queries.add(len(ctx.captured_queries))
        numbers[role] = {
            "search_ms_p50": pct(times, 50),
            "search_ms_p95": pct(times, 95),
            "deal_hits": hits,
            "page_ms_p50": pct(page_times, 50),
            "page_ms_p95": pct(page_times, 95),
            "page_queries": sorted(queries),
        }
        if scale == "large":
            targets[f"{role}_search_ms_p95"] = target(pct(times, 95), "<=", 150)
            targets[f"{role}_page_ms_p95"] = target(pct(page_times, 95), "<=", 150)
    return write("search", scale, numbers, targets)
