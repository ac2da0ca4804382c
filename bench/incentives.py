"""Benchmark: incentives' set-based commission computation (issue #20) on the big tenant.

A commission program paying in EUR (every USD deal converted at the day's rate) with a tier
and partner-type overrides, sourced and influenced rates and two accelerators per quarter is
made for the run. `incentives.services.program_recompute` (one statement per version: the
lines, their ledger entries, audit and outbox events) is timed against a hand-written SQL of
the same figures (written here from the program's rules, not from incentives.setbased, into
a plain temporary table); every figure of every line (deal, partner, role, share, base, rate,
amount) must be equal, and the set-based run within 1.5x of the hand query. The figures part
of the statement alone (no writes) is timed too, recorded. Everything runs in one
transaction that is rolled back (each timed run in a savepoint), so the bench database keeps
no program or line.
"""

from __future__ import annotations

import datetime
import statistics
import time
from decimal import Decimal

from bench.common import analyze, big_tenant, target, write

RUNS = 3

# The program's rules (clean_rules shape) and the same figures by hand for the hand query.
SOURCED, INFLUENCED, TOP_TIER_SOURCED, REFERRAL_INFLUENCED = "8", "2", "10", "3"
ACCEL = [("50000", "1.25"), ("200000", "1.5")]
FX = Decimal("0.92")  # USD -> EUR

HAND_SQL = """
CREATE TEMP TABLE hand_lines AS
WITH dl AS (
  -- won deals since the version's first day, their revenue, the day's USD->EUR rate and the
  -- partner's EUR volume earlier in the quarter (closing day, then id)
  SELECT d.id, d.partner_id, d.closed_at, COALESCE(d.won_amount, d.amount, 0) AS rev, r.rate AS fx,
    COALESCE(SUM(ROUND(COALESCE(d.won_amount, d.amount, 0) * r.rate, 2)) OVER (
      PARTITION BY d.partner_id, date_trunc('quarter', d.closed_at)
      ORDER BY d.closed_at, d.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
  FROM dealreg_deal d
  LEFT JOIN LATERAL (
    SELECT x.rate FROM mdf_exchangerate x
    WHERE x.tenant_id = %(t)s AND x.from_currency = d.currency AND x.to_currency = 'EUR'
      AND x.valid_from <= d.closed_at ORDER BY x.valid_from DESC LIMIT 1) r ON true
  WHERE d.tenant_id = %(t)s AND d.status = 'won' AND d.closed_at >= %(first_day)s
), credit AS (
  SELECT id AS deal_id, partner_id, 'sourced' AS role, 1::numeric AS share FROM dl
  UNION ALL
  SELECT i.deal_id, i.partner_id, 'influenced',
    round(1.0 / count(*) OVER (PARTITION BY i.deal_id), 6)
  FROM dealreg_dealinfluencer i JOIN dl ON dl.id = i.deal_id
  WHERE i.tenant_id = %(t)s AND i.status = 'approved' AND i.partner_id <> dl.partner_id
), priced AS (
  SELECT c.deal_id, c.partner_id, c.role, c.share, ROUND(dl.rev * c.share, 2) AS base,
    dl.fx, dl.before,
    CASE WHEN c.role = 'sourced' THEN
           CASE WHEN p.tier_id = %(top)s THEN 10 ELSE 8 END
         ELSE CASE WHEN p.partner_type = 'referral' THEN 3 ELSE 2 END END::numeric AS pct
  FROM credit c JOIN dl ON dl.id = c.deal_id JOIN partners_partner p ON p.id = c.partner_id
)
SELECT deal_id, partner_id, role, share, base, pct AS rate, fx, before,
  CASE WHEN role = 'sourced' AND fx IS NOT NULL THEN ROUND(
      -- the EUR revenue [before, before + base x fx) cut at 50,000 and 200,000
      (GREATEST(LEAST(before + base * fx, 50000) - before, 0)
       + 1.25 * GREATEST(LEAST(before + base * fx, 200000) - GREATEST(before, 50000), 0)
       + 1.5 * GREATEST(before + base * fx - GREATEST(before, 200000), 0))
      / fx * pct / 100, 2)
    ELSE ROUND(base * pct / 100, 2) END AS amount
FROM priced
"""

