"""Every raw SQL statement of the analytics app, in one place. The services
(analytics.services) run them; nothing else in analytics writes SQL by hand.

Statements name tables by placeholder (`{partner}`, `{deal}`, ...: the `T` map below), filled
in once at import; every value is a bound parameter (`%(t)s`, ...), never formatted in.
Each statement runs inside tenant_context(tenant) and is set-based: one statement per tenant
(and per step), never a query per partner.
"""

from __future__ import annotations

from analytics.models import (
    FirstDealCohort,
    HealthSnapshot,
    MemberActivity,
    PartnerRollup,
    ProgramCost,
    RollupPending,
    SurveyResponse,
    TierScores,
)
from dealreg.models import Deal, DealInfluencer, DirectDeal, DirectDealInfluencer, RulesVersion
from mdf.models import ExchangeRate, FundRequest, LedgerEntry
from mdf.models import Program as MdfProgram
from onboarding.models import Workflow, WorkflowStep
from partners.models import Partner, PartnerMetrics, Tier, TierChange
from prm.models import AuditEvent, Member
from training.models import Enrollment

# The tables the statements read and write, by placeholder.
T = {
    "partner": Partner._meta.db_table,
    "metrics": PartnerMetrics._meta.db_table,
    "tier": Tier._meta.db_table,
    "deal": Deal._meta.db_table,
    "influencer": DealInfluencer._meta.db_table,
    "direct": DirectDeal._meta.db_table,
    "direct_influencer": DirectDealInfluencer._meta.db_table,
    "ledger": LedgerEntry._meta.db_table,
    "mdf_program": MdfProgram._meta.db_table,
    "workflow": Workflow._meta.db_table,
    "step": WorkflowStep._meta.db_table,
    "enrollment": Enrollment._meta.db_table,
    "member": Member._meta.db_table,
    "audit": AuditEvent._meta.db_table,
    "activity": MemberActivity._meta.db_table,
    "snapshot": HealthSnapshot._meta.db_table,
    "rollup": PartnerRollup._meta.db_table,
    "cost": ProgramCost._meta.db_table,
    "cohort": FirstDealCohort._meta.db_table,
    "pending": RollupPending._meta.db_table,
    "tier_scores": TierScores._meta.db_table,
    "survey": SurveyResponse._meta.db_table,
    "tierchange": TierChange._meta.db_table,
    "rate": ExchangeRate._meta.db_table,
    "request": FundRequest._meta.db_table,
    "rules": RulesVersion._meta.db_table,
}


def _tables(template: str, **extra: str) -> str:
    """The statement with its table placeholders (and `extra` fragments) filled in."""
    return template.format(**T, **extra)


# --- Portal activity ----------------------------------------------------------------------

# Sign-ins and actions per member per day, recounted from the audit trail since %(since)s.
_ACTIVITY_SQL = """
INSERT INTO {activity} (tenant_id, member_id, partner_id, day, sign_ins, actions)
SELECT m.tenant_id, m.id, m.partner_id, (e.created_at AT TIME ZONE 'UTC')::date,
       COUNT(*) FILTER (WHERE e.action = ANY(%(sign_in)s)),
       COUNT(*) FILTER (WHERE NOT e.action = ANY(%(sign_in)s))
FROM {audit} e
JOIN {member} m ON m.user_id = e.actor_id AND m.tenant_id = e.tenant_id
WHERE e.tenant_id = %(t)s AND e.created_at >= %(since)s AND e.action NOT LIKE 'auth.login_%%'
GROUP BY m.tenant_id, m.id, m.partner_id, (e.created_at AT TIME ZONE 'UTC')::date
ON CONFLICT (tenant_id, member_id, day) DO UPDATE
SET sign_ins = EXCLUDED.sign_ins, actions = EXCLUDED.actions, partner_id = EXCLUDED.partner_id
"""
ACTIVITY_SQL = _tables(_ACTIVITY_SQL)


# --- Health -------------------------------------------------------------------------------

