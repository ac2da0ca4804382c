"""Attribution, ROPI and the other KPIs per (partner, quarter), the time-to-first-deal
cohorts, and the runs that compute them (nightly, incremental, on demand, after a
program-wide change). The statements are in analytics.sql. All must run inside
tenant_context(tenant)."""

from __future__ import annotations

import datetime
import logging

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import sql
from analytics.models import (
    AnalyticsSettings,
    PartnerRollup,
    ProgramCost,
    RollupPending,
    RollupRun,
)
from analytics.services.health import health_compute
from analytics.services.periods import quarter_start, quarters_back
from partners.models import Partner, PartnerStatus
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import AuditEvent
from prm.tasks import dispatch

log = logging.getLogger(__name__)


def _lock_rollups(tenant) -> None:
    """Wait for any other rollup computation of the tenant to commit (held to the end of the
    transaction; taken before the settings are read, so a run that waited reads the newest
    ones)."""
    with connection.cursor() as cur:
        cur.execute(sql.LOCK_SQL, {"t": tenant.pk})


def rollups_compute(
    *,
    tenant,
    periods: list[datetime.date] | None = None,
    partner_ids: list[int] | None = None,
) -> int:
    """Attribution, ROPI and the other KPIs per partner and quarter, in the settings'
    currency, in one INSERT ... SELECT: sourced revenue to the registering partner, influenced
    revenue split between approved influencers (even or by weight), deals in other currencies
    converted at mdf's exchange rate of the closing day; return = (sourced + influenced) x
    gross margin; investment = MDF paid + discount of the tier the partner had when each
    resale deal was won + program costs (tier costs shared evenly by the tier's partners).
    Also deal velocity, approval SLA attainment and approval rate, the registration funnel,
    MDF ROI and PSAT; then the time-to-first-deal cohorts are brought up to date. The tier
    dimension is the tier the partner held at the end of each quarter (from its applied tier
    changes).
    `partner_ids` limits the recompute to partners whose data changed; the result for them
    equals a full recompute. A full recompute (no periods, no partner_ids) clears the
    "stale" mark set before it began. Rows whose figures did not change are not rewritten,
    so their `computed_at` stays that of the run that last changed them. Returns the number
    of (partner, quarter) rows computed (and now stored), changed or not."""
    started = timezone.now()
    full = periods is None and partner_ids is None
    _lock_rollups(tenant)
    config = AnalyticsSettings.for_tenant(tenant)
    periods = periods or quarters_back(timezone.localdate(), 5)
    params = {
        "t": tenant.pk,
        "today": timezone.localdate(),
        "starts": [quarter_start(p) for p in periods],
        "cur": config.currency,
        "weighted": config.attribution_model == "weighted",
        "margin": config.gross_margin_pct,
    }
    statement = sql.ROLLUP_SQL
    if partner_ids is not None:
        statement = sql.ROLLUP_SOME_PARTNERS_SQL
        params["ids"] = list(partner_ids)
    with connection.cursor() as cur:
        # For this statement only (sql.ROLLUP_WORK_MEM), then restored for the rest of the
        # caller's transaction.
        # A full run joins whole sets: hash joins. Nested loops are kept off because a
        # tenant the statistics have not seen yet (any tenant added since the last ANALYZE
        # of these big shared tables) is estimated at ~1 row, and nested loops over its
        # thousands of rows took 20-40 s instead of 0.1 s. A run for a few partners keeps
        # them: there, index look-ups are right.
        cur.execute(
            sql.ROLLUP_SETTINGS_SQL,
            [sql.ROLLUP_WORK_MEM, "on" if partner_ids is not None else "off"],
        )
        previous, previous_nestloop = cur.fetchone()[:2]
        cur.execute(statement, params)
        rows = cur.fetchone()[0]
        cur.execute(sql.ROLLUP_SETTINGS_RESTORE_SQL, [previous, previous_nestloop])
        if partner_ids is None:
            cur.execute(sql.COHORT_SQL, {"t": tenant.pk})
        else:
            cur.execute(sql.COHORT_SOME_PARTNERS_SQL, {"t": tenant.pk, "ids": params["ids"]})
    if full:
        # Fresh again, unless an input changed after this computation began.
        AnalyticsSettings.objects.filter(rollups_stale_since__lte=started).update(
            rollups_stale_since=None, rollups_stale_reason=""
        )
        AnalyticsSettings.objects.filter(pk=config.pk).update(rollups_checked_at=started)
    return rows


# Changes that move every partner's figures: recompute everything.
GLOBAL_ACTIONS = (
    "analytics.settings_updated",
    "rules.published",
    "analytics.program_cost_added",
    "tier.updated",
    "mdf.exchange_rate.set",
    "mdf.exchange_rate.imported",
)


