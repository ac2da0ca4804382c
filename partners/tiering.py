"""Tier evaluation: set-based SQL over the whole tenant, never a Python loop over partners.

One query finds, for every active partner, the best tier whose requirements its metrics meet
(`QUALIFY`). Evaluation turns that into a handful of UPDATE/INSERT statements (upgrades,
pending approvals, grace periods, downgrades, audit rows). The what-if preview runs the same
query against thresholds typed into a form instead of the stored tiers, and saves nothing.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from partners.models import ProgramSettings
from prm import events

STORED_TIERS = """
    SELECT id, rank, min_won_revenue_12m AS min_rev, min_won_deals_12m AS min_deals,
           min_certified_people AS min_certs, min_health_score AS min_health,
           discount_pct, mdf_allocation, mdf_accrual_pct
    FROM partners_tier WHERE tenant_id = %(tenant)s
"""

# Every active partner with its figures (the part of QUALIFY the preview shares).
ACTIVE_METRICS = """
    SELECT p.id AS partner_id, p.name, p.tier_id AS current_tier_id, p.below_tier_since,
           COALESCE(pm.won_revenue_12m, 0) AS rev, COALESCE(pm.won_deals_12m, 0) AS deals,
           COALESCE(pm.certified_people, 0) AS certs, pm.health_score AS health
    FROM partners_partner p
    LEFT JOIN partners_partnermetrics pm
           ON pm.partner_id = p.id AND pm.tenant_id = p.tenant_id
    WHERE p.tenant_id = %(tenant)s AND p.status = 'active'
"""

# The best tier of `{tiers}` whose requirements each partner of m meets.
BEST_TIER = """
    SELECT DISTINCT ON (m.partner_id) m.partner_id, t.id AS tier_id, t.rank
    FROM m JOIN {tiers} t
      ON (t.min_rev IS NULL OR m.rev >= t.min_rev)
     AND (t.min_deals IS NULL OR m.deals >= t.min_deals)
     AND (t.min_certs IS NULL OR m.certs >= t.min_certs)
     AND (t.min_health IS NULL OR COALESCE(m.health, -1) >= t.min_health)
    ORDER BY m.partner_id, t.rank DESC
"""

QUALIFY = (
    "WITH tiers AS ({tiers}), m AS ("
    + ACTIVE_METRICS
    + "), q AS ("
    + BEST_TIER.format(tiers="tiers")
    + """)
SELECT m.partner_id, m.name, m.current_tier_id, cur.rank AS current_rank, m.below_tier_since,
       q.tier_id AS qualified_tier_id, q.rank AS qualified_rank,
       m.rev, m.deals, m.certs, m.health