# Every scored partner's figures as of the end of %(today)s, with the program's medians.
_FIGURES_SQL = """
WITH p AS (
  SELECT id FROM {partner} WHERE tenant_id = %(t)s AND status = ANY(%(statuses)s)
), d AS (
  SELECT d.partner_id,
    SUM(COALESCE(d.amount, 0)) FILTER (WHERE d.submitted_at >= %(d90)s
        AND d.status NOT IN ('draft', 'withdrawn', 'rejected')) AS pipeline_90,
    SUM(COALESCE(d.amount, 0)) FILTER (WHERE d.submitted_at >= %(d180)s
        AND d.submitted_at < %(d90)s
        AND d.status NOT IN ('draft', 'withdrawn', 'rejected')) AS pipeline_prev_90,
    SUM(COALESCE(d.won_amount, d.amount, 0)) FILTER (WHERE d.status = 'won'
        AND d.closed_at > %(day365)s AND d.closed_at <= %(today)s) AS won_12m,
    COUNT(*) FILTER (WHERE d.status = 'won' AND d.closed_at > %(day365)s
        AND d.closed_at <= %(today)s) AS won_n,
    COUNT(*) FILTER (WHERE d.status = 'lost' AND d.closed_at > %(day365)s
        AND d.closed_at <= %(today)s) AS lost_n,
    MAX(d.submitted_at) AS last_submitted
  FROM {deal} d WHERE d.tenant_id = %(t)s AND d.submitted_at <= %(now)s
  GROUP BY d.partner_id
), tr AS (
  SELECT m.partner_id, COUNT(*) AS n FROM {enrollment} en JOIN {member} m ON m.id = en.member_id
  WHERE en.tenant_id = %(t)s AND en.completed_at >= %(d365)s AND en.completed_at <= %(now)s
    AND m.partner_id IS NOT NULL
  GROUP BY m.partner_id
), act AS (
  SELECT partner_id, COUNT(*) AS n FROM {activity}
  WHERE tenant_id = %(t)s AND day > %(day30)s AND day <= %(today)s AND partner_id IS NOT NULL
  GROUP BY partner_id
), mdf AS (
  SELECT partner_id,
    SUM(amount) FILTER (WHERE kind IN ('allocate', 'accrue', 'adjustment')) AS allocated,
    SUM(amount) FILTER (WHERE kind = 'payment') AS paid
  FROM {ledger} WHERE tenant_id = %(t)s AND created_at >= %(d365)s AND created_at <= %(now)s
  GROUP BY partner_id
), wf AS (
  SELECT DISTINCT ON (w.partner_id) w.partner_id, w.id
  FROM {workflow} w WHERE w.tenant_id = %(t)s AND w.status <> 'cancelled'
  ORDER BY w.partner_id, w.started_at DESC
), ob AS (
  SELECT wf.partner_id, COUNT(s.id) AS total,
    COUNT(s.id) FILTER (WHERE s.completed_at IS NOT NULL) AS done
  FROM wf JOIN {step} s ON s.workflow_id = wf.id GROUP BY wf.partner_id
), f AS (
  SELECT p.id,
    COALESCE(d.pipeline_90, 0) AS pipeline_90, COALESCE(d.pipeline_prev_90, 0) AS prev_90,
    COALESCE(d.won_12m, 0) AS won_12m, COALESCE(d.won_n, 0) AS won_n,
    COALESCE(d.lost_n, 0) AS lost_n,
    (%(today)s::date - (d.last_submitted AT TIME ZONE 'UTC')::date) AS days_since,
    COALESCE(pm.certified_people, 0) AS certified, COALESCE(tr.n, 0) AS completions,
    COALESCE(act.n, 0) AS active_days, COALESCE(mdf.allocated, 0) AS mdf_allocated,
    COALESCE(mdf.paid, 0) AS mdf_paid, COALESCE(ob.done, 0) AS ob_done,
    COALESCE(ob.total, 0) AS ob_total
  FROM p LEFT JOIN d ON d.partner_id = p.id LEFT JOIN tr ON tr.partner_id = p.id
  LEFT JOIN act ON act.partner_id = p.id LEFT JOIN mdf ON mdf.partner_id = p.id
  LEFT JOIN ob ON ob.partner_id = p.id
  LEFT JOIN {metrics} pm ON pm.partner_id = p.id AND pm.tenant_id = %(t)s
)
SELECT f.*,
  COALESCE((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pipeline_90)
            FROM f WHERE pipeline_90 > 0), 0) AS median_pipeline,
  COALESCE((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY won_12m)
            FROM f WHERE won_12m > 0), 0) AS median_won
FROM f
"""
FIGURES_SQL = _tables(_FIGURES_SQL)

# The scorer's rows are streamed into this session table by COPY, then upserted at once.
HEALTH_STAGE_CREATE_SQL = (
    "CREATE TEMP TABLE IF NOT EXISTS health_stage (partner_id bigint, score integer,"
    " components jsonb, drivers jsonb, at_risk boolean, risk_reason text)"
    " ON COMMIT DROP"
)
HEALTH_STAGE_TRUNCATE_SQL = "TRUNCATE health_stage"
HEALTH_STAGE_COPY_SQL = "COPY health_stage FROM STDIN"

# The staged rows become the day's snapshots (a rerun replaces them).
_SNAPSHOT_UPSERT_SQL = """
INSERT INTO {snapshot} (tenant_id, partner_id, day, score, components, drivers, at_risk,
                        risk_reason, tier_id, computed_at)
SELECT %(t)s, h.partner_id, %(day)s, h.score, h.components, h.drivers, h.at_risk,
       h.risk_reason, p.tier_id, %(now)s
FROM health_stage h JOIN {partner} p ON p.id = h.partner_id AND p.tenant_id = %(t)s
ON CONFLICT (tenant_id, partner_id, day) DO UPDATE
SET score = EXCLUDED.score, components = EXCLUDED.components, drivers = EXCLUDED.drivers,
    at_risk = EXCLUDED.at_risk, risk_reason = EXCLUDED.risk_reason,
    tier_id = EXCLUDED.tier_id, computed_at = EXCLUDED.computed_at
"""
SNAPSHOT_UPSERT_SQL = _tables(_SNAPSHOT_UPSERT_SQL)

