"""Every raw SQL statement account mapping runs (the overlap computation, the registration
backfill). Statements are code: only the scope clauses below are put in, and every value is
a bound parameter. Row-level security limits each statement to the transaction's tenant as
well as the explicit tenant filter."""

from __future__ import annotations

# The accounts of one side that take part in matching. {scope} narrows the changed side.
_SIDES = """
v AS NOT MATERIALIZED (
    SELECT id, domain, name_normalised FROM accountmap_account
    WHERE tenant_id = %(tenant)s AND partner_id IS NULL AND is_active {vscope}
),
p AS NOT MATERIALIZED (
    SELECT id, partner_id, domain, name_normalised FROM accountmap_account
    WHERE tenant_id = %(tenant)s AND partner_id IS NOT NULL AND is_active {pscope}
),
-- Free-mail domains are left out after the join (few rows), behind a fence: the planner
-- takes "not one of ~4,800 domains" for a filter that keeps almost nothing and would then
-- pick a nested loop over every pair of accounts.
dm AS MATERIALIZED (
    SELECT v.id AS vid, p.id AS pid, p.partner_id, v.domain
    FROM v JOIN p ON p.domain = v.domain
    WHERE v.domain <> ''
),
m AS (
    SELECT vid, pid, partner_id, 'domain' AS kind FROM dm
    WHERE NOT (domain = ANY(%(free)s::text[]))
      AND NOT (split_part(domain, '.', 1) = ANY(%(families)s::text[]))
    UNION ALL
    SELECT v.id, p.id, p.partner_id, 'name'
    FROM v JOIN p ON p.name_normalised = v.name_normalised
    WHERE v.name_normalised <> ''
),
want AS (
    -- 'domain' sorts before 'name': a pair matched both ways is shown as a domain match.
    SELECT vid, pid, min(partner_id) AS partner_id, min(kind) AS matched_on
    FROM m GROUP BY vid, pid
)
"""

# The overlaps that should exist within the scope replace those that do; returns one row per
# partner with the ids of the overlaps that are new, and one (partner NULL) with the number
# removed and the introduction requests closed with them.
# Constant SQL: the scopes are code, every value is bound.
REFRESH = (
    "WITH"  # noqa: S608
    + _SIDES
    + """,
gone AS (
    DELETE FROM accountmap_overlap o
    WHERE o.tenant_id = %(tenant)s {oscope} AND {unwanted}
    RETURNING o.id
),
-- What points at a removed overlap goes with it: the note that its reps were told, and an
-- introduction asked about it (returned, so the caller audits each one it closes).
gone_notices AS (
    DELETE FROM accountmap_overlapnotice n
    WHERE n.tenant_id = %(tenant)s AND n.overlap_id IN (SELECT id FROM gone)
),
gone_intros AS (
    DELETE FROM accountmap_introrequest i
    WHERE i.tenant_id = %(tenant)s AND i.overlap_id IN (SELECT id FROM gone)
    RETURNING i.id, i.partner_id, i.overlap_id, i.status, i.message, i.requested_by_id,
              i.created_at
),
put AS (
    INSERT INTO accountmap_overlap
        (tenant_id, partner_id, vendor_account_id, partner_account_id, matched_on, created_at)
    SELECT %(tenant)s, partner_id, vid, pid, matched_on, now() FROM want
    -- In the order of the partner accounts (each partner's are numbered together): four of
    -- the table's five indexes then grow at their end instead of at random pages.
    ORDER BY partner_id, pid, vid
    ON CONFLICT (tenant_id, vendor_account_id, partner_account_id) DO UPDATE
        SET matched_on = EXCLUDED.matched_on
        WHERE accountmap_overlap.matched_on <> EXCLUDED.matched_on
    RETURNING id, partner_id, (xmax = 0) AS inserted
)
SELECT NULL::bigint, ARRAY[]::bigint[], (SELECT count(*) FROM gone),
       (SELECT coalesce(jsonb_agg(to_jsonb(gone_intros) ORDER BY id), '[]') FROM gone_intros)
UNION ALL
SELECT partner_id, array_agg(id ORDER BY id), 0, NULL FROM put WHERE inserted
GROUP BY partner_id
"""
)