FROM m
LEFT JOIN q ON q.partner_id = m.partner_id
LEFT JOIN partners_tier cur ON cur.id = m.current_tier_id AND cur.tenant_id = %(tenant)s
"""
)

# What evaluation does with a partner of QUALIFY's result `e`.
ACTION = """CASE
  WHEN e.qualified_rank IS NOT NULL AND e.current_tier_id IS NULL THEN 'place'
  WHEN e.qualified_rank > e.current_rank THEN 'up'
  WHEN e.current_tier_id IS NOT NULL
       AND (e.qualified_rank IS NULL OR e.qualified_rank < e.current_rank)
    THEN CASE WHEN e.below_tier_since IS NULL THEN 'warn'
              WHEN e.below_tier_since <= %(grace_end)s THEN 'down'
              ELSE 'grace' END
  ELSE 'same' END"""

METRICS_JSON = (
    "jsonb_build_object('won_revenue_12m', e.rev::text, 'won_deals_12m', e.deals, "
    "'certified_people', e.certs, 'health_score', e.health)"
)


@dataclass
class EvaluationResult:
    upgraded: list[int]
    pending: list[int]
    warned: list[int]
    downgraded: list[int]
    unchanged: int

    def as_dict(self) -> dict:
        return {
            "upgraded": len(self.upgraded),
            "pending_approval": len(self.pending),
            "grace_started": len(self.warned),
            "downgraded": len(self.downgraded),
            "unchanged": self.unchanged,
        }


def _lock(tenant_id: int) -> None:
    """One evaluation per tenant at a time: concurrent runs queue up and each sees the
    previous one's result, so parallel evaluations leave one consistent outcome."""
    key = int.from_bytes(
        hashlib.sha256(f"tiers:{tenant_id}".encode()).digest()[:8], "big", signed=True
    )
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def evaluate(*, tenant, today: datetime.date | None = None) -> EvaluationResult:
    """Evaluate every active partner of `tenant`. Must run inside tenant_context(tenant)."""
    settings = ProgramSettings.for_tenant(tenant)
    today = today or timezone.now().date()
    grace_end = today - datetime.timedelta(days=settings.tier_downgrade_grace_days)
    p = {"tenant": tenant.pk, "today": today, "grace_end": grace_end}
    _lock(tenant.pk)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tier_eval")
        # Every partner's figures and best tier, classified as it is written (one pass);
        # every later statement reads this.
        cur.execute(
            "CREATE TEMP TABLE tier_eval ON COMMIT DROP AS SELECT e.*, " + ACTION + " AS action"
            " FROM (" + QUALIFY.format(tiers=STORED_TIERS) + ") e",
            p,
        )
        total = cur.rowcount
        # A temporary table has no statistics until analysed: without them PostgreSQL
        # guessed ~150 rows and joined the partners row by row through their index.
        cur.execute("ANALYZE tier_eval")
        upgrade_actions = "'place'" if settings.tier_upgrade_requires_approval else "'place', 'up'"

        # Placements and (unless approval is required) upgrades, and downgrades after grace.
        cur.execute(
            f"""
            INSERT INTO partners_tierchange (tenant_id, partner_id, from_tier_id, to_tier_id,
                direction, status, metrics, reason, created_at, decided_at)
            SELECT %(tenant)s, e.partner_id, e.current_tier_id, e.qualified_tier_id,
                   CASE WHEN e.action = 'down' THEN 'down' ELSE 'up' END, 'applied',
                   {METRICS_JSON},
                   CASE WHEN e.action = 'down' THEN 'below requirements after grace period'
                        ELSE 'meets requirements' END, now(), now()
            FROM tier_eval e WHERE e.action IN ({upgrade_actions}, 'down')
        """,
            p,
        )
        cur.execute(
            f"""
            INSERT INTO prm_auditevent (tenant_id, actor_id, actor_label, action, object_type,
                object_id, object_label, before, after, ip, user_agent, created_at)
            SELECT %(tenant)s, NULL, 'tier-evaluation', 'partner.tier_changed',
                   'partners.partner', e.partner_id::text, left(e.name, 200),
                   jsonb_build_object('tier', e.current_tier_id),
                   jsonb_build_object('tier', e.qualified_tier_id, 'metrics', {METRICS_JSON}),
                   NULL, '', now()
            FROM tier_eval e WHERE e.action IN ({upgrade_actions}, 'down')
        """,
            p,
        )
        cur.execute(
            f"""
            UPDATE partners_partner p SET tier_id = e.qualified_tier_id, below_tier_since = NULL
            FROM tier_eval e
            WHERE p.id = e.partner_id AND p.tenant_id = %(tenant)s
              AND e.action IN ({upgrade_actions}, 'down')
        """,
            p,
        )
        cur.execute(
            events.outbox_sql(
                "partner.tier_changed",
                "jsonb_build_object('partner_id', e.partner_id, 'tier_id', e.qualified_tier_id,"
                " 'previous_tier_id', e.current_tier_id, 'label', e.name, 'path', '/tier/')",
                f"tier_eval e WHERE e.action IN ({upgrade_actions}, 'down')",
            )
        )

        if settings.tier_upgrade_requires_approval:
            cur.execute(
                f"""
                INSERT INTO partners_tierchange (tenant_id, partner_id, from_tier_id,
                    to_tier_id, direction, status, metrics, reason, created_at)
                SELECT %(tenant)s, e.partner_id, e.current_tier_id, e.qualified_tier_id, 'up',
                       'pending', {METRICS_JSON}, 'meets requirements', now()
                FROM tier_eval e WHERE e.action = 'up'
                ON CONFLICT (tenant_id, partner_id) WHERE status = 'pending'
                DO UPDATE SET to_tier_id = EXCLUDED.to_tier_id, metrics = EXCLUDED.metrics
            """,
                p,
            )
        # Pending upgrades the partner no longer qualifies for are withdrawn.
        cur.execute(
            """
            UPDATE partners_tierchange c SET status = 'cancelled', decided_at = now(),
                   reason = 'no longer meets the requirements'
            FROM tier_eval e
            WHERE c.partner_id = e.partner_id AND c.tenant_id = %(tenant)s
              AND c.status = 'pending' AND e.action <> 'up'
        """,
            p,
        )

        # Grace periods: start them (warning), and end them when the partner recovers.
        cur.execute(
            """
            UPDATE partners_partner p SET below_tier_since = %(today)s
            FROM tier_eval e WHERE p.id = e.partner_id AND p.tenant_id = %(tenant)s
              AND e.action = 'warn'
        """,
            p,
        )
        cur.execute(
            """
            UPDATE partners_partner p SET below_tier_since = NULL
            FROM tier_eval e WHERE p.id = e.partner_id AND p.tenant_id = %(tenant)s
              AND e.action IN ('same', 'up') AND p.below_tier_since IS NOT NULL
        """,
            p,
        )
        cur.execute(
            """
            INSERT INTO prm_auditevent (tenant_id, actor_id, actor_label, action, object_type,
                object_id, object_label, before, after, ip, user_agent, created_at)
            SELECT %(tenant)s, NULL, 'tier-evaluation', 'partner.tier_grace_started',
                   'partners.partner', e.partner_id::text, left(e.name, 200), NULL,
                   jsonb_build_object('below_tier_since', %(today)s::text), NULL, '', now()
            FROM tier_eval e WHERE e.action = 'warn'
        """,
            p,
        )

        cur.execute("SELECT action, array_agg(partner_id) FROM tier_eval GROUP BY action")
        groups = dict(cur.fetchall())
        # The tiers the moved partners left or joined (for the apps whose figures follow a
        # tier's membership: analytics shares tier costs among a tier's partners).
        cur.execute(
            "SELECT array_agg(DISTINCT t) FROM tier_eval e,"
            " unnest(ARRAY[e.current_tier_id, e.qualified_tier_id]) AS t"
            f" WHERE e.action IN ({upgrade_actions}, 'down') AND t IS NOT NULL"
        )
        moved_tiers = cur.fetchone()[0] or []
    up = groups.get("place", []) + (
        [] if settings.tier_upgrade_requires_approval else groups.get("up", [])
    )
    moved = up + groups.get("down", [])
    if moved:
        events.emit(
            "partner.tiers_evaluated", {"partner_ids": moved, "tier_ids": moved_tiers}, tenant
        )
    return EvaluationResult(
        upgraded=up,
        pending=groups.get("up", []) if settings.tier_upgrade_requires_approval else [],
        warned=groups.get("warn", []),
        downgraded=groups.get("down", []),
        unchanged=total - len(up) - len(groups.get("down", [])),
    )