# The day's score counts per tier, from the day's snapshots (a rerun replaces them; a tier
# nobody holds any more that day loses its row).
_TIER_SCORES_SQL = """
WITH c AS (
  SELECT tier_id, score, COUNT(*)::int AS n FROM {snapshot}
  WHERE tenant_id = %(t)s AND day = %(day)s AND tier_id IS NOT NULL
  GROUP BY tier_id, score
), gone AS (
  DELETE FROM {tier_scores} o WHERE o.tenant_id = %(t)s AND o.day = %(day)s
    AND NOT EXISTS (SELECT 1 FROM c WHERE c.tier_id = o.tier_id)
)
INSERT INTO {tier_scores} (tenant_id, day, tier_id, counts, computed_at)
SELECT %(t)s, %(day)s, t.tier_id,
  ARRAY(SELECT COALESCE(c.n, 0) FROM generate_series(0, 100) AS g(score)
        LEFT JOIN c ON c.tier_id = t.tier_id AND c.score = g.score ORDER BY g.score),
  %(now)s
FROM (SELECT DISTINCT tier_id FROM c) t
ON CONFLICT (tenant_id, day, tier_id) DO UPDATE
SET counts = EXCLUDED.counts, computed_at = EXCLUDED.computed_at
"""
TIER_SCORES_SQL = _tables(_TIER_SCORES_SQL)

# The day's scores, handed to partners.services.metrics_upsert (PartnerMetrics' one writer).
_METRICS_SOURCE_SQL = """
SELECT s.partner_id, s.score FROM {snapshot} s WHERE s.tenant_id = %(t)s AND s.day = %(day)s
"""
METRICS_SOURCE_SQL = _tables(_METRICS_SOURCE_SQL)


# --- Attribution and ROPI -----------------------------------------------------------------