# The hand figures written as earning lines into the real table (same columns and key as the
# service's lines), for the timed comparison.
HAND_INSERT = """
INSERT INTO incentives_earning (
  tenant_id, partner_id, program_id, version_id, kind, role, status, deal_id, base_amount,
  share, rate, amount, currency, computation, reason, key, earned_on, hold_until, created_at,
  payout_currency, payment_reference, reversal_reason)
SELECT %(t)s, h.partner_id, %(p)s, %(v)s, 'commission', h.role,
  CASE WHEN d.closed_at + 30 > current_date THEN 'held' ELSE 'pending' END, h.deal_id, h.base,
  h.share, h.rate, h.amount, d.currency, '{}', '',
  'deal:' || h.deal_id || ':p' || %(p)s || ':' || h.role || ':' || h.partner_id,
  d.closed_at, d.closed_at + 30, now(), '', '', ''
FROM hand_lines h JOIN dealreg_deal d ON d.id = h.deal_id
WHERE h.amount <> 0
ON CONFLICT (tenant_id, key) DO NOTHING
"""

# The hand figures written as the same rows the service writes for each line: the earning
# line (with a record of how it was computed), its earn ledger entry, its audit event and its
# `earning.created` outbox event, each written here by hand from the tables' columns. The
# target compares the service with this; the lines-only insert above is recorded beside it.
HAND_WRITE_ALL = """
WITH ins AS (
  INSERT INTO incentives_earning (
    tenant_id, partner_id, program_id, version_id, kind, role, status, deal_id, base_amount,
    share, rate, amount, currency, computation, reason, key, earned_on, hold_until,
    created_at, payout_currency, payment_reference, reversal_reason)
  SELECT %(t)s, h.partner_id, %(p)s, %(v)s, 'commission', h.role,
    CASE WHEN d.closed_at + 30 > current_date THEN 'held' ELSE 'pending' END, h.deal_id,
    h.base, h.share, h.rate, h.amount, d.currency,
    jsonb_build_object('version', %(v)s, 'fx', h.fx::text, 'share', h.share::text,
      'base', h.base::text, 'rate', h.rate::text, 'prior', h.before::text),
    '', 'deal:' || h.deal_id || ':p' || %(p)s || ':' || h.role || ':' || h.partner_id,
    d.closed_at, d.closed_at + 30, now(), '', '', ''
  FROM hand_lines h JOIN dealreg_deal d ON d.id = h.deal_id
  WHERE h.amount <> 0
  ON CONFLICT (tenant_id, key) DO NOTHING
  RETURNING id, tenant_id, partner_id, program_id, version_id, role, status, deal_id,
    amount, currency, earned_on, hold_until
), led AS (
  INSERT INTO incentives_ledgerentry (tenant_id, partner_id, earning_id, kind, bucket, amount,
    currency, reference, memo, created_at)
  SELECT tenant_id, partner_id, id, 'earn', status, amount, currency, '', 'commission', now()
  FROM ins
), aud AS (
  INSERT INTO prm_auditevent (tenant_id, actor_id, actor_label, action, object_type,
    object_id, object_label, before, after, ip, user_agent, created_at)
  SELECT tenant_id, NULL, 'bench', 'earning.created', 'incentives.earning', id::text,
    'E-' || id, NULL,
    jsonb_build_object('partner', partner_id, 'amount', amount::text, 'currency', currency,
      'status', status, 'deal', deal_id, 'version', version_id),
    NULL, '', now()
  FROM ins
)
INSERT INTO prm_outboxevent (tenant_id, event_type, payload)
SELECT i.tenant_id, 'earning.created',
  jsonb_build_object('earning_id', i.id, 'partner_id', i.partner_id, 'program_id',
    i.program_id, 'version_id', i.version_id, 'role', i.role, 'status', i.status, 'deal_id',
    i.deal_id, 'amount', i.amount::text, 'currency', i.currency, 'earned_on', i.earned_on,
    'hold_until', i.hold_until,
    'label', 'E-' || i.id || ' Commission · ' || pn.name || ' · ' || i.currency || ' ' ||
      i.amount::text,
    'path', '/incentives/earnings/' || i.id || '/')
FROM ins i JOIN partners_partner pn ON pn.id = i.partner_id
"""