@dataclass
class WhatIfTier:
    id: int
    rank: int
    name: str
    min_rev: Decimal | None
    min_deals: int | None
    min_certs: int | None
    min_health: int | None
    discount_pct: Decimal
    mdf_allocation: Decimal
    mdf_accrual_pct: Decimal


def what_if(*, tenant, tiers: list[WhatIfTier], limit: int = 500) -> dict:
    """Where every active partner would land under `tiers` (requirements only; grace periods
    ignored), and the change in discount and MDF commitments. Saves nothing."""
    if not tiers:
        return {
            "movers": [],
            "up": 0,
            "down": 0,
            "discount_change": Decimal("0"),
            "mdf_change": Decimal("0"),
            "total": 0,
        }
    named: dict = {"tenant": tenant.pk}
    for i, t in enumerate(tiers):
        row = [
            t.id,
            t.rank,
            t.min_rev,
            t.min_deals,
            t.min_certs,
            t.min_health,
            t.discount_pct,
            t.mdf_allocation,
            t.mdf_accrual_pct,
        ]
        for j, value in enumerate(row):
            named[f"v{i * 9 + j}"] = value
    source = source_named(len(tiers))
    sql = QUALIFY.format(tiers=source)
    query = f"""
        WITH r AS ({sql}),
        old AS (SELECT id, discount_pct, mdf_allocation, mdf_accrual_pct
                FROM partners_tier WHERE tenant_id = %(tenant)s),
        new AS ({source})
        SELECT r.partner_id, r.name, r.current_tier_id, r.qualified_tier_id,
               COALESCE(r.current_rank, -1) AS cur_rank, COALESCE(r.qualified_rank, -1)
                 AS new_rank,
               (COALESCE(n.discount_pct, 0) - COALESCE(o.discount_pct, 0)) / 100 * r.rev
                 AS discount_change,
               (COALESCE(n.mdf_allocation, 0) - COALESCE(o.mdf_allocation, 0))
               + (COALESCE(n.mdf_accrual_pct, 0) - COALESCE(o.mdf_accrual_pct, 0)) / 100 * r.rev
                 AS mdf_change,
               r.rev
        FROM r
        LEFT JOIN old o ON o.id = r.current_tier_id
        LEFT JOIN new n ON n.id = r.qualified_tier_id
        WHERE r.qualified_tier_id IS DISTINCT FROM r.current_tier_id
        ORDER BY abs(COALESCE(r.qualified_rank, -1) - COALESCE(r.current_rank, -1)) DESC,
                 r.name
    """
    with connection.cursor() as cur:
        cur.execute(query, named)
        cols = [c.name for c in cur.description]
        rows = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        cur.execute(
            "SELECT count(*) FROM partners_partner WHERE tenant_id = %s AND status = 'active'",
            [tenant.pk],
        )
        total = cur.fetchone()[0]
    names = {t.id: t.name for t in tiers}
    up = sum(1 for r in rows if r["new_rank"] > r["cur_rank"])
    return {
        "movers": [
            {
                **r,
                "direction": "up" if r["new_rank"] > r["cur_rank"] else "down",
                "to_name": names.get(r["qualified_tier_id"], "—"),
            }
            for r in rows[:limit]
        ],
        "up": up,
        "down": len(rows) - up,
        "discount_change": sum((r["discount_change"] for r in rows), Decimal("0")),
        "mdf_change": sum((r["mdf_change"] for r in rows), Decimal("0")),
        "total": total,
    }


def source_named(n: int) -> str:
    rows = ", ".join(
        f"(%(v{i * 9})s::bigint, %(v{i * 9 + 1})s::int, %(v{i * 9 + 2})s::numeric, "
        f"%(v{i * 9 + 3})s::int, %(v{i * 9 + 4})s::int, %(v{i * 9 + 5})s::int, "
        f"%(v{i * 9 + 6})s::numeric, %(v{i * 9 + 7})s::numeric, %(v{i * 9 + 8})s::numeric)"
        for i in range(n)
    )
    return (
        f"SELECT * FROM (VALUES {rows}) AS v(id, rank, min_rev, min_deals, min_certs, "
        "min_health, discount_pct, mdf_allocation, mdf_accrual_pct)"
    )