# Attribution, ROPI and the other KPIs per (partner, quarter), stored in one statement;
# The `{..._filter}` fragments limit it to some partners (ROLLUP_SOME_PARTNERS_SQL, %(ids)s).
_ROLLUP_SQL = """
WITH q AS (
  SELECT ps, (ps + interval '3 months')::date AS pe FROM unnest(%(starts)s::date[]) AS ps
), p AS (
  SELECT id, tier_id, partner_type FROM {partner}
  WHERE tenant_id = %(t)s AND status <> 'applicant' {partner_filter}
), tc AS (
  -- Each partner's applied tier changes as intervals of the moment X asked about: change k's
  -- to_tier from just after its decision up to and including the next change's (ordered by
  -- decided_at, id; none: for ever), and before the first change that change's from_tier.
  -- "The last change before X, else the tier before the first later change" is then the one
  -- interval holding X: one hash join instead of two index look-ups per partner and period
  -- and per won deal (most partners of a large program have tier history).
  SELECT partner_id, decided_at, from_tier_id, to_tier_id,
    lead(decided_at) OVER (PARTITION BY partner_id ORDER BY decided_at, id) AS next_at,
    row_number() OVER (PARTITION BY partner_id ORDER BY decided_at, id) AS k
  FROM {tierchange}
  WHERE tenant_id = %(t)s AND status = 'applied' AND decided_at IS NOT NULL
), tcr AS (
  SELECT partner_id, decided_at AS lo, next_at AS hi, to_tier_id AS tier_id FROM tc
  UNION ALL
  SELECT partner_id, NULL, decided_at, from_tier_id FROM tc WHERE k = 1
), pt AS (
  -- The tier each partner held at the end of each period (every partner: tier costs are
  -- shared by all of a tier's partners of that period): the last tier change applied before
  -- the period ended; else the tier before the first later change; else today's tier. The
  -- period under way has not ended: today's tier.
  SELECT a.id AS partner_id, q.ps,
    CASE WHEN q.pe > %(today)s THEN a.tier_id WHEN r.partner_id IS NOT NULL THEN r.tier_id
         ELSE a.tier_id END AS tier_id
  FROM {partner} a CROSS JOIN q
  LEFT JOIN tcr r ON r.partner_id = a.id
    AND (r.lo IS NULL OR r.lo < (q.pe::timestamp AT TIME ZONE 'UTC'))
    AND (r.hi IS NULL OR r.hi >= (q.pe::timestamp AT TIME ZONE 'UTC'))
  WHERE a.tenant_id = %(t)s AND a.status <> 'applicant'
), won_fx AS (
  -- Deals won in the periods, converted to the reporting currency at mdf's exchange rate in
  -- force on the day the deal closed (rounded per deal); no rate -> the deal is left out.
  SELECT d.id, d.partner_id, d.partner_role, d.mdf_campaign_code, d.closed_at, q.ps,
         ROUND(COALESCE(d.won_amount, d.amount, 0) * fx.rate, 2) AS rev
  FROM {deal} d JOIN q ON d.closed_at >= q.ps AND d.closed_at < q.pe
  CROSS JOIN LATERAL (
    SELECT CASE WHEN d.currency = %(cur)s THEN 1::numeric ELSE (
      SELECT x.rate FROM {rate} x
      WHERE x.tenant_id = %(t)s AND x.from_currency = d.currency AND x.to_currency = %(cur)s
        AND x.valid_from <= d.closed_at
      ORDER BY x.valid_from DESC LIMIT 1) END AS rate
  ) fx
  WHERE d.tenant_id = %(t)s AND d.status = 'won' AND fx.rate IS NOT NULL {won_filter}
), won AS (
  -- The tier the partner had when the deal was won: the last tier change applied up to the
  -- end of the closing day; else the tier before the first later change; else today's tier.
  SELECT w.*, CASE WHEN r.partner_id IS NOT NULL THEN r.tier_id ELSE pp.tier_id END AS tier_at
  FROM won_fx w
  JOIN {partner} pp ON pp.id = w.partner_id AND pp.tenant_id = %(t)s
  LEFT JOIN tcr r ON r.partner_id = w.partner_id
    AND (r.lo IS NULL OR r.lo < ((w.closed_at + 1)::timestamp AT TIME ZONE 'UTC'))
    AND (r.hi IS NULL OR r.hi >= ((w.closed_at + 1)::timestamp AT TIME ZONE 'UTC'))
), src AS (
  SELECT partner_id, ps, COUNT(*) AS n, SUM(rev) AS rev FROM won GROUP BY partner_id, ps
), disc AS (
  SELECT r.partner_id, r.ps,
         SUM(ROUND(r.resale * COALESCE(t.discount_pct, 0) / 100, 2)) AS amount
  FROM (
    SELECT partner_id, ps, tier_at, SUM(rev) AS resale FROM won
    WHERE partner_role = 'resell' GROUP BY partner_id, ps, tier_at
  ) r LEFT JOIN {tier} t ON t.id = r.tier_at
  GROUP BY r.partner_id, r.ps
), dwon AS (
  -- The vendor's direct deals won in the periods (from the CRM), converted like won_fx: no
  -- partner sourced them, so they count only as influenced revenue for their influencers.
  SELECT d.id, q.ps, ROUND(d.amount * fx.rate, 2) AS rev
  FROM {direct} d JOIN q ON d.closed_at >= q.ps AND d.closed_at < q.pe
  CROSS JOIN LATERAL (
    SELECT CASE WHEN d.currency = %(cur)s THEN 1::numeric ELSE (
      SELECT x.rate FROM {rate} x
      WHERE x.tenant_id = %(t)s AND x.from_currency = d.currency AND x.to_currency = %(cur)s
        AND x.valid_from <= d.closed_at
      ORDER BY x.valid_from DESC LIMIT 1) END AS rate
  ) fx
  WHERE d.tenant_id = %(t)s AND d.status = 'won' AND fx.rate IS NOT NULL {direct_filter}
), influenced AS (
  -- Every won deal that has influencers, of either kind ('p': a partner's registration,
  -- 'd': a direct deal), with its approved influencers' weights.
  SELECT 'p' AS k, w.id, w.ps, w.rev, i.partner_id, i.weight
  FROM won w JOIN {influencer} i ON i.deal_id = w.id
  WHERE i.tenant_id = %(t)s AND i.status = 'approved'
  UNION ALL
  SELECT 'd', w.id, w.ps, w.rev, i.partner_id, i.weight
  FROM dwon w JOIN {direct_influencer} i ON i.direct_deal_id = w.id
  WHERE i.tenant_id = %(t)s
), share AS (
  SELECT k, id, ps, rev, partner_id,
    CASE WHEN %(weighted)s
         THEN weight / NULLIF(SUM(weight) OVER (PARTITION BY k, id), 0)
         ELSE 1.0 / COUNT(*) OVER (PARTITION BY k, id) END AS share
  FROM influenced
), inf AS (
  SELECT s.partner_id, s.ps, SUM(ROUND(s.rev * COALESCE(s.share, 0), 2)) AS rev
  FROM share s GROUP BY s.partner_id, s.ps
), mdf AS (
  SELECT e.partner_id, q.ps, SUM(ROUND(e.amount * fx.rate, 2)) AS paid
  FROM {ledger} e JOIN {mdf_program} pr ON pr.id = e.program_id
  JOIN q ON (e.created_at AT TIME ZONE 'UTC')::date >= q.ps
        AND (e.created_at AT TIME ZONE 'UTC')::date < q.pe
  CROSS JOIN LATERAL (
    SELECT CASE WHEN pr.currency = %(cur)s THEN 1::numeric ELSE (
      SELECT x.rate FROM {rate} x
      WHERE x.tenant_id = %(t)s AND x.from_currency = pr.currency AND x.to_currency = %(cur)s
        AND x.valid_from <= (e.created_at AT TIME ZONE 'UTC')::date
      ORDER BY x.valid_from DESC LIMIT 1) END AS rate
  ) fx
  WHERE e.tenant_id = %(t)s AND e.kind = 'payment' AND fx.rate IS NOT NULL {ledger_filter}
  GROUP BY e.partner_id, q.ps
), mdfwon AS (
  -- mdf's attribution: a won deal carrying a fund request's campaign code counts for the
  -- partner that ran the activity.
  SELECT r.partner_id, w.ps, SUM(w.rev) AS rev
  FROM won w JOIN {request} r ON r.tenant_id = %(t)s AND r.campaign_code <> ''
    AND r.campaign_code = w.mdf_campaign_code
  GROUP BY r.partner_id, w.ps
), tiercount AS (
  SELECT tier_id, ps, COUNT(*) AS n FROM pt WHERE tier_id IS NOT NULL GROUP BY tier_id, ps
), cost AS (
  -- A tier cost is shared evenly by the partners that held the tier at the period's end.
  SELECT pt.partner_id, q.ps,
    SUM(CASE WHEN c.partner_id IS NOT NULL THEN c.amount ELSE ROUND(c.amount / tc.n, 2) END)
      AS amount
  FROM {cost} c JOIN q ON c.incurred_on >= q.ps AND c.incurred_on < q.pe
  JOIN pt ON pt.ps = q.ps
    AND (pt.partner_id = c.partner_id OR (c.partner_id IS NULL AND pt.tier_id = c.tier_id))
  LEFT JOIN tiercount tc ON tc.tier_id = c.tier_id AND tc.ps = q.ps
  WHERE c.tenant_id = %(t)s AND c.currency = %(cur)s AND pt.partner_id IN (SELECT id FROM p)
  GROUP BY pt.partner_id, q.ps
), vel AS (
  SELECT d.partner_id, q.ps,
    percentile_cont(0.5) WITHIN GROUP (
      ORDER BY d.closed_at - (d.submitted_at AT TIME ZONE 'UTC')::date) AS med,
    AVG(d.closed_at - (d.submitted_at AT TIME ZONE 'UTC')::date) AS avg, COUNT(*) AS n
  FROM {deal} d JOIN q ON q.ps = date_trunc('quarter', d.closed_at::timestamp)::date
  WHERE d.tenant_id = %(t)s AND d.status = 'won' AND d.submitted_at IS NOT NULL {deal_filter}
  GROUP BY d.partner_id, q.ps
), dcs AS (
  -- Decisions made in the period; the SLA is the review target of the rules version the
  -- decision applied (the rules in force today when none was recorded).
  SELECT d.partner_id, q.ps, COUNT(*) AS decided,
    COUNT(*) FILTER (WHERE d.decided_at <= d.submitted_at + make_interval(
      hours => COALESCE(rv.review_sla_hours, (
        SELECT cr.review_sla_hours FROM {rules} cr
        WHERE cr.tenant_id = %(t)s AND cr.effective_from <= statement_timestamp()
        ORDER BY cr.effective_from DESC LIMIT 1), 48)::int)) AS in_sla,
    COUNT(*) FILTER (WHERE d.status <> 'rejected') AS approved
  FROM {deal} d
  -- Periods are calendar quarters (quarter_start): "in the period" is an equality on the
  -- quarter, a hash join, instead of a range test of every deal against every period.
  JOIN q ON q.ps = date_trunc('quarter', d.decided_at AT TIME ZONE 'UTC')::date
  LEFT JOIN {rules} rv ON rv.id = d.rules_version_id
  WHERE d.tenant_id = %(t)s AND d.submitted_at IS NOT NULL
    AND d.status IN ('approved', 'rejected', 'won', 'lost', 'expired') {deal_filter}
  GROUP BY d.partner_id, q.ps
), fun AS (
  SELECT d.partner_id, q.ps, COUNT(*) AS submitted,
    COUNT(*) FILTER (WHERE d.status IN ('approved', 'won', 'lost', 'expired')) AS approved,
    COUNT(*) FILTER (WHERE d.status = 'won') AS won,
    COUNT(*) FILTER (WHERE d.status = 'rejected') AS rejected
  FROM {deal} d
  JOIN q ON q.ps = date_trunc('quarter', d.submitted_at AT TIME ZONE 'UTC')::date
  WHERE d.tenant_id = %(t)s AND d.status <> 'draft' {deal_filter}
  GROUP BY d.partner_id, q.ps
), psat AS (
  SELECT partner_id, period_start AS ps, COUNT(*) AS n, ROUND(AVG(score), 2) AS avg
  FROM {survey} WHERE tenant_id = %(t)s AND period_start = ANY(%(starts)s::date[])
    {survey_filter}
  GROUP BY partner_id, period_start
), r AS (
  SELECT p.id AS partner_id, q.ps, pt.tier_id, p.partner_type,
    COALESCE(src.n, 0) AS won_deals, COALESCE(src.rev, 0) AS sourced,
    COALESCE(inf.rev, 0) AS influenced, COALESCE(disc.amount, 0) AS discounts,
    COALESCE(mdf.paid, 0) AS mdf_paid, COALESCE(cost.amount, 0) AS costs,
    COALESCE(mdfwon.rev, 0) AS mdf_won,
    ROUND(vel.med::numeric, 1) AS vel_med, ROUND(vel.avg, 1) AS vel_avg,
    COALESCE(vel.n, 0) AS vel_n,
    COALESCE(dcs.decided, 0) AS decided, COALESCE(dcs.in_sla, 0) AS in_sla,
    COALESCE(dcs.approved, 0) AS approved,
    COALESCE(fun.submitted, 0) AS f_submitted, COALESCE(fun.approved, 0) AS f_approved,
    COALESCE(fun.won, 0) AS f_won, COALESCE(fun.rejected, 0) AS f_rejected,
    COALESCE(psat.n, 0) AS psat_n, psat.avg AS psat_avg
  FROM p CROSS JOIN q JOIN pt ON pt.partner_id = p.id AND pt.ps = q.ps
  LEFT JOIN src ON src.partner_id = p.id AND src.ps = q.ps
  LEFT JOIN disc ON disc.partner_id = p.id AND disc.ps = q.ps
  LEFT JOIN inf ON inf.partner_id = p.id AND inf.ps = q.ps
  LEFT JOIN mdf ON mdf.partner_id = p.id AND mdf.ps = q.ps
  LEFT JOIN mdfwon ON mdfwon.partner_id = p.id AND mdfwon.ps = q.ps
  LEFT JOIN cost ON cost.partner_id = p.id AND cost.ps = q.ps
  LEFT JOIN vel ON vel.partner_id = p.id AND vel.ps = q.ps
  LEFT JOIN dcs ON dcs.partner_id = p.id AND dcs.ps = q.ps
  LEFT JOIN fun ON fun.partner_id = p.id AND fun.ps = q.ps
  LEFT JOIN psat ON psat.partner_id = p.id AND psat.ps = q.ps
), v AS (
  SELECT r.*, ROUND((sourced + influenced) * %(margin)s / 100, 2) AS ret,
         mdf_paid + discounts + costs AS inv
  FROM r
), f AS (
  -- The row as stored (same names as the table's columns).
  SELECT partner_id, ps, %(cur)s AS currency, tier_id, partner_type, won_deals,
    sourced AS sourced_revenue, influenced AS influenced_revenue,
    %(margin)s AS gross_margin_pct, ret AS return_amount, mdf_paid, discounts,
    costs AS program_costs, inv AS investment,
    CASE WHEN inv > 0 THEN ROUND((ret - inv) / inv, 4) END AS ropi,
    vel_med AS velocity_median_days, vel_avg AS velocity_avg_days, vel_n AS velocity_deals,
    decided AS deals_decided, in_sla AS deals_decided_in_sla, approved AS deals_approved,
    CASE WHEN decided > 0 THEN ROUND(100.0 * in_sla / decided, 2) END AS sla_attainment_pct,
    CASE WHEN decided > 0 THEN ROUND(100.0 * approved / decided, 2) END AS approval_rate_pct,
    f_submitted AS funnel_submitted, f_approved AS funnel_approved, f_won AS funnel_won,
    f_rejected AS funnel_rejected, mdf_won AS mdf_won_revenue,
    CASE WHEN mdf_paid > 0 THEN ROUND((mdf_won - mdf_paid) / mdf_paid, 4) END AS mdf_roi,
    psat_n AS psat_answers, psat_avg AS psat_average
  FROM v
), w AS (
  INSERT INTO {rollup} (tenant_id, partner_id, period_start, currency, tier_id, partner_type,
    won_deals, sourced_revenue, influenced_revenue, gross_margin_pct, return_amount, mdf_paid,
    discounts, program_costs, investment, ropi, velocity_median_days, velocity_avg_days,
    velocity_deals, deals_decided, deals_decided_in_sla, deals_approved, sla_attainment_pct,
    approval_rate_pct, funnel_submitted, funnel_approved, funnel_won, funnel_rejected,
    mdf_won_revenue, mdf_roi, psat_answers, psat_average, computed_at)
  SELECT %(t)s, partner_id, ps, currency, tier_id, partner_type,
    won_deals, sourced_revenue, influenced_revenue, gross_margin_pct, return_amount, mdf_paid,
    discounts, program_costs, investment, ropi, velocity_median_days, velocity_avg_days,
    velocity_deals, deals_decided, deals_decided_in_sla, deals_approved, sla_attainment_pct,
    approval_rate_pct, funnel_submitted, funnel_approved, funnel_won, funnel_rejected,
    mdf_won_revenue, mdf_roi, psat_answers, psat_average, now()
  FROM f
  -- A row whose figures are all unchanged is left as it is (not even locked: one rollup
  -- computation per tenant at a time, LOCK_SQL): a rerun over mostly settled quarters
  -- writes only what moved, and its computed_at stays that of the run that last changed it.
  WHERE NOT EXISTS (
    SELECT 1 FROM {rollup} o
    WHERE o.tenant_id = %(t)s AND o.partner_id = f.partner_id AND o.period_start = f.ps
      AND (o.currency, o.tier_id, o.partner_type,
        o.won_deals, o.sourced_revenue, o.influenced_revenue, o.gross_margin_pct,
        o.return_amount, o.mdf_paid, o.discounts, o.program_costs, o.investment, o.ropi,
        o.velocity_median_days, o.velocity_avg_days, o.velocity_deals, o.deals_decided,
        o.deals_decided_in_sla, o.deals_approved, o.sla_attainment_pct, o.approval_rate_pct,
        o.funnel_submitted, o.funnel_approved, o.funnel_won, o.funnel_rejected,
        o.mdf_won_revenue, o.mdf_roi, o.psat_answers, o.psat_average)
      IS NOT DISTINCT FROM (f.currency, f.tier_id, f.partner_type,
        f.won_deals, f.sourced_revenue, f.influenced_revenue, f.gross_margin_pct,
        f.return_amount, f.mdf_paid, f.discounts, f.program_costs, f.investment, f.ropi,
        f.velocity_median_days, f.velocity_avg_days, f.velocity_deals, f.deals_decided,
        f.deals_decided_in_sla, f.deals_approved, f.sla_attainment_pct, f.approval_rate_pct,
        f.funnel_submitted, f.funnel_approved, f.funnel_won, f.funnel_rejected,
        f.mdf_won_revenue, f.mdf_roi, f.psat_answers, f.psat_average))
  ON CONFLICT (tenant_id, partner_id, period_start) DO UPDATE SET
    currency = EXCLUDED.currency, tier_id = EXCLUDED.tier_id,
    partner_type = EXCLUDED.partner_type, won_deals = EXCLUDED.won_deals,
    sourced_revenue = EXCLUDED.sourced_revenue,
    influenced_revenue = EXCLUDED.influenced_revenue,
    gross_margin_pct = EXCLUDED.gross_margin_pct, return_amount = EXCLUDED.return_amount,
    mdf_paid = EXCLUDED.mdf_paid, discounts = EXCLUDED.discounts,
    program_costs = EXCLUDED.program_costs, investment = EXCLUDED.investment,
    ropi = EXCLUDED.ropi, velocity_median_days = EXCLUDED.velocity_median_days,
    velocity_avg_days = EXCLUDED.velocity_avg_days, velocity_deals = EXCLUDED.velocity_deals,
    deals_decided = EXCLUDED.deals_decided,
    deals_decided_in_sla = EXCLUDED.deals_decided_in_sla,
    deals_approved = EXCLUDED.deals_approved,
    sla_attainment_pct = EXCLUDED.sla_attainment_pct,
    approval_rate_pct = EXCLUDED.approval_rate_pct,
    funnel_submitted = EXCLUDED.funnel_submitted, funnel_approved = EXCLUDED.funnel_approved,
    funnel_won = EXCLUDED.funnel_won, funnel_rejected = EXCLUDED.funnel_rejected,
    mdf_won_revenue = EXCLUDED.mdf_won_revenue, mdf_roi = EXCLUDED.mdf_roi,
    psat_answers = EXCLUDED.psat_answers, psat_average = EXCLUDED.psat_average,
    computed_at = EXCLUDED.computed_at
)
-- f has one row per partner and period (pt one per partner and period): counted without
-- reading f a second time, which would make PostgreSQL materialise all of it (hundreds of MB
-- of temporary files at large scale) instead of streaming it into the INSERT.
SELECT (SELECT COUNT(*) FROM p) * (SELECT COUNT(*) FROM q)
"""
# The per-partner parts of the statement, limited to the partners recomputed (and to what
# their figures read of others': the won deals they influenced or whose campaign code is one
# of their fund requests', with every influencer of those deals for the shares; every
# partner's tier for the tier-cost shares). Each limit is an index look-up, so a run for a
# few partners reads their rows, not the program's.
_SOME_PARTNERS = {
    "partner_filter": "AND id = ANY(%(ids)s)",
    "deal_filter": "AND d.partner_id = ANY(%(ids)s)",
    "won_filter": _tables(
        """AND d.id IN (
    SELECT x.id FROM {deal} x WHERE x.tenant_id = %(t)s AND x.partner_id = ANY(%(ids)s)
    UNION SELECT i.deal_id FROM {influencer} i
    WHERE i.tenant_id = %(t)s AND i.partner_id = ANY(%(ids)s)
    UNION SELECT x.id FROM {request} r JOIN {deal} x ON x.tenant_id = %(t)s
      AND x.mdf_campaign_code = r.campaign_code
    WHERE r.tenant_id = %(t)s AND r.partner_id = ANY(%(ids)s) AND r.campaign_code <> ''
      AND x.mdf_campaign_code <> '')"""
    ),
    "direct_filter": _tables(
        """AND d.id IN (SELECT i.direct_deal_id FROM {direct_influencer} i
    WHERE i.tenant_id = %(t)s AND i.partner_id = ANY(%(ids)s))"""
    ),
    "ledger_filter": "AND e.partner_id = ANY(%(ids)s)",
    "survey_filter": "AND partner_id = ANY(%(ids)s)",
}
ROLLUP_SQL = _tables(_ROLLUP_SQL, **dict.fromkeys(_SOME_PARTNERS, ""))
ROLLUP_SOME_PARTNERS_SQL = _tables(_ROLLUP_SQL, **_SOME_PARTNERS)
# work_mem for ROLLUP_SQL alone: at the default 4MB a large tenant's hundreds of thousands of
# (partner, quarter) groups spill the aggregates to disk in 21 batches.
ROLLUP_WORK_MEM = "64MB"
# Set work_mem and enable_nestloop for the rest of the transaction, returning the previous
# values (for ROLLUP_SETTINGS_RESTORE_SQL).
ROLLUP_SETTINGS_SQL = (
    "SELECT current_setting('work_mem'), current_setting('enable_nestloop'),"
    " set_config('work_mem', %s, true),"
    " set_config('enable_nestloop', %s, true)"
)
ROLLUP_SETTINGS_RESTORE_SQL = (
    "SELECT set_config('work_mem', %s, true), set_config('enable_nestloop', %s, true)"
)

