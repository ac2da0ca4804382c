"""The set-based commission computation: every won registration's commission lines under one
published program version, as one SQL statement (the per-deal path, services.compute, does
the same deal by deal in Python; tests/incentives/test_incentives_setbased.py checks that both
write identical lines).

For one version, the statement

1. takes the won deals whose closing day it governs (the version in force at the end of the
   closing day, as `versions_in_force(end_of_day(on))` picks it: from its `effective_from` up
   to the next published version's);
2. with accelerators, each deal's exchange rate to the payout currency (mdf's rate in force
   on the closing day) and the partner's sourced won revenue earlier in the period (a window
   over all of the partner's won deals of the period, ordered by closing day and id, as
   `VOLUME_SQL` with `before`);
3. the parties: the registering partner (sourced, share 1) and the approved influencers other
   than it (shares by the tenant's attribution model, rounded half-even to 6 places as
   Python's `quantize`);
4. the rate: the most specific override matching the party's tier and type, the deal's type
   and products (a CASE over the overrides in order of specificity, then as listed), else
   the base rate; and the amount (the accelerator bands of the sourced line, each portion at
   its multiplier, rounded once);
5. inserts the lines `ON CONFLICT (tenant_id, key) DO NOTHING` (the per-deal path's keys, so
   lines either path wrote are never written twice) with their first ledger entry, an audit
   event and an `earning.created` outbox event each, in the same statement.

Rules are validated data (incentives.rules.clean_rules), but every value still goes in as a
query parameter; the SQL text is built only from the rules' shape."""

from __future__ import annotations

import datetime
from decimal import Decimal

from incentives.models import ProgramVersion
from incentives.rules import DIMENSIONS
from prm import events, history

# Rounded half-even to 6 places (Python's Decimal.quantize default; PostgreSQL's ROUND is
# half away from zero): a share is never negative.
HALF_EVEN_6 = (
    "(CASE WHEN ({x}) * 1000000 - trunc(({x}) * 1000000) = 0.5"
    " AND mod(trunc(({x}) * 1000000), 2) = 0"
    " THEN trunc(({x}), 6) ELSE round(({x}), 6) END)"
)

# The deal's exchange rate to the payout currency on its closing day (1 for one currency).
FX_LATERAL = """
  CROSS JOIN LATERAL (
    SELECT CASE WHEN d.currency = %(cur)s THEN 1::numeric ELSE (
      SELECT x.rate FROM mdf_exchangerate x
      WHERE x.tenant_id = d.tenant_id AND x.from_currency = d.currency
        AND x.to_currency = %(cur)s AND x.valid_from <= d.closed_at
      ORDER BY x.valid_from DESC LIMIT 1) END AS rate
  ) fx
"""


def version_spans(
    versions: list[ProgramVersion],
) -> list[tuple[ProgramVersion, datetime.date, datetime.date | None]]:
    """(version, first closing day, first closing day of the next version or None) for
    each published version that governs any day. A version is in force at the end of a
    closing day when it is the latest effective by then (ties: the higher number)."""
    ordered = sorted(versions, key=lambda v: (v.effective_from, v.version))
    out = []
    for i, v in enumerate(ordered):
        nxt = ordered[i + 1].effective_from if i + 1 < len(ordered) else None
        lo = v.effective_from.astimezone(datetime.UTC).date()
        hi = nxt.astimezone(datetime.UTC).date() if nxt is not None else None
        if hi is not None and hi <= lo:
            continue
        out.append((v, lo, hi))
    return out


def _rate_case(rules: dict, key: str, params: dict, prefix: str) -> str:
    """The rate of one role as SQL: the overrides that set it, most specific first (the
    first listed on a tie), each a conjunction of its filters; else the base rate."""
    rows = [(i, o) for i, o in enumerate(rules.get("overrides") or []) if o.get(key) is not None]
    rows.sort(key=lambda r: (-sum(r[1].get(d) is not None for d in DIMENSIONS), r[0]))
    whens = []
    for i, o in rows:
        conds = []
        for dim in DIMENSIONS:
            want = o.get(dim)
            if want is None:
                continue
            name = f"{prefix}{i}_{dim}"
            if dim in ("tier", "product") and not isinstance(want, int):
                conds.append("FALSE")  # never equal to an id (as in Python)
                continue
            params[name] = want
            if dim == "tier":
                conds.append(f"pp.tier_id = %({name})s")
            elif dim == "partner_type":
                conds.append(f"pp.partner_type = %({name})s")
            elif dim == "deal_type":
                conds.append(f"d.deal_type = %({name})s")
            else:
                exists = "EXISTS (SELECT 1 FROM dealreg_dealproduct dp WHERE dp.tenant_id = %(t)s"
                conds.append(f"{exists} AND dp.deal_id = d.id AND dp.product_id = %({name})s)")
        params[f"{prefix}{i}_rate"] = Decimal(o[key])
        whens.append(f"WHEN {' AND '.join(conds)} THEN %({prefix}{i}_rate)s::numeric")
    params[f"{prefix}base"] = Decimal(rules.get(key) or 0)
    if not whens:
        return f"%({prefix}base)s::numeric"
    return f"CASE {' '.join(whens)} ELSE %({prefix}base)s::numeric END"