DIFF_SQL = """
SELECT
  (SELECT count(*) FROM (SELECT deal_id, partner_id, role, share, base, rate, amount
     FROM hand_lines WHERE amount <> 0
     EXCEPT SELECT deal_id, partner_id, role, share, base_amount, rate, amount
     FROM incentives_earning WHERE tenant_id = %(t)s AND program_id = %(p)s) a),
  (SELECT count(*) FROM (SELECT deal_id, partner_id, role, share, base_amount, rate, amount
     FROM incentives_earning WHERE tenant_id = %(t)s AND program_id = %(p)s
     EXCEPT SELECT deal_id, partner_id, role, share, base, rate, amount FROM hand_lines) b),
  (SELECT count(*) FROM hand_lines WHERE amount <> 0),
  (SELECT count(*) FROM incentives_earning WHERE tenant_id = %(t)s AND program_id = %(p)s),
  (SELECT COALESCE(sum(amount), 0) FROM hand_lines)
"""


class _Undo(Exception):
    pass


def _profile(plan) -> dict:
    """Each insert's own time (ms, its input included) and the foreign-key checks' time per
    constraint, from an EXPLAIN (ANALYZE, FORMAT JSON) of the written statement."""
    import json

    doc = (json.loads(plan) if isinstance(plan, str) else plan)[0]
    inserts = {}

    def walk(node):
        if node.get("Node Type") == "ModifyTable":
            inserts[node.get("Relation Name")] = round(node.get("Actual Total Time", 0), 1)
        for child in node.get("Plans", []):
            walk(child)

    walk(doc["Plan"])
    triggers = {
        f"{t.get('Relation')}:{t.get('Trigger Name', t.get('Constraint Name', ''))}": round(
            t.get("Time", 0), 1
        )
        for t in doc.get("Triggers", [])
    }
    return {
        "execution_ms": round(doc.get("Execution Time", 0), 1),
        "inserts_ms": inserts,
        "fk_checks_ms_total": round(sum(triggers.values()), 1),
        "fk_checks_ms": dict(sorted(triggers.items(), key=lambda kv: -kv[1])[:10]),
    }


def _write_params(program, version) -> dict:
    import json

    from django.utils import timezone

    return {
        "program": program.pk,
        "version": version.pk,
        "days": program.clawback_days,
        "today": timezone.localdate(),
        "facts": json.dumps({"program": program.name, "version": version.version}),
        "actor": None,
        "actor_label": "bench",
    }


