"""Benchmark: account mapping's overlaps (issue #19) on the big tenant's accounts
(bench.seed.seed_accounts: large, 1,000,000 vendor accounts and 20,000 partners x 100).

1. The full overlap computation from no overlaps (accountmap.overlaps, one statement),
   against a hand-written SQL of the same pairs (two joins and a UNION into a plain table):
   the results must be equal, ours within 1.5x of it and within 60 s at large.
2. One partner uploads 10,000 accounts (loaded by COPY, as an import's rows would be): the
   incremental run for just those accounts puts them in the partner's overlaps (<= 5 s).
3. The overlap counts of one partner (the selector behind the overlap page) and the
   partner's accounts page (/accounts/, which shows its overlap count): p95 <= 150 ms, the
   same number of queries at both scales. The sharing part's overlap page
   (/accounts/overlaps/) is measured too when the URL exists.
"""

from __future__ import annotations

import json
import random
import time

from bench.common import (
    HOST,
    RESULTS,
    analyze,
    big_tenant,
    member,
    pct,
    target,
    typical_count,
    write,
)

# The same overlaps as accountmap.sql.REFRESH, written by hand from the rule (same domain
# that is not a free-mail provider's, or same normalised name; a pair matched both ways is a
# domain match) and inserted into the same table, from empty.
HAND_SQL = """
INSERT INTO accountmap_overlap
    (tenant_id, partner_id, vendor_account_id, partner_account_id, matched_on, created_at)
SELECT %(t)s, partner_id, vid, pid, min(kind), now() FROM (
    SELECT v.id AS vid, p.id AS pid, p.partner_id, 'domain' AS kind
    FROM accountmap_account v JOIN accountmap_account p ON p.domain = v.domain
    WHERE v.tenant_id = %(t)s AND p.tenant_id = %(t)s
      AND v.partner_id IS NULL AND p.partner_id IS NOT NULL AND v.is_active AND p.is_active
      AND v.domain <> '' AND NOT (v.domain = ANY(%(free)s::text[]))
      AND NOT (split_part(v.domain, '.', 1) = ANY(%(families)s::text[]))
    UNION ALL
    SELECT v.id, p.id, p.partner_id, 'name'
    FROM accountmap_account v JOIN accountmap_account p ON p.name_normalised = v.name_normalised
    WHERE v.tenant_id = %(t)s AND p.tenant_id = %(t)s
      AND v.partner_id IS NULL AND p.partner_id IS NOT NULL AND v.is_active AND p.is_active
      AND v.name_normalised <> ''
) m GROUP BY vid, pid, partner_id
"""

KEEP_HAND = """
CREATE TEMP TABLE hand_overlaps AS
SELECT vendor_account_id AS vid, partner_account_id AS pid, matched_on
FROM accountmap_overlap WHERE tenant_id = %(t)s
"""

DIFF_SQL = """
SELECT
  (SELECT count(*) FROM (SELECT vid, pid, matched_on FROM hand_overlaps
     EXCEPT SELECT vendor_account_id, partner_account_id, matched_on FROM accountmap_overlap
     WHERE tenant_id = %(t)s) a),
  (SELECT count(*) FROM (SELECT vendor_account_id, partner_account_id, matched_on
     FROM accountmap_overlap WHERE tenant_id = %(t)s
     EXCEPT SELECT vid, pid, matched_on FROM hand_overlaps) b),
  (SELECT count(*) FROM hand_overlaps)
"""