def _accelerated_sql(rules: dict, params: dict) -> str:
    """The sourced amount with accelerators, before rounding: each band's portion of the
    deal's revenue (in the payout currency, above the partner's earlier volume `lo` up to
    `hi`) back in the deal's currency, at the rate times the band's multiplier."""
    bands = [(Decimal(0), Decimal(1))] + [
        (Decimal(a["threshold"]), Decimal(a["multiplier"])) for a in rules["accelerators"]
    ]
    terms = []
    for i, (start, mult) in enumerate(bands):
        params[f"b{i}_s"], params[f"b{i}_m"] = start, mult
        top = "y.hi"
        if i + 1 < len(bands):
            params[f"b{i}_e"] = bands[i + 1][0]
            top = f"LEAST(y.hi, %(b{i}_e)s::numeric)"
        terms.append(
            f"GREATEST({top} - GREATEST(y.lo, %(b{i}_s)s::numeric), 0)"
            f" / y.fx * y.rate * %(b{i}_m)s::numeric / 100"
        )
    return " + ".join(terms)


def commission_lines_sql(
    *,
    version: ProgramVersion,
    first_day: datetime.date,
    end_day: datetime.date | None,
    tenant_id: int,
    weighted: bool,
) -> tuple[str, dict]:
    """The CTEs (ending in `lines`) of every commission line the version's won deals earn:
    deal_id, partner_id, role, share, base, rate, amount, currency, closed_at, prior."""
    rules, program = version.rules, version.program
    params: dict = {
        "t": tenant_id,
        "cur": program.currency,
        "period": rules.get("period") or "quarter",
        "lo_day": first_day,
        "hi_day": end_day,
        "weighted": weighted,
    }
    accel = bool(rules.get("accelerators"))
    in_span = "d.closed_at >= %(lo_day)s AND (%(hi_day)s::date IS NULL OR d.closed_at < %(hi_day)s)"
    if accel:
        deals = f"""
won AS (
  SELECT d.id, d.tenant_id, d.partner_id, d.closed_at, d.currency, d.deal_type,
         COALESCE(d.won_amount, d.amount, 0) AS revenue, fx.rate AS fx
  FROM dealreg_deal d {FX_LATERAL}
  WHERE d.tenant_id = %(t)s AND d.status = 'won' AND d.closed_at IS NOT NULL
), vol AS (
  SELECT w.*, COALESCE(SUM(ROUND(w.revenue * w.fx, 2)) OVER (
      PARTITION BY w.partner_id, date_trunc(%(period)s, w.closed_at::timestamp)
      ORDER BY w.closed_at, w.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prior
  FROM won w
), d AS (SELECT * FROM vol d WHERE {in_span})"""  # noqa: S608 (code, never input)
    else:
        deals = f"""
d AS (
  SELECT d.id, d.tenant_id, d.partner_id, d.closed_at, d.currency, d.deal_type,
         COALESCE(d.won_amount, d.amount, 0) AS revenue, NULL::numeric AS fx,
         0::numeric AS prior
  FROM dealreg_deal d
  WHERE d.tenant_id = %(t)s AND d.status = 'won' AND d.closed_at IS NOT NULL AND {in_span}
)"""  # noqa: S608 (code, never input)
    raw_share = (
        "CASE WHEN %(weighted)s"
        " THEN i.weight / NULLIF(SUM(i.weight) OVER (PARTITION BY i.deal_id), 0)"
        " ELSE 1.0 / COUNT(*) OVER (PARTITION BY i.deal_id) END"
    )
    src_rate = _rate_case(rules, "sourced_rate", params, "s")
    inf_rate = _rate_case(rules, "influenced_rate", params, "i")
    amount = "ROUND(y.base * y.rate / 100, 2)"
    if accel:
        bands = _accelerated_sql(rules, params)
        amount = (
            "CASE WHEN y.role = 'sourced' AND y.fx IS NOT NULL AND y.fx <> 0"
            f" THEN ROUND({bands}, 2) ELSE {amount} END"
        )
    sql = f"""
WITH {deals}, pa AS (
  SELECT d.id AS deal_id, d.partner_id, 'sourced'::text AS role, 1::numeric AS share FROM d
  UNION ALL
  SELECT r.deal_id, r.partner_id, 'influenced', COALESCE({HALF_EVEN_6.format(x="r.raw")}, 0)
  FROM (
    SELECT i.deal_id, i.partner_id, {raw_share} AS raw
    FROM dealreg_dealinfluencer i JOIN d ON d.id = i.deal_id
    WHERE i.tenant_id = %(t)s AND i.status = 'approved' AND i.partner_id <> d.partner_id
  ) r
), x AS (
  SELECT d.id AS deal_id, d.closed_at, d.currency, d.fx, d.prior, pa.partner_id, pa.role,
         pa.share, ROUND(d.revenue * pa.share, 2) AS base,
         CASE WHEN pa.role = 'sourced' THEN {src_rate} ELSE {inf_rate} END AS rate
  FROM pa JOIN d ON d.id = pa.deal_id
  JOIN partners_partner pp ON pp.id = pa.partner_id AND pp.tenant_id = %(t)s
), y AS (
  SELECT x.*, x.prior AS lo, x.prior + x.base * x.fx AS hi FROM x
), lines AS (
  SELECT y.deal_id, y.partner_id, y.role, y.share, y.base, y.rate, y.currency, y.closed_at,
         y.prior, y.fx,
         {amount} AS amount
  FROM y
)"""  # noqa: S608 (code, never input)
    return sql, params


