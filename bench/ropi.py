"""Benchmark 2: the ROPI rollup against a hand-written SQL of the same figures."""

from __future__ import annotations

import statistics
import time
from decimal import Decimal

from bench.common import big_tenant, target, write

# --- 2. ROPI rollup -----------------------------------------------------------------------

# Every figure rollups_compute stores per (partner, quarter), written by hand as one SELECT
# (definitions from analytics.services' docstrings, not its SQL): tier at the period's end,
# won deals at the closing day's exchange rate with the tier held that day, influence shares,
# MDF paid at the payment day's rate, MDF-attributed revenue, program costs (tier costs shared
# evenly), velocity, approval SLA and rate, funnel, PSAT, return, investment and both ROIs.
HAND_SQL = """
WITH q AS (
  SELECT ps, (ps + interval '3 months')::date AS pe FROM unnest(%(starts)s::date[]) AS ps
), p AS (
  SELECT id, tier_id, partner_type FROM partners_partner
  WHERE tenant_id = %(t)s AND status <> 'applicant'
), tc AS (
  SELECT partner_id, decided_at, id, from_tier_id, to_tier_id FROM partners_tierchange
  WHERE tenant_id = %(t)s AND status = 'applied' AND decided_at IS NOT NULL
), span AS (
  -- the tier a partner held over time: a change's new tier from just after it up to the next
  -- change (inclusive); before its first change, that change's old tier
  SELECT partner_id, tstzrange(decided_at, lead(decided_at) OVER (PARTITION BY partner_id
    ORDER BY decided_at, id), '(]') AS during, to_tier_id AS tier_id FROM tc
  UNION ALL
  (SELECT DISTINCT ON (partner_id) partner_id, tstzrange(NULL, decided_at, '(]'), from_tier_id
   FROM tc ORDER BY partner_id, decided_at, id)
), pt AS (
  -- tier at the end of each period: the last change before it, else the tier before the
  -- first change after it, else today's; today's for the period under way
  SELECT p.id AS partner_id, q.ps, CASE
    WHEN q.pe > %(today)s THEN p.tier_id WHEN s.partner_id IS NOT NULL THEN s.tier_id
    ELSE p.tier_id END AS tier_id
  FROM p CROSS JOIN q
  LEFT JOIN span s ON s.partner_id = p.id AND s.during @> (q.pe::timestamp AT TIME ZONE 'UTC')
), rate AS (
  SELECT from_currency, valid_from, rate FROM mdf_exchangerate
  WHERE tenant_id = %(t)s AND to_currency = %(cur)s
), w AS (
  -- won deals of the periods at the closing day's rate (no rate: left out), with the tier
  -- held on the closing day
  SELECT d.id, d.partner_id, d.partner_role, d.mdf_campaign_code, q.ps,
    ROUND(COALESCE(d.won_amount, d.amount, 0) * x.rate, 2) AS rev,
    CASE WHEN s.partner_id IS NOT NULL THEN s.tier_id ELSE pp.tier_id END AS tier_at
  FROM dealreg_deal d JOIN q ON d.closed_at >= q.ps AND d.closed_at < q.pe
  JOIN partners_partner pp ON pp.id = d.partner_id
  CROSS JOIN LATERAL (SELECT CASE WHEN d.currency = %(cur)s THEN 1::numeric ELSE
    (SELECT r.rate FROM rate r WHERE r.from_currency = d.currency AND r.valid_from <= d.closed_at
     ORDER BY r.valid_from DESC LIMIT 1) END AS rate) x
  LEFT JOIN span s ON s.partner_id = d.partner_id
    AND s.during @> ((d.closed_at + 1)::timestamp AT TIME ZONE 'UTC')
  WHERE d.tenant_id = %(t)s AND d.status = 'won' AND x.rate IS NOT NULL
), won AS (
  SELECT partner_id, ps, COUNT(*) AS n, SUM(rev) AS rev FROM w GROUP BY 1, 2
), disc AS (
  SELECT s.partner_id, s.ps, SUM(ROUND(s.resale * COALESCE(t.discount_pct, 0) / 100, 2)) AS amt
  FROM (SELECT partner_id, ps, tier_at, SUM(rev) AS resale FROM w
        WHERE partner_role = 'resell' GROUP BY 1, 2, 3) s
  LEFT JOIN partners_tier t ON t.id = s.tier_at GROUP BY 1, 2
), inf AS (
  SELECT i.partner_id, w.ps, SUM(ROUND(w.rev * COALESCE(i.share, 0), 2)) AS rev
  FROM (SELECT deal_id, partner_id, CASE WHEN %(weighted)s
          THEN weight / NULLIF(SUM(weight) OVER (PARTITION BY deal_id), 0)
          ELSE 1.0 / COUNT(*) OVER (PARTITION BY deal_id) END AS share
        FROM dealreg_dealinfluencer
        WHERE tenant_id = %(t)s AND status = 'approved' AND deal_id IN (SELECT id FROM w)) i
  JOIN w ON w.id = i.deal_id GROUP BY 1, 2
), paid AS (
  SELECT e.partner_id, q.ps, SUM(ROUND(e.amount * x.rate, 2)) AS amt
  FROM mdf_ledgerentry e JOIN mdf_program pr ON pr.id = e.program_id
  JOIN q ON (e.created_at AT TIME ZONE 'UTC')::date >= q.ps
        AND (e.created_at AT TIME ZONE 'UTC')::date < q.pe
  CROSS JOIN LATERAL (SELECT CASE WHEN pr.currency = %(cur)s THEN 1::numeric ELSE
    (SELECT r.rate FROM rate r WHERE r.from_currency = pr.currency
       AND r.valid_from <= (e.created_at AT TIME ZONE 'UTC')::date
     ORDER BY r.valid_from DESC LIMIT 1) END AS rate) x
  WHERE e.tenant_id = %(t)s AND e.kind = 'payment' AND x.rate IS NOT NULL GROUP BY 1, 2
), mdfwon AS (
  SELECT r.partner_id, w.ps, SUM(w.rev) AS rev FROM w
  JOIN mdf_fundrequest r ON r.tenant_id = %(t)s AND r.campaign_code <> ''
    AND r.campaign_code = w.mdf_campaign_code
  GROUP BY 1, 2
), cost AS (
  -- partner costs to the partner; tier costs shared evenly by the tier's partners
  SELECT partner_id, ps, SUM(CASE WHEN own THEN amount
    ELSE ROUND(amount / sharers, 2) END) AS amt
  FROM (SELECT pt.partner_id, c.ps, c.amount, c.partner_id IS NOT NULL AS own,
          COUNT(*) OVER (PARTITION BY c.id) AS sharers
        FROM (SELECT c.*, q.ps FROM analytics_programcost c
              JOIN q ON c.incurred_on >= q.ps AND c.incurred_on < q.pe
              WHERE c.tenant_id = %(t)s AND c.currency = %(cur)s) c
        JOIN pt ON pt.ps = c.ps AND (pt.partner_id = c.partner_id
          OR (c.partner_id IS NULL AND pt.tier_id = c.tier_id))) s
  GROUP BY 1, 2
), vel AS (
  SELECT partner_id, date_trunc('quarter', closed_at::timestamp)::date AS ps,
    percentile_cont(0.5) WITHIN GROUP (
      ORDER BY closed_at - (submitted_at AT TIME ZONE 'UTC')::date) AS med,
    AVG(closed_at - (submitted_at AT TIME ZONE 'UTC')::date) AS avg, COUNT(*) AS n
  FROM dealreg_deal
  WHERE tenant_id = %(t)s AND status = 'won' AND submitted_at IS NOT NULL
    AND date_trunc('quarter', closed_at::timestamp)::date = ANY(%(starts)s::date[])
  GROUP BY 1, 2
), sla AS (
  SELECT review_sla_hours AS h FROM dealreg_rulesversion
  WHERE tenant_id = %(t)s AND effective_from <= statement_timestamp()
  ORDER BY effective_from DESC LIMIT 1
), dec AS (
  SELECT d.partner_id, date_trunc('quarter', d.decided_at AT TIME ZONE 'UTC')::date AS ps,
    COUNT(*) AS n, COUNT(*) FILTER (WHERE d.status <> 'rejected') AS approved,
    COUNT(*) FILTER (WHERE d.decided_at <= d.submitted_at
      + make_interval(hours => COALESCE(rv.review_sla_hours, (SELECT h FROM sla), 48)::int))
      AS in_sla
  FROM dealreg_deal d LEFT JOIN dealreg_rulesversion rv ON rv.id = d.rules_version_id
  WHERE d.tenant_id = %(t)s AND d.submitted_at IS NOT NULL
    AND d.status IN ('approved', 'rejected', 'won', 'lost', 'expired')
    AND date_trunc('quarter', d.decided_at AT TIME ZONE 'UTC')::date = ANY(%(starts)s::date[])
  GROUP BY 1, 2
), fun AS (
  SELECT partner_id, date_trunc('quarter', submitted_at AT TIME ZONE 'UTC')::date AS ps,
    COUNT(*) AS n,
    COUNT(*) FILTER (WHERE status IN ('approved', 'won', 'lost', 'expired')) AS approved,
    COUNT(*) FILTER (WHERE status = 'won') AS won,
    COUNT(*) FILTER (WHERE status = 'rejected') AS rejected
  FROM dealreg_deal WHERE tenant_id = %(t)s AND status <> 'draft'
    AND date_trunc('quarter', submitted_at AT TIME ZONE 'UTC')::date = ANY(%(starts)s::date[])
  GROUP BY 1, 2
), psat AS (
  SELECT partner_id, period_start AS ps, COUNT(*) AS n, ROUND(AVG(score), 2) AS avg
  FROM analytics_surveyresponse
  WHERE tenant_id = %(t)s AND period_start = ANY(%(starts)s::date[]) GROUP BY 1, 2
), f AS (
  SELECT p.id, q.ps, pt.tier_id, p.partner_type,
    COALESCE(won.n, 0) AS won_n, COALESCE(won.rev, 0) AS sourced,
    COALESCE(inf.rev, 0) AS influenced, COALESCE(paid.amt, 0) AS mdf_paid,
    COALESCE(disc.amt, 0) AS discounts, COALESCE(cost.amt, 0) AS costs,
    vel.med, vel.avg AS vel_avg, COALESCE(vel.n, 0) AS vel_n,
    COALESCE(dec.n, 0) AS dec_n, COALESCE(dec.in_sla, 0) AS dec_sla,
    COALESCE(dec.approved, 0) AS dec_ok,
    COALESCE(fun.n, 0) AS fun_n, COALESCE(fun.approved, 0) AS fun_ok,
    COALESCE(fun.won, 0) AS fun_won, COALESCE(fun.rejected, 0) AS fun_rej,
    COALESCE(mdfwon.rev, 0) AS mdf_won, COALESCE(psat.n, 0) AS psat_n, psat.avg AS psat_avg
  FROM p CROSS JOIN q
  JOIN pt ON pt.partner_id = p.id AND pt.ps = q.ps
  LEFT JOIN won ON won.partner_id = p.id AND won.ps = q.ps
  LEFT JOIN inf ON inf.partner_id = p.id AND inf.ps = q.ps
  LEFT JOIN paid ON paid.partner_id = p.id AND paid.ps = q.ps
  LEFT JOIN disc ON disc.partner_id = p.id AND disc.ps = q.ps
  LEFT JOIN cost ON cost.partner_id = p.id AND cost.ps = q.ps
  LEFT JOIN vel ON vel.partner_id = p.id AND vel.ps = q.ps
  LEFT JOIN dec ON dec.partner_id = p.id AND dec.ps = q.ps
  LEFT JOIN fun ON fun.partner_id = p.id AND fun.ps = q.ps
  LEFT JOIN mdfwon ON mdfwon.partner_id = p.id AND mdfwon.ps = q.ps
  LEFT JOIN psat ON psat.partner_id = p.id AND psat.ps = q.ps
)
SELECT id, ps, %(cur)s, tier_id, partner_type, won_n, sourced, influenced, %(margin)s,
  ROUND((sourced + influenced) * %(margin)s / 100, 2), mdf_paid, discounts, costs,
  mdf_paid + discounts + costs,
  CASE WHEN mdf_paid + discounts + costs > 0 THEN ROUND(
    (ROUND((sourced + influenced) * %(margin)s / 100, 2) - (mdf_paid + discounts + costs))
    / (mdf_paid + discounts + costs), 4) END,
  ROUND(med::numeric, 1), ROUND(vel_avg, 1), vel_n, dec_n, dec_sla, dec_ok,
  CASE WHEN dec_n > 0 THEN ROUND(100.0 * dec_sla / dec_n, 2) END,
  CASE WHEN dec_n > 0 THEN ROUND(100.0 * dec_ok / dec_n, 2) END,
  fun_n, fun_ok, fun_won, fun_rej, mdf_won,
  CASE WHEN mdf_paid > 0 THEN ROUND((mdf_won - mdf_paid) / mdf_paid, 4) END,
  psat_n, psat_avg
FROM f
"""