# Time to first deal: one row per activated partner with its activation month, days to its
# first deal and its dimensions (type, tier, region, channel manager), brought up to date in
# one statement: rows of partners no longer in it are deleted, new or changed rows upserted,
# and unchanged rows left as they are (their computed_at is that of the run that last changed
# them). A full run covers the whole table; an incremental run the same statement limited to
# the partners it recomputes.
_COHORT_SQL = """
WITH c AS (
  SELECT tenant_id, id AS partner_id,
    date_trunc('month', activated_at AT TIME ZONE 'UTC')::date AS cohort_month, partner_type,
    tier_id, region, owner_id AS manager_id,
    CASE WHEN first_deal_at IS NOT NULL THEN GREATEST((first_deal_at AT TIME ZONE 'UTC')::date
                                    - (activated_at AT TIME ZONE 'UTC')::date, 0) END
      AS first_deal_days
  FROM {partner}
  WHERE tenant_id = %(t)s AND activated_at IS NOT NULL AND status <> 'applicant'
    {partner_filter}
), gone AS (
  DELETE FROM {cohort} o WHERE o.tenant_id = %(t)s {cohort_filter}
    AND NOT EXISTS (SELECT 1 FROM c WHERE c.partner_id = o.partner_id)
)
INSERT INTO {cohort} (tenant_id, partner_id, cohort_month, partner_type, tier_id, region,
  manager_id, first_deal_days, computed_at)
SELECT c.*, now() FROM c
WHERE NOT EXISTS (
  SELECT 1 FROM {cohort} o WHERE o.tenant_id = %(t)s AND o.partner_id = c.partner_id
    AND (o.cohort_month, o.partner_type, o.tier_id, o.region, o.manager_id, o.first_deal_days)
      IS NOT DISTINCT FROM (c.cohort_month, c.partner_type, c.tier_id, c.region, c.manager_id,
                            c.first_deal_days))
ON CONFLICT (tenant_id, partner_id) DO UPDATE SET
  cohort_month = EXCLUDED.cohort_month, partner_type = EXCLUDED.partner_type,
  tier_id = EXCLUDED.tier_id, region = EXCLUDED.region, manager_id = EXCLUDED.manager_id,
  first_deal_days = EXCLUDED.first_deal_days, computed_at = EXCLUDED.computed_at
"""
COHORT_SQL = _tables(_COHORT_SQL, partner_filter="", cohort_filter="")
# The same for some partners (an incremental run): the others' rows are left as they are.
COHORT_SOME_PARTNERS_SQL = _tables(
    _COHORT_SQL,
    partner_filter="AND id = ANY(%(ids)s)",
    cohort_filter="AND o.partner_id = ANY(%(ids)s)",
)