def write_sql(figures: str, *, kind_label: str) -> tuple[str, dict]:
    """The statement that writes the `lines` of `figures` as earnings (commission lines
    with no amount left out), each with its earn ledger entry, audit event and outbox
    event; it returns how many lines it wrote."""
    payload = (
        "jsonb_build_object('earning_id', e.id, 'partner_id', e.partner_id, 'program_id',"
        " e.program_id, 'version_id', e.version_id, 'kind', e.kind, 'role', e.role, 'status',"
        " e.status, 'deal_id', e.deal_id, 'amount', e.amount::text, 'currency', e.currency,"
        " 'payout_amount', NULL, 'payout_currency', '', 'fx_rate', NULL, 'earned_on',"
        " e.earned_on, 'hold_until', e.hold_until, 'reversal_reason', '', 'label',"
        " left('E-' || e.id || ' ' || %(kind_label)s || ' · ' || pn.name || ' · ' ||"
        " e.currency || ' ' || to_char(e.amount, 'FM999,999,999,999,990.00'), 200),"
        " 'path', '/incentives/earnings/' || e.id || '/')"
    )
    if history.is_history():
        payload += f" || jsonb_build_object('{history.HISTORY_KEY}', true)"
    outbox = events.outbox_sql(
        "earning.created", payload, "ins e JOIN partners_partner pn ON pn.id = e.partner_id"
    )
    sql = f"""{figures}, ins AS (
  INSERT INTO incentives_earning (
    tenant_id, partner_id, program_id, version_id, kind, role, status, deal_id,
    base_amount, share, rate, amount, currency, computation, reason, key, earned_on,
    hold_until, created_at, payout_currency, payment_reference, reversal_reason)
  SELECT %(t)s, l.partner_id, %(program)s, %(version)s, 'commission', l.role,
    CASE WHEN %(days)s::int > 0 AND l.closed_at + %(days)s::int > %(today)s::date
      THEN 'held' ELSE 'pending' END,
    l.deal_id, l.base, l.share, l.rate, l.amount, l.currency,
    %(facts)s::jsonb || jsonb_build_object('set_based', true, 'fx', l.fx::text, 'steps',
      jsonb_build_array(
        jsonb_build_object('step', 'base', 'share', l.share::text, 'base', l.base::text),
        jsonb_build_object('step', 'rate', 'rate', l.rate::text),
        jsonb_build_object('step', 'prior_volume', 'prior', l.prior::text))),
    '', 'deal:' || l.deal_id || ':p' || %(program)s || ':' || l.role || ':' || l.partner_id,
    l.closed_at, CASE WHEN %(days)s::int > 0 THEN l.closed_at + %(days)s::int END, now(),
    '', '', ''
  FROM lines l WHERE l.amount <> 0
  ORDER BY l.deal_id, l.role DESC, l.partner_id
  ON CONFLICT (tenant_id, key) DO NOTHING
  RETURNING id, tenant_id, partner_id, program_id, version_id, kind, role, status, deal_id,
    amount, currency, earned_on, hold_until
), led AS (
  INSERT INTO incentives_ledgerentry (tenant_id, partner_id, earning_id, kind, bucket, amount,
    currency, reference, memo, created_at)
  SELECT e.tenant_id, e.partner_id, e.id, 'earn', e.status, e.amount, e.currency, '', e.kind,
    now()
  FROM ins e
), aud AS (
  INSERT INTO prm_auditevent (tenant_id, actor_id, actor_label, action, object_type,
    object_id, object_label, before, after, ip, user_agent, created_at)
  SELECT e.tenant_id, %(actor)s, %(actor_label)s, 'earning.created', 'incentives.earning',
    e.id::text, 'E-' || e.id, NULL,
    jsonb_build_object('kind', e.kind, 'partner', e.partner_id, 'amount', e.amount::text,
      'currency', e.currency, 'status', e.status, 'deal', e.deal_id, 'version', e.version_id,
      'set_based', true),
    NULL, '', now()
  FROM ins e
), ob AS ({outbox})
SELECT COUNT(*) FROM ins"""  # noqa: S608 (code, never input)
    return sql, {"kind_label": kind_label}