def changed_partners(*, tenant, since: datetime.datetime) -> list[int] | None:
    """Partners whose rollup inputs changed since `since` (deals and their influencers,
    MDF ledger entries, tier or status changes), read from the audit trail and the ledger in
    one statement; None when a program-wide input changed (settings, costs, a tier's terms)."""
    if AuditEvent.objects.filter(created_at__gte=since, action__in=GLOBAL_ACTIONS).exists():
        return None
    with connection.cursor() as cur:
        cur.execute(sql.CHANGED_SQL, {"t": tenant.pk, "since": since})
        return sorted({row[0] for row in cur.fetchall()})


# How far before the last check the nightly run looks again: a change whose audit row was
# written before that check began but committed after it is still found.
CHECK_OVERLAP = datetime.timedelta(minutes=10)


def rollups_refresh(*, tenant, today: datetime.date | None = None) -> int:
    """The nightly rollup: incremental for the partners whose data changed since the last
    nightly or full run (equal to a full recompute for them; this also catches the changes
    no event marks, such as an influencer approved or a protection expired), full when there
    is no earlier rollup, when a program-wide input changed (or the rollups are marked
    stale), or on the first day of a quarter (a new period starts)."""
    started = timezone.now()
    config = AnalyticsSettings.for_tenant(tenant)
    last = config.rollups_checked_at
    if last is None:
        # Rollups stored before the checks were recorded: the last run that changed a row.
        last = PartnerRollup.objects.aggregate(at=Max("computed_at"))["at"]
    today = today or timezone.localdate()
    stale = config.rollups_stale_since is not None
    if last is None or stale or today == quarter_start(today):
        return rollups_compute(tenant=tenant)
    ids = changed_partners(tenant=tenant, since=last - CHECK_OVERLAP)
    if ids is None:
        return rollups_compute(tenant=tenant)
    rows = rollups_compute(tenant=tenant, partner_ids=ids) if ids else 0
    AnalyticsSettings.objects.filter(pk=config.pk).update(rollups_checked_at=started)
    return rows


def rollup_run_request(*, tenant, member) -> RollupRun:
    """Queue an on-demand recompute (refused while one is already queued or running)."""
    # local: analytics.tasks imports analytics.services, and so this module
    from analytics import tasks

    # A run older than an hour that never finished (worker lost) no longer blocks a new one.
    if RollupRun.objects.filter(
        status__in=[RollupRun.Status.QUEUED, RollupRun.Status.RUNNING],
        created_at__gte=timezone.now() - datetime.timedelta(hours=1),
    ).exists():
        raise DomainError(_("A recompute is already under way."))
    run = RollupRun.objects.create(tenant=tenant, requested_by=member)
    log_action("analytics.rollup_requested", obj=run)
    dispatch(tasks.run_rollups, tenant=tenant, run_id=run.pk)
    return run


@transaction.atomic
def rollups_mark_stale(*, tenant, reason: str) -> RollupRun:
    """A program-wide input changed (analytics settings; the rules of engagement, whose review
    targets decide SLA attainment): mark the stored rollups stale and make sure a full
    recompute (health and rollups, with visible progress) runs once this transaction commits.

    A queued run that no worker has claimed yet is reused: it has not read anything, and the
    row lock taken here makes a worker's claim wait for this commit. A run a worker already
    holds (its row is locked, so skipped) may have read the old inputs, so a new run is
    queued behind it. The mark is cleared by the first full recompute that began after it."""
    # local: analytics.tasks imports analytics.services, and so this module
    from analytics import tasks

    config = AnalyticsSettings.for_tenant(tenant)
    reason = reason[:200]
    AnalyticsSettings.objects.filter(pk=config.pk).update(
        rollups_stale_since=timezone.now(), rollups_stale_reason=reason
    )
    run = (
        RollupRun.objects.select_for_update(skip_locked=True)
        .filter(
            status=RollupRun.Status.QUEUED,
            created_at__gte=timezone.now() - datetime.timedelta(hours=1),
        )
        .order_by("-created_at")
        .first()
    )
    if run is None:
        run = RollupRun.objects.create(tenant=tenant, reason=reason)
        dispatch(tasks.run_rollups, tenant=tenant, run_id=run.pk)
    log_action(
        "analytics.rollups_marked_stale",
        tenant=tenant,
        obj=config,
        after={"reason": reason, "run": run.pk},
    )
    return run


def rollup_run_execute(*, tenant, run_id: int) -> RollupRun | None:
    """Claim the run (conditional update), compute health and rollups, record the result."""
    claimed = RollupRun.objects.filter(
        pk=run_id, status__in=[RollupRun.Status.QUEUED, RollupRun.Status.RUNNING]
    ).update(status=RollupRun.Status.RUNNING)
    if claimed != 1:
        return None
    try:
        with transaction.atomic():
            _lock_rollups(tenant)
            health_compute(tenant=tenant)
            rows = rollups_compute(tenant=tenant)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, which people see
        log.exception("rollup run %s failed", run_id)
        RollupRun.objects.filter(pk=run_id).update(
            status=RollupRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:300]
        )
        return RollupRun.objects.get(pk=run_id)
    RollupRun.objects.filter(pk=run_id).update(
        status=RollupRun.Status.DONE, finished_at=timezone.now(), rows=rows
    )
    return RollupRun.objects.get(pk=run_id)