def _timed_ms(fn, repeats: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        queries.append(len(ctx.captured_queries))
    return times, typical_count(queries)


def _clear_overlaps(tenant) -> None:
    """No overlaps, in three statements (the ORM's delete would collect 1.5 M ids and delete
    them and their notices and introductions in chunks: tens of minutes)."""
    from django.db import connection

    from prm.tenancy import tenant_context

    # Statistics first: each deleted overlap is checked at commit against the keys that point
    # at it, and with statistics from when the table was empty those checks can read every
    # overlap of the tenant each (a commit that ran for over fifteen minutes).
    analyze("accountmap_overlap", "accountmap_overlapnotice", "accountmap_introrequest")
    with tenant_context(tenant), connection.cursor() as cur:
        for table in ("accountmap_overlapnotice", "accountmap_introrequest", "accountmap_overlap"):
            cur.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608


def bench_accounts(scale: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from accountmap import overlaps, sql
    from accountmap.models import Account
    from bench.seed import bulk_load
    from partners.domains import normalise_company_name
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    partner_member = member(tenant, "partner_admin")
    numbers: dict = {}
    # Each step is its own transaction (tenant_context is one): a timed step is timed with
    # its commit, so with the deferred foreign-key checks of what it wrote.
    with tenant_context(tenant):
        # Registrations become accounts first (once), so the timed run matches only accounts.
        overlaps.registrations_backfill(tenant)
        numbers["vendor_accounts"] = Account.objects.filter(partner__isnull=True).count()
        numbers["partner_accounts"] = Account.objects.filter(partner__isnull=False).count()

    # 1. The hand-written SQL from no overlaps (its rows kept aside), then the full
    # computation from no overlaps again; both results compared.
    params = {"t": tenant.pk, "free": overlaps.FREE, "families": overlaps.FAMILY_LIST}
    _clear_overlaps(tenant)
    analyze("accountmap_account")
    with tenant_context(tenant), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS hand_overlaps")
    t0 = time.perf_counter()
    with tenant_context(tenant), connection.cursor() as cur:
        # the service's work_mem for its statement, so the ratio compares the queries
        cur.execute(sql.WORK_MEM_SET, [sql.FULL_WORK_MEM])
        cur.execute(HAND_SQL, params)
    numbers["hand_sql_seconds"] = round(time.perf_counter() - t0, 2)
    with tenant_context(tenant), connection.cursor() as cur:
        cur.execute(KEEP_HAND, params)  # a temporary table: it outlives the transaction
    _clear_overlaps(tenant)
    t0 = time.perf_counter()
    with tenant_context(tenant):
        result = overlaps.refresh(tenant, "full")
    numbers["full_seconds"] = round(time.perf_counter() - t0, 2)
    numbers["overlaps"] = result.created_count
    with tenant_context(tenant), connection.cursor() as cur:
        cur.execute(DIFF_SQL, params)
        missing, extra, hand = cur.fetchone()
        cur.execute("DROP TABLE hand_overlaps")
    numbers["hand_sql_overlaps"] = hand
    numbers["results_equal"] = missing == 0 and extra == 0 and hand == result.created_count
    numbers["ratio_to_hand_sql"] = round(
        numbers["full_seconds"] / max(numbers["hand_sql_seconds"], 0.001), 2
    )
    # A second full run finds nothing new and removes nothing (idempotent).
    t0 = time.perf_counter()
    with tenant_context(tenant):
        again = overlaps.refresh(tenant, "full")
    numbers["full_rerun_seconds"] = round(time.perf_counter() - t0, 2)
    numbers["full_rerun_changes"] = again.created_count + again.removed

    # 2. One partner's upload of 10,000 accounts, then the incremental run for them.
    partner = partner_member.partner
    rng = random.Random(11)
    with tenant_context(tenant):
        vendor_rows = list(
            Account.objects.filter(partner__isnull=True)
            .order_by("pk")
            .values_list("name", "domain")[:200_000]
        )
    rows = []
    for j in range(10_000):
        if j % 3 == 0:  # a third are the vendor's companies
            name, domain = rng.choice(vendor_rows)
        else:
            name, domain = f"Upload {j} Holdings", f"upload{j}-{partner.pk}.example"
        rows.append((tenant.pk, partner.pk, name, normalise_company_name(name), domain, "customer"))
    columns = ["tenant_id", "partner_id", "name", "name_normalised", "domain", "status"]
    t0 = time.perf_counter()
    with tenant_context(tenant):
        bulk_load(Account, columns, rows, source="csv")
    numbers["upload_10k_load_seconds"] = round(time.perf_counter() - t0, 2)
    with tenant_context(tenant):
        ids = list(
            Account.objects.filter(partner=partner, name_normalised__in={r[3] for r in rows})
            .order_by("-pk")
            .values_list("pk", flat=True)[:10_000]
        )
    t0 = time.perf_counter()
    with tenant_context(tenant):
        upload = overlaps.overlaps_compute_changed(tenant, partner.pk, ids)
    numbers["upload_10k_overlaps_seconds"] = round(time.perf_counter() - t0, 2)
    numbers["upload_10k_new_overlaps"] = upload.created_count

    # 3. The overlap counts of one partner, and the pages.
    with tenant_context(tenant):
        overlaps.overlap_counts(partner)  # warm-up
        times, queries = _timed_ms(lambda: overlaps.overlap_counts(partner), 50)
        numbers["counts_ms_p50"], numbers["counts_ms_p95"] = pct(times, 50), pct(times, 95)
        numbers["counts_queries"] = queries
        times, queries = _timed_ms(overlaps.overlap_counts_all, 5)
        numbers["counts_all_partners_ms_p50"] = pct(times, 50)
        numbers["counts_all_partners_queries"] = queries

    client = Client(HTTP_HOST=HOST)
    client.force_login(partner_member.user)
    client.raise_request_exception = False
    pages = {"accounts_page": "/accounts/"}
    try:
        pages["overlap_page"] = reverse("account-overlaps", urlconf="prm.urls")
    except NoReverseMatch:
        numbers["overlap_page"] = "not on this branch (the sharing part's page)"
    for label, url in pages.items():
        status = [client.get(url).status_code for _ in range(3)][-1]
        if status != 200:
            numbers[label] = {"url": url, "error": f"HTTP {status}"}
            continue
        times, queries = _timed_ms(lambda url=url: client.get(url), 30)
        numbers[label] = {
            "url": url,
            "queries": queries,
            "ms_p50": pct(times, 50),
            "ms_p95": pct(times, 95),
        }

    targets = {
        "results_equal": {
            "value": numbers["results_equal"],
            "target": "== hand SQL",
            "pass": numbers["results_equal"],
        },
        "ratio_to_hand_sql": target(numbers["ratio_to_hand_sql"], "<=", 1.5),
        "full_rerun_changes": target(numbers["full_rerun_changes"], "<=", 0),
        "counts_queries": target(numbers["counts_queries"], "<=", 3),
    }
    if scale == "large":
        targets["full_seconds"] = target(numbers["full_seconds"], "<=", 60)
        targets["upload_10k_overlaps_seconds"] = target(
            numbers["upload_10k_overlaps_seconds"], "<=", 5
        )
        targets["counts_ms_p95"] = target(numbers["counts_ms_p95"], "<=", 150)
        for label in pages:
            page = numbers[label]
            targets[f"{label}_ms_p95"] = target(page.get("ms_p95", float("inf")), "<=", 150)
    other = "large" if scale == "small" else "small"
    other_file = RESULTS / f"accounts-{other}.json"
    if other_file.exists():
        theirs = json.loads(other_file.read_text())["numbers"]
        mine = {
            "counts": numbers["counts_queries"],
            **{k: numbers[k].get("queries") for k in pages if isinstance(numbers[k], dict)},
        }
        before = {
            "counts": theirs.get("counts_queries"),
            **{k: (theirs.get(k) or {}).get("queries") for k in pages},
        }
        same = mine == before
        numbers["queries_at_other_scale"] = before
        targets["same_query_counts_as_" + other] = {
            "value": same,
            "target": "== other scale",
            "pass": same,
        }
    return write("accounts", scale, numbers, targets)