# A scoped run's overlaps are found with "= ANY(array)" and its unwanted ones with NOT IN:
# both are conditions on each overlap row, the array and the wanted pairs looked up in a hash
# (PostgreSQL hashes a constant array of more than 8 items, and a small NOT IN subquery),
# whatever the planner believes. Joins are what go wrong there: right after a full run, before
# autovacuum has analysed the 1.5 million new overlaps, the planner takes the table for empty,
# and with the ids as a semi-join and the wanted pairs as an anti-join it anti-joined every
# overlap of the tenant first and then compared each with each of 10,000 ids (a 0.4 s upload
# ran for over ten minutes at large scale; with the same statistics it now takes 1.4 s).
# Worst case now: the tenant's overlaps read once with two hash probes each (~0.5 s at 1.5
# million). The full run keeps NOT EXISTS: its wanted pairs are too many for a NOT IN hash.
_IDS_ANY = "= ANY(%(ids)s::bigint[])"
_NOT_WANTED = """NOT EXISTS (
          SELECT 1 FROM want w WHERE w.vid = o.vendor_account_id AND w.pid = o.partner_account_id
      )"""
_NOT_IN_WANTED = "(o.vendor_account_id, o.partner_account_id) NOT IN (SELECT vid, pid FROM want)"

SCOPES = {
    # everything of the tenant
    "full": {"vscope": "", "pscope": "", "oscope": "", "unwanted": _NOT_WANTED},
    # one partner's accounts against every vendor account
    "partner": {
        "vscope": "",
        "pscope": "AND partner_id = %(partner)s",
        "oscope": "AND o.partner_id = %(partner)s",
        "unwanted": _NOT_IN_WANTED,
    },
    # some vendor accounts against every partner
    "vendor_ids": {
        "vscope": "AND id = ANY(%(ids)s)",
        "pscope": "",
        "oscope": f"AND o.vendor_account_id {_IDS_ANY}",
        "unwanted": _NOT_IN_WANTED,
    },
    # some accounts of one partner against every vendor account (the ids are that partner's,
    # from its own writes; naming the partner too would make the planner multiply both
    # selectivities and, with statistics older than the upload, expect a handful of rows)
    "partner_ids": {
        "vscope": "",
        "pscope": "AND id = ANY(%(ids)s)",
        "oscope": f"AND o.partner_account_id {_IDS_ANY}",
        "unwanted": _NOT_IN_WANTED,
    },
}


def refresh_sql(scope: str) -> str:
    return REFRESH.format(**SCOPES[scope])


# work_mem for a full run's statement alone: at the default 4MB, the matching and grouping of
# a large tenant's accounts (two million matched pairs) spill to disk in dozens of batches.
FULL_WORK_MEM = "256MB"
# Set work_mem for the rest of the transaction, returning the previous value.
WORK_MEM_SET = "SELECT current_setting('work_mem'), set_config('work_mem', %s, true)"
WORK_MEM_RESTORE = "SELECT set_config('work_mem', %s, true)"


# A partner's registrations that are not yet its accounts (older deals, and the set-based
# expiry sweep, which emits no in-process events), and registration accounts whose status no
# longer follows their deal's.
REGISTRATION_STATUS = """
CASE WHEN d.status IN ('submitted', 'under_review', 'approved') THEN 'opportunity'
     WHEN d.status = 'won' THEN 'customer' ELSE 'prospect' END
"""

BACKFILL_REGISTRATIONS = f"""
INSERT INTO accountmap_account
    (tenant_id, partner_id, deal_id, name, name_normalised, domain, status, source,
     external_id, owner_name, owner_email, industry, region, country, is_active,
     created_at, updated_at)
SELECT d.tenant_id, d.partner_id, d.id, d.customer_name, d.customer_name_normalised,
       d.customer_domain, {REGISTRATION_STATUS}, 'registration', '', '', '', '', '', '', true,
       now(), now()
FROM dealreg_deal d
WHERE d.tenant_id = %(tenant)s AND d.status NOT IN ('draft', 'withdrawn')
  AND NOT EXISTS (SELECT 1 FROM accountmap_account a WHERE a.deal_id = d.id)
RETURNING id
"""  # noqa: S608 (constant SQL: no input is formatted in)

SYNC_REGISTRATIONS = f"""
UPDATE accountmap_account a
SET status = {REGISTRATION_STATUS}, updated_at = now()
FROM dealreg_deal d
WHERE a.deal_id = d.id AND a.tenant_id = %(tenant)s
  AND a.status <> {REGISTRATION_STATUS}
RETURNING a.id
"""  # noqa: S608 (constant SQL: no input is formatted in)