# --- Fresh figures after each change --------------------------------------------------------
#
# A change to a partner's rollup inputs (a deal submitted, decided, won or lost, a claim paid,
# a cost added, a tier or status change; analytics.subscribers) marks the partners it affects
# in its own transaction (RollupPending). Once it commits, one `analytics.refresh_rollups`
# task per tenant is queued unless one is already waiting; that task recomputes every marked
# partner with the same statements as the full run (rollups_compute with partner_ids), so
# under a stream of changes each run takes everything that arrived while the previous one
# ran. The beat sweep re-queues marks whose task was lost (broker down at commit time).

# Set while a refresh task is queued and has not started yet (cache.add: one wins).
REFRESH_KEY = "analytics:rollups-refresh:{tenant}"
# A kick whose task never ran (lost with a broker outage) holds the key at most this long;
# the sweep picks its marks up in the meantime.
REFRESH_KEY_TTL = 120
# Above this many marked partners one full run is cheaper than the per-partner statements.
REFRESH_FULL_ABOVE = 2000
# The sweep queues a refresh for marks at least this old (younger ones have a task coming).
REFRESH_SWEEP_AFTER = datetime.timedelta(seconds=60)


def rollups_mark_changed(*, tenant_id: int, partner_ids) -> int:
    """Mark partners whose rollup inputs the current transaction changes; their rollups are
    recomputed once it commits (a rolled back change leaves no mark and queues nothing).
    Returns the number of partners marked."""
    ids = sorted({int(i) for i in partner_ids if i})
    if not ids:
        return 0
    RollupPending.objects.bulk_create(
        [RollupPending(tenant_id=tenant_id, partner_id=i) for i in ids]
    )
    transaction.on_commit(lambda: _queue_refresh(tenant_id), robust=True)
    return len(ids)


def _queue_refresh(tenant_id: int) -> None:
    """Queue the tenant's refresh task unless one is queued and not yet started (that one
    will read this change: it clears the key before it reads the marks)."""
    # local: analytics.tasks imports analytics.services, and so this module
    from analytics import tasks

    if cache.add(REFRESH_KEY.format(tenant=tenant_id), 1, timeout=REFRESH_KEY_TTL):
        dispatch(tasks.refresh_rollups, tenant_id=tenant_id)


def tier_cost_sharers(tier_ids, period: datetime.date) -> list[int]:
    """The partners that share a tier cost of the quarter starting `period` for any of
    `tier_ids` (an even share each, so one partner joining or leaving the tier moves all
    their figures): none when the tiers have no cost in that quarter. For the quarter under
    way that is the tier's partners today; for an earlier one, those whose stored rollup of
    that quarter has the tier (the tier held at its end)."""
    tier_ids = [t for t in tier_ids if t]
    end = quarter_start(period + datetime.timedelta(days=100))
    if (
        not tier_ids
        or not ProgramCost.objects.filter(
            tier_id__in=tier_ids, incurred_on__gte=period, incurred_on__lt=end
        ).exists()
    ):
        return []
    ids = set(
        PartnerRollup.objects.filter(period_start=period, tier_id__in=tier_ids).values_list(
            "partner_id", flat=True
        )
    )
    if period == quarter_start(timezone.localdate()):
        ids.update(
            Partner.objects.filter(tier_id__in=tier_ids)
            .exclude(status=PartnerStatus.APPLICANT)
            .values_list("pk", flat=True)
        )
    return sorted(ids)


def rollups_refresh_changed(*, tenant) -> int:
    """Recompute the rollups of the partners marked changed (all of them in one statement,
    equal to a full recompute for them) and remove their marks, in one transaction. Returns
    the number of partners recomputed."""
    cache.delete(REFRESH_KEY.format(tenant=tenant.pk))
    with transaction.atomic():
        # Serialised with the other runs of the tenant; waiting here, this run collects the
        # marks of every change that commits in the meantime.
        _lock_rollups(tenant)
        with connection.cursor() as cur:
            cur.execute(sql.PENDING_TAKE_SQL, {"t": tenant.pk})
            ids = sorted({row[0] for row in cur.fetchall()})
        if not ids:
            return 0
        if len(ids) > REFRESH_FULL_ABOVE:
            rollups_compute(tenant=tenant)
        else:
            rollups_compute(tenant=tenant, partner_ids=ids)
    return len(ids)


def rollups_refresh_sweep(*, tenant) -> int:
    """The beat's safety net: when marks older than REFRESH_SWEEP_AFTER are left (their task
    was lost, say with a broker outage at commit time), refresh them now. Returns the number
    of partners recomputed."""
    old = RollupPending.objects.filter(created_at__lt=timezone.now() - REFRESH_SWEEP_AFTER)
    if not old.exists():
        return 0
    return rollups_refresh_changed(tenant=tenant)