def bench_incentives(scale: str) -> dict:
    from django.db import connection, transaction

    from incentives import services
    from incentives.models import IncentiveProgram, ProgramVersion
    from incentives.rules import clean_rules
    from incentives.services.compute import attribution_model
    from incentives.setbased import commission_lines_sql, version_spans, write_sql
    from mdf.models import ExchangeRate
    from partners.models import Tier
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    numbers: dict = {}
    times = {
        "set_based": [],
        "hand": [],
        "figures": [],
        "hand_written": [],
        "lines_only": [],
        "hand_written_all": [],
    }
    diffs = []
    with tenant_context(tenant), transaction.atomic():
        top = Tier.objects.order_by("-rank").values_list("pk", flat=True).first()
        rules = clean_rules(
            "commission",
            {
                "sourced_rate": SOURCED,
                "influenced_rate": INFLUENCED,
                "period": "quarter",
                "overrides": [
                    {"tier": top, "sourced_rate": TOP_TIER_SOURCED},
                    {"partner_type": "referral", "influenced_rate": REFERRAL_INFLUENCED},
                ],
                "accelerators": [{"threshold": t, "multiplier": m} for t, m in ACCEL],
            },
        )
        ExchangeRate.objects.create(
            tenant=tenant,
            from_currency="USD",
            to_currency="EUR",
            rate=FX,
            valid_from=datetime.date(2000, 1, 1),
        )
        program = IncentiveProgram.objects.create(
            tenant=tenant, name="Bench commission", kind="commission", currency="EUR"
        )
        version = ProgramVersion.objects.create(
            tenant=tenant,
            program=program,
            version=1,
            status="published",
            effective_from=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
            rules=rules,
        )
        first_day = datetime.date(2000, 1, 1)
        analyze("dealreg_deal", "dealreg_dealinfluencer")  # as the owner: committed rows
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM dealreg_deal WHERE tenant_id = %s AND status = 'won'",
                        [tenant.pk])  # fmt: skip
            numbers["won_deals"] = cur.fetchone()[0]
        (span,) = version_spans([version])
        figures, fparams = commission_lines_sql(
            version=version,
            first_day=span[1],
            end_day=span[2],
            tenant_id=tenant.pk,
            weighted=attribution_model() == "weighted",
        )
        hand_params = {"t": tenant.pk, "first_day": first_day, "top": top, "p": program.pk,
                       "v": version.pk}  # fmt: skip
        for _run in range(RUNS):
            # The hand query: its figures, then written as earning lines (both timed).
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    t0 = time.perf_counter()
                    cur.execute(HAND_SQL, hand_params)
                    times["hand"].append(time.perf_counter() - t0)
                    cur.execute(HAND_INSERT, hand_params)
                    times["hand_written"].append(time.perf_counter() - t0)
                    raise _Undo
            except _Undo:
                pass
            # The hand query's figures written as all four rows a line gets.
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    t0 = time.perf_counter()
                    cur.execute(HAND_SQL, hand_params)
                    cur.execute(HAND_WRITE_ALL, hand_params)
                    times["hand_written_all"].append(time.perf_counter() - t0)
                    raise _Undo
            except _Undo:
                pass
            # The service's statement writing the earning lines only (no ledger, audit or
            # outbox), to show what the other three writes cost.
            sql, more = write_sql(figures, kind_label="Commission")
            only = sql.split("), led AS (")[0] + ")\nSELECT COUNT(*) FROM ins"
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    t0 = time.perf_counter()
                    cur.execute(only, fparams | more | _write_params(program, version))
                    times["lines_only"].append(time.perf_counter() - t0)
                    raise _Undo
            except _Undo:
                pass
            # The figures of the set-based statement alone (no writes).
            with connection.cursor() as cur:
                t0 = time.perf_counter()
                cur.execute(f"{figures} SELECT count(*), sum(amount) FROM lines", fparams)  # noqa: S608
                cur.fetchone()
                times["figures"].append(time.perf_counter() - t0)
            # The service: every line written with its ledger entry, audit and outbox event.
            try:
                with transaction.atomic():
                    t0 = time.perf_counter()
                    written = services.program_recompute(program=program, by=None)
                    times["set_based"].append(time.perf_counter() - t0)
                    with connection.cursor() as cur:
                        cur.execute(HAND_SQL, hand_params)
                        cur.execute(DIFF_SQL, {"t": tenant.pk, "p": program.pk})
                        diffs.append((written, *cur.fetchone()))
                    raise _Undo
            except _Undo:
                pass
        # Where the written statement's time goes: EXPLAIN ANALYZE of the service's statement
        # (the same SQL and parameters as program_recompute) gives each insert's time and the
        # time of the foreign-key checks (constraint triggers) per table.
        sql, more = write_sql(figures, kind_label="Commission")
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}",
                    fparams | more | _write_params(program, version),
                )
                numbers["write_profile"] = _profile(cur.fetchone()[0])
                raise _Undo
        except _Undo:
            pass
        transaction.set_rollback(True)
    written, hand_only, ours_only, hand_n, ours_n, hand_sum = diffs[-1]
    med = {k: round(statistics.median(v), 3) for k, v in times.items()}
    equal = all(d[1] == 0 and d[2] == 0 and d[3] == d[4] == d[0] for d in diffs)
    numbers |= {
        "hand_sql_written_s": med["hand_written"],
        "hand_sql_written_all_s": med["hand_written_all"],
        "set_based_lines_only_s": med["lines_only"],
        "written_ratio": round(med["set_based"] / med["hand_written_all"], 2),
        "written_vs_hand_lines_only": round(med["set_based"] / med["hand_written"], 2),
        "lines_only_ratio": round(med["lines_only"] / med["hand_written"], 2),
        "lines": written,
        "amount_sum_eur": str(hand_sum),
        "set_based_s": med["set_based"],
        "hand_sql_s": med["hand"],
        "figures_only_s": med["figures"],
        "runs": RUNS,
        "lines_only_in_hand_sql": hand_only,
        "lines_only_in_set_based": ours_only,
        "hand_lines": hand_n,
        "set_based_lines": ours_n,
        "figures_ratio": round(med["figures"] / med["hand"], 2) if med["hand"] else None,
    }
    targets = {
        "every_figure_equal": {"value": equal, "target": "== True", "pass": equal},
        # The computation: the statement's figures against the hand query's figures.
        "figures_ratio": target(numbers["figures_ratio"], "<=", 1.5),
        # Written: the service (lines + ledger + audit + outbox) against the hand query
        # writing the same four rows a line (HAND_WRITE_ALL). Against the hand lines alone:
        # recorded as written_vs_hand_lines_only.
        "written_ratio": target(numbers["written_ratio"], "<=", 1.5),
    }
    return write("incentives", scale, numbers, targets)