# One rollup computation per tenant at a time (nightly, on demand, after a settings change):
# two concurrent rebuilds of the cohort table would collide on its unique key.
LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('analytics.rollups'), %(t)s::int)"

# Partners whose rollup inputs changed since %(since)s (audit trail, ledger, surveys).
_CHANGED_SQL = """
SELECT d.partner_id FROM {deal} d
JOIN {audit} e ON e.object_id = d.id::text AND e.object_type = 'dealreg.deal'
WHERE d.tenant_id = %(t)s AND e.tenant_id = %(t)s AND e.created_at >= %(since)s
UNION
SELECT i.partner_id FROM {influencer} i
JOIN {audit} e ON e.object_id = i.deal_id::text AND e.object_type = 'dealreg.deal'
WHERE i.tenant_id = %(t)s AND e.tenant_id = %(t)s AND e.created_at >= %(since)s
UNION
SELECT i.partner_id FROM {influencer} i
WHERE i.tenant_id = %(t)s AND i.created_at >= %(since)s
UNION
SELECT i.partner_id FROM {direct_influencer} i
JOIN {direct} d ON d.id = i.direct_deal_id
WHERE i.tenant_id = %(t)s AND d.tenant_id = %(t)s
  AND (i.created_at >= %(since)s OR d.updated_at >= %(since)s)
UNION
-- A direct deal's influencers before and after each change the CRM made ([partner, ...]
-- per influencer): a partner the CRM took off a won deal loses the revenue too.
SELECT (x.inf ->> 0)::bigint FROM {audit} e
CROSS JOIN LATERAL jsonb_array_elements(
  COALESCE(e.before -> 'influencers', '[]'::jsonb)
  || COALESCE(e.after -> 'influencers', '[]'::jsonb)
) AS x(inf)
WHERE e.tenant_id = %(t)s AND e.created_at >= %(since)s AND e.object_type = 'dealreg.directdeal'
UNION
SELECT partner_id FROM {ledger} WHERE tenant_id = %(t)s AND created_at >= %(since)s
UNION
SELECT r.partner_id FROM {request} r
JOIN {deal} d ON d.tenant_id = %(t)s AND d.mdf_campaign_code = r.campaign_code
JOIN {audit} e ON e.object_id = d.id::text AND e.object_type = 'dealreg.deal'
WHERE r.tenant_id = %(t)s AND r.campaign_code <> '' AND e.tenant_id = %(t)s
  AND e.created_at >= %(since)s
UNION
SELECT partner_id FROM {survey} WHERE tenant_id = %(t)s AND created_at >= %(since)s
UNION
SELECT e.object_id::bigint FROM {audit} e
WHERE e.tenant_id = %(t)s AND e.created_at >= %(since)s AND e.object_type = 'partners.partner'
  AND e.object_id ~ '^[0-9]+$'
"""
CHANGED_SQL = _tables(_CHANGED_SQL)

# The partners marked changed since the last refresh, taken (their marks deleted) by it.
PENDING_TAKE_SQL = _tables("DELETE FROM {pending} WHERE tenant_id = %(t)s RETURNING partner_id")