ROLLUP_COLUMNS = [
    "currency",
    "tier_id",
    "partner_type",
    "won_deals",
    "sourced_revenue",
    "influenced_revenue",
    "gross_margin_pct",
    "return_amount",
    "mdf_paid",
    "discounts",
    "program_costs",
    "investment",
    "ropi",
    "velocity_median_days",
    "velocity_avg_days",
    "velocity_deals",
    "deals_decided",
    "deals_decided_in_sla",
    "deals_approved",
    "sla_attainment_pct",
    "approval_rate_pct",
    "funnel_submitted",
    "funnel_approved",
    "funnel_won",
    "funnel_rejected",
    "mdf_won_revenue",
    "mdf_roi",
    "psat_answers",
    "psat_average",
]


def bench_ropi(scale: str) -> dict:
    """Each run is its own committed transaction (as the nightly task runs it), timed with
    its commit, for the service and the hand query alike. Steady state: the stored rows
    already hold the figures (the seed computed them), as on a nightly rerun. Rewrite: every
    stored row is first made to differ (outside the timing), as after a settings change, so
    the service must rewrite all of them."""
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from analytics.models import AnalyticsSettings, PartnerRollup
    from analytics.services import quarters_back, rollups_compute
    from analytics.sql import COHORT_SQL, ROLLUP_WORK_MEM
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    with tenant_context(tenant):
        config = AnalyticsSettings.for_tenant(tenant)
        periods = quarters_back(timezone.localdate(), 5)
        params = {
            "t": tenant.pk,
            "starts": periods,
            "today": timezone.localdate(),
            "cur": config.currency,
            "weighted": config.attribution_model == "weighted",
            "margin": config.gross_margin_pct,
        }

    def run_service() -> float:
        t0 = time.perf_counter()
        with tenant_context(tenant):
            rollups_compute(tenant=tenant, periods=periods)
        return time.perf_counter() - t0

    def run_hand() -> tuple[float, dict]:
        t0 = time.perf_counter()
        with tenant_context(tenant), connection.cursor() as cur:
            # the service's work_mem for its statement, so the ratio compares queries only
            cur.execute("SELECT set_config('work_mem', %s, true)", [ROLLUP_WORK_MEM])
            cur.execute(HAND_SQL, params)
            rows = cur.fetchall()
        return time.perf_counter() - t0, {(r[0], r[1]): tuple(r[2:]) for r in rows}

    def stored() -> dict:
        with tenant_context(tenant):
            qs = PartnerRollup.objects.filter(period_start__in=periods)
            return {
                (r[0], r[1]): tuple(r[2:])
                for r in qs.values_list("partner_id", "period_start", *ROLLUP_COLUMNS)
            }

    def check(expected: dict, when: str) -> None:
        got = stored()
        bad = [
            (k, col)
            for k, v in expected.items()
            for col, a, b in zip(ROLLUP_COLUMNS, v, got.get(k, (None,) * len(v)), strict=True)
            if a != b
        ]
        if bad or len(got) != len(expected):
            raise AssertionError(
                f"{when}: rollup differs from the hand-written query in {len(bad)} figures "
                f"({len(got)} rows stored, {len(expected)} expected), e.g. {bad[:3]}"
            )

    runs = 5  # a shared 2-core machine: medians of 5, not 3
    service, hand, rewrite, cohorts = [], [], [], []
    for _ in range(runs):
        service.append(run_service())
        h, expected = run_hand()
        hand.append(h)
    check(expected, "steady state")
    for _ in range(runs):
        with tenant_context(tenant):
            PartnerRollup.objects.filter(period_start__in=periods).update(
                won_deals=F("won_deals") + 1
            )
        rewrite.append(run_service())
        # The time-to-first-deal cohorts the service rebuilds too (not ROPI), alone.
        t0 = time.perf_counter()
        with tenant_context(tenant), connection.cursor() as cur:
            cur.execute(COHORT_SQL, {"t": tenant.pk})
        cohorts.append(time.perf_counter() - t0)
    check(expected, "after rewrites")
    s, h, r = statistics.median(service), statistics.median(hand), statistics.median(rewrite)
    numbers = {
        "rows": len(expected),
        "figures_compared": len(expected) * len(ROLLUP_COLUMNS),
        "service_s": round(s, 3),
        "hand_sql_s": round(h, 3),
        "ratio": round(s / h, 2),
        "service_rewrite_all_s": round(r, 3),
        "rewrite_all_ratio": round(r / h, 2),
        "cohorts_s": round(statistics.median(cohorts), 3),
        "runs": runs,
        "numbers_match": True,
        "won_deals_total": sum(v[3] for v in expected.values()),
        "sourced_revenue_total": str(sum((v[4] for v in expected.values()), Decimal(0))),
    }
    return write(
        "ropi",
        scale,
        numbers,
        {
            "service_s": target(numbers["service_s"], "<=", 2),
            "ratio": target(numbers["ratio"], "<=", 1.5),
        },
    )
