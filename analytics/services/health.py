"""Portal activity and partner health: the audit trail -> activity per member per day; one
query gathers every partner's figures, the pure scorer in analytics.rules explains them, one
COPY and one upsert store the day's snapshots, one statement copies the scores into
PartnerMetrics through partners.services.metrics_upsert (the table's one writer; tier
evaluation reads the scores there), and at-risk episodes are opened/closed in bulk; each new
episode queues one notification. All must run inside tenant_context(tenant)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import orjson
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from psycopg.types.json import Jsonb

from analytics import rules, sql
from analytics.models import AnalyticsSettings, HealthSnapshot, RiskEpisode
from community import selectors as community_selectors
from partners import services as partner_services
from prm import events
from prm.audit import log_action
from prm.tasks import dispatch

SIGN_IN_ACTIONS = ("auth.login",)
HEALTH_STATUSES = ("onboarding", "active")

# --- Portal activity ----------------------------------------------------------------------


def activity_record(*, tenant, since: datetime.date) -> int:
    """Recount sign-ins and actions per member per day from `since` (whole days, so a rerun
    gives the same rows). Returns the number of rows written."""
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
    with connection.cursor() as cur:
        cur.execute(
            sql.ACTIVITY_SQL,
            {"t": tenant.pk, "since": start, "sign_in": list(SIGN_IN_ACTIONS)},
        )
        return cur.rowcount


# --- Health -------------------------------------------------------------------------------


_ZERO = Decimal(0)


def _dec(value) -> Decimal:
    if type(value) is Decimal:  # sums of numeric columns: used as they are
        return value
    return Decimal(str(value)) if value else _ZERO  # medians come back as floats


def health_figures(*, tenant, today: datetime.date) -> dict[int, rules.Figures]:
    """Every scored partner's figures as of the end of `today`, in one query."""
    now = datetime.datetime.combine(today, datetime.time.max, tzinfo=datetime.UTC)

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    params = {
        "t": tenant.pk,
        "statuses": list(HEALTH_STATUSES),
        "now": now,
        "today": today,
        "d90": ago(90),
        "d180": ago(180),
        "d365": ago(365),
        "day30": today - datetime.timedelta(days=30),
        "day365": today - datetime.timedelta(days=365),
    }
    with connection.cursor() as cur:
        cur.execute(sql.FIGURES_SQL, params)
        cols = [c.name for c in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    attended = community_selectors.attended_counts(since=ago(90), until=now)
    held = community_selectors.events_held(since=ago(90), until=now)
    return {
        r["id"]: rules.Figures(
            pipeline_90=_dec(r["pipeline_90"]),
            pipeline_prev_90=_dec(r["prev_90"]),
            median_pipeline_90=_dec(r["median_pipeline"]),
            won_12m=_dec(r["won_12m"]),
            median_won_12m=_dec(r["median_won"]),
            won_deals=r["won_n"],
            lost_deals=r["lost_n"],
            days_since_last=r["days_since"],
            certified_people=r["certified"],
            completions_12m=r["completions"],
            active_days_30=r["active_days"],
            mdf_allocated=_dec(r["mdf_allocated"]),
            mdf_paid=_dec(r["mdf_paid"]),
            onboarding_done=r["ob_done"],
            onboarding_total=r["ob_total"],
            events_attended_90=attended.get(r["id"], 0),
            events_held_90=held,
        )
        for r in rows
    }


@transaction.atomic
def health_compute(*, tenant, today: datetime.date | None = None, notify: bool = True) -> int:
    """Score every onboarding or active partner for `today` (idempotent: a rerun replaces
    the day's snapshots), update PartnerMetrics.health_score, and open or close at-risk
    episodes (`notify=False` when back-filling history: no e-mail for past episodes).
    Returns the number of partners scored."""
    today = today or timezone.localdate()
    config = AnalyticsSettings.for_tenant(tenant)
    weights = config.weights()
    activity_record(tenant=tenant, since=today - datetime.timedelta(days=31))
    figures = health_figures(tenant=tenant, today=today)
    # Highest score of the previous 30 days, per partner: one aggregate.
    recent_high = dict(
        HealthSnapshot.objects.filter(day__gte=today - datetime.timedelta(days=30), day__lt=today)
        .values_list("partner_id")
        .annotate(high=Max("score"))
    )
    now = timezone.now()
    # The rows stream from the scorer into one COPY and one upsert: memory stays flat however
    # many partners there are, and no jsonb[] array is built (Django's bulk upsert of 45,000
    # snapshots spent 20 s escaping array text in Python). Only at-risk snapshots are kept.
    # orjson writes the two documents a row (the json module took ~40 % of the COPY's time).
    at_risk_snapshots: list[HealthSnapshot] = []
    scored = 0

    def rows():
        nonlocal scored
        for partner_id, f in figures.items():
            value, components, drivers = rules.score(f, weights)
            at_risk = rules.risk_message(
                score_today=value,
                score_30_days_ago=recent_high.get(partner_id),
                below=config.at_risk_below,
                drop=config.at_risk_drop,
            )
            reason = rules.english(at_risk) if at_risk else ""
            if at_risk:
                drivers = [at_risk, *drivers]
                at_risk_snapshots.append(
                    HealthSnapshot(
                        tenant=tenant,
                        partner_id=partner_id,
                        day=today,
                        score=value,
                        drivers=drivers,
                        at_risk=True,
                        risk_reason=reason,
                    )
                )
            scored += 1
            yield (
                partner_id,
                value,
                Jsonb(components, dumps=orjson.dumps),
                Jsonb(drivers, dumps=orjson.dumps),
                bool(reason),
                reason,
            )

    with connection.cursor() as cur:
        raw = cur.cursor
        raw.execute(sql.HEALTH_STAGE_CREATE_SQL)
        raw.execute(sql.HEALTH_STAGE_TRUNCATE_SQL)
        with raw.copy(sql.HEALTH_STAGE_COPY_SQL) as copy:
            for row in rows():
                copy.write_row(row)
        raw.execute(sql.SNAPSHOT_UPSERT_SQL, {"t": tenant.pk, "day": today, "now": now})
        raw.execute(sql.TIER_SCORES_SQL, {"t": tenant.pk, "day": today, "now": now})
    partner_services.metrics_upsert(
        tenant=tenant,
        columns=["health_score"],
        source_sql=sql.METRICS_SOURCE_SQL,
        params={"t": tenant.pk, "day": today},
    )
    _episodes_update(tenant=tenant, today=today, at_risk_snapshots=at_risk_snapshots, notify=notify)
    return scored


def _episodes_update(
    *, tenant, today: datetime.date, at_risk_snapshots: list[HealthSnapshot], notify: bool
) -> None:
    # local: analytics.tasks imports analytics.services, and so this module
    from analytics import tasks

    open_ids = set(
        RiskEpisode.objects.filter(ended_on__isnull=True).values_list("partner_id", flat=True)
    )
    at_risk = {s.partner_id: s for s in at_risk_snapshots}
    recovered = open_ids - set(at_risk)
    if recovered:
        RiskEpisode.objects.filter(ended_on__isnull=True, partner_id__in=recovered).update(
            ended_on=today
        )
    new = [
        RiskEpisode(
            tenant=tenant,
            partner_id=pid,
            started_on=today,
            reason=s.risk_reason,
            reason_msg=s.drivers[0],  # the risk message leads the drivers (health_compute)
            score=s.score,
        )
        for pid, s in at_risk.items()
        if pid not in open_ids
    ]
    # ignore_conflicts: a concurrent run that opened the same episode wins; no duplicate.
    RiskEpisode.objects.bulk_create(new, ignore_conflicts=True)
    if not notify:
        return
    for episode in RiskEpisode.objects.filter(
        ended_on__isnull=True, notified_at__isnull=True, partner_id__in=[e.partner_id for e in new]
    ):
        log_action(
            "analytics.partner_at_risk",
            tenant=tenant,
            obj=episode,
            object_label=f"partner {episode.partner_id}",
            after={"reason": episode.reason, "score": episode.score},
        )
        dispatch(tasks.notify_at_risk, tenant=tenant, episode_id=episode.pk)


@transaction.atomic
def at_risk_notify(*, tenant, episode_id: int) -> bool:
    """Tell the partner's channel manager, once per episode, through the outbox: the
    conditional update claims the episode and the `partner.health_at_risk` event is written in
    the same transaction, so a task delivered twice (or a rolled-back run) makes one event.
    The relay turns it into the manager's notification (admins' when the partner has no
    active manager) and into webhook deliveries."""
    claimed = RiskEpisode.objects.filter(
        pk=episode_id, ended_on__isnull=True, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if claimed != 1:
        return False
    episode = RiskEpisode.objects.select_related("partner__owner").get(pk=episode_id)
    partner = episode.partner
    owner = partner.owner if partner.owner_id and partner.owner.is_active else None
    events.emit(
        "partner.health_at_risk",
        {
            "episode_id": episode.pk,
            "partner_id": partner.pk,
            "manager_id": owner.pk if owner else None,
            "score": episode.score,
            "reason": episode.reason,
            "started_on": episode.started_on,
            "label": f"{partner.name}: {episode.reason}"[:200],
            "path": f"/analytics/partners/{partner.pk}/",
        },
        tenant=tenant,
    )
    log_action(
        "analytics.at_risk_notified",
        tenant=tenant,
        obj=episode,
        object_label=f"partner {partner.pk}",
        after={"manager": owner.pk if owner else None},
    )
    return True
