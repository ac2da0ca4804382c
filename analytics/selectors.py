"""Reads for the dashboards and the API. Nothing here recomputes a score or a rollup: pages
read the stored snapshots and rollups, and every function issues a fixed number of queries
whatever the number of partners or deals. Must run in tenant_context."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower, NullIf, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import get_scope

from analytics.models import (
    FirstDealCohort,
    HealthSnapshot,
    PartnerRollup,
    RiskEpisode,
    SurveyResponse,
    TierScores,
)
from analytics.services.periods import quarter_start, quarters_back
from dealreg.models import Deal, DealStatus
from partners.models import Partner, PartnerMetrics, PartnerStatus, Tier
from prm.models import Member
from prm.roles import Role

# A benchmark is shown only among at least this many peers, so it cannot identify anyone.
MIN_PEERS = 3
ZERO = Decimal("0")


def visible_partners(member: Member) -> QuerySet[Partner]:
    """Partners a member may see analytics for: staff all, a partner member only its own."""
    if member.role in (Role.ADMIN, Role.CHANNEL_MANAGER):
        return Partner.objects.all()
    return Partner.objects.filter(pk=member.partner_id)


def latest_health(partner: Partner) -> HealthSnapshot | None:
    return HealthSnapshot.objects.filter(partner=partner).order_by("-day").first()


def health_history(partner: Partner, *, days: int = 365) -> QuerySet[HealthSnapshot]:
    since = timezone.localdate() - datetime.timedelta(days=days)
    return HealthSnapshot.objects.filter(partner=partner, day__gte=since).order_by("day")


def health_current() -> QuerySet[HealthSnapshot]:
    """The latest snapshot of every partner (one query with a correlated subquery)."""
    latest = (
        HealthSnapshot.objects.filter(partner_id=OuterRef("partner_id"))
        .order_by("-day")
        .values("day")[:1]
    )
    return HealthSnapshot.objects.filter(day=Subquery(latest))


@dataclass(frozen=True)
class Benchmark:
    percentile: int  # share of peers in the same tier with a lower score, 0-100
    peers: int
    tier_name: str


def benchmark(partner: Partner, snapshot: HealthSnapshot | None) -> Benchmark | None:
    """Where the partner stands among the other partners of its tier, on the same day, as a
    percentile. Never names a peer; None below MIN_PEERS peers.

    The tier is the one the partner held when it was scored, and the peers those scored in
    it that day: one row of the day's score counts per tier (TierScores, written by the
    health run), however large the tier. Snapshots written before the health run stored
    tiers are compared by counting the day's snapshots of the partner's tier today."""
    if snapshot is None:
        return None
    if snapshot.tier_id is not None:
        row = (
            TierScores.objects.filter(day=snapshot.day, tier_id=snapshot.tier_id)
            .select_related("tier")
            .first()
        )
        if row is None:
            return None
        peers = sum(row.counts) - 1  # the partner itself is counted at its own score
        if peers < MIN_PEERS:
            return None
        return Benchmark(
            percentile=round(100 * sum(row.counts[: snapshot.score]) / peers),
            peers=peers,
            tier_name=row.tier.name,
        )
    if partner.tier_id is None:
        return None
    agg = (
        HealthSnapshot.objects.filter(day=snapshot.day, partner__tier_id=partner.tier_id)
        .exclude(partner_id=partner.pk)
        .aggregate(peers=Count("id"), lower=Count("id", filter=Q(score__lt=snapshot.score)))
    )
    if agg["peers"] < MIN_PEERS:
        return None
    return Benchmark(
        percentile=round(100 * agg["lower"] / agg["peers"]),
        peers=agg["peers"],
        tier_name=partner.tier.name,
    )


def pipeline_deals(qs: QuerySet[Deal]) -> QuerySet[Deal]:
    """The deals that count as registered pipeline: submitted and neither withdrawn nor
    rejected (the dashboards' pipeline, and the joint plans' pipeline goals)."""
    return qs.exclude(status__in=[DealStatus.DRAFT, DealStatus.WITHDRAWN, DealStatus.REJECTED])


def pipeline_between(partner_id: int, start: datetime.date, end: datetime.date) -> list:
    """The partner's registered pipeline submitted in [start, end], as (currency, amount)."""
    rows = (
        pipeline_deals(Deal.objects.filter(partner_id=partner_id))
        .filter(submitted_at__date__gte=start, submitted_at__date__lte=end)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    return [(r["currency"], r["total"]) for r in rows]


def pipeline_by_partner_day(partner_ids, first: datetime.date, last: datetime.date) -> dict:
    """Registered pipeline per partner, submission day and currency in [first, last] (one
    query; joint plans add it up per plan period)."""
    rows = (
        pipeline_deals(Deal.objects.filter(partner_id__in=partner_ids))
        .filter(submitted_at__date__gte=first, submitted_at__date__lte=last)
        .values("partner_id", "currency", day=TruncDate("submitted_at"))
        .annotate(total=Sum("amount"))
        .order_by("partner_id", "day", "currency")
    )
    out: dict[int, list] = {}
    for r in rows:
        out.setdefault(r["partner_id"], []).append((r["day"], r["currency"], r["total"]))
    return out


def rollups_by_partner_quarter(
    partner_ids, first: datetime.date, last: datetime.date, field: str
) -> dict:
    """A rollup column per partner, quarter and currency for the quarters starting in
    [quarter of first, last] (one query; joint plans add it up per plan period)."""
    rows = (
        PartnerRollup.objects.filter(
            partner_id__in=partner_ids,
            period_start__gte=quarter_start(first),
            period_start__lte=last,
        )
        .values("partner_id", "period_start", "currency")
        .annotate(total=Sum(field))
        .order_by("partner_id", "period_start", "currency")
    )
    out: dict[int, list] = {}
    for r in rows:
        out.setdefault(r["partner_id"], []).append((r["period_start"], r["currency"], r["total"]))
    return out


def rollup_totals(
    partner_id: int, start: datetime.date, end: datetime.date, field: str
) -> list[tuple[str, Decimal]]:
    """A rollup column summed over the partner's quarters that start in [start, end], per
    currency (the rollups of the quarters a period covers)."""
    rows = (
        PartnerRollup.objects.filter(
            partner_id=partner_id, period_start__gte=quarter_start(start), period_start__lte=end
        )
        .values("currency")
        .annotate(total=Sum(field))
        .order_by("currency")
    )
    return [(r["currency"], r["total"]) for r in rows]


def monthly_deals(partner: Partner | None = None, *, months: int = 12) -> list[dict]:
    """Registered pipeline and won revenue per month for the last `months` months (one
    aggregate query per measure), as [{"month": date, "pipeline": Decimal, "won": Decimal}]."""
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    qs = Deal.objects.all()
    if partner is not None:
        qs = qs.filter(partner=partner)
    pipeline = {
        r["m"].date() if isinstance(r["m"], datetime.datetime) else r["m"]: r["total"]
        for r in pipeline_deals(qs.filter(submitted_at__date__gte=first))
        .annotate(m=TruncMonth("submitted_at"))
        .values("m")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    won = {
        r["m"]: r["total"]
        for r in qs.filter(status=DealStatus.WON, closed_at__gte=first)
        .annotate(m=TruncMonth("closed_at"))
        .values("m")
        .annotate(total=Sum(Coalesce("won_amount", "amount")))
        .order_by()
    }
    out = []
    month = first
    for _i in range(months):
        out.append(
            {
                "month": month,
                "pipeline": pipeline.get(month) or ZERO,
                "won": won.get(month) or ZERO,
            }
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def rollups(
    *,
    year: int | None = None,
    period: datetime.date | None = None,
    tier: int | None = None,
    partner_type: str = "",
    region: str = "",
    manager: int | None = None,
    partner: Partner | None = None,
) -> QuerySet[PartnerRollup]:
    qs = PartnerRollup.objects.all()
    if period is not None:
        qs = qs.filter(period_start=period)
    elif year is not None:
        qs = qs.filter(period_start__year=year)
    if tier is not None:
        qs = qs.filter(tier_id=tier)
    if partner_type:
        qs = qs.filter(partner_type=partner_type)
    if region:
        qs = qs.filter(partner__region=region)
    if manager is not None:
        qs = qs.filter(partner__owner_id=manager)
    if partner is not None:
        qs = qs.filter(partner=partner)
    return qs


MONEY_SUMS = {
    "sourced": Sum("sourced_revenue"),
    "influenced": Sum("influenced_revenue"),
    "return_amount": Sum("return_amount"),
    "mdf_paid": Sum("mdf_paid"),
    "discounts": Sum("discounts"),
    "program_costs": Sum("program_costs"),
    "investment": Sum("investment"),
    "won_deals": Sum("won_deals"),
    "mdf_won": Sum("mdf_won_revenue"),
}


def _with_ropi(rows) -> list[dict]:
    out = []
    for r in rows:
        r = dict(r)
        inv = r.get("investment") or ZERO
        r["ropi"] = ((r["return_amount"] - inv) / inv).quantize(Decimal("0.01")) if inv else None
        out.append(r)
    return out


def ropi_by_tier(qs: QuerySet[PartnerRollup]) -> list[dict]:
    """ROPI per tier with its inputs (one aggregate). ROPI is computed from the sums, not
    averaged over partners."""
    rows = (
        qs.values("tier_id", tier_name=F("tier__name"), tier_rank=F("tier__rank"))
        .annotate(partners=Count("partner_id", distinct=True), **MONEY_SUMS)
        .order_by("tier_rank")
    )
    return _with_ropi(rows)


def ropi_by_type(qs: QuerySet[PartnerRollup]) -> list[dict]:
    rows = (
        qs.values("partner_type")
        .annotate(partners=Count("partner_id", distinct=True), **MONEY_SUMS)
        .order_by("partner_type")
    )
    return _with_ropi(rows)


def ropi_by_period(qs: QuerySet[PartnerRollup]) -> list[dict]:
    rows = _with_ropi(qs.values("period_start").annotate(**MONEY_SUMS).order_by("period_start"))
    for r in rows:
        r["label"] = quarter_label(r["period_start"])
    return rows


def _first_partners(qs: QuerySet[PartnerRollup], limit: int | None) -> QuerySet[PartnerRollup]:
    """The rollups of the first `limit` partners by name (and id) that have any in `qs`
    (all of `qs` without a limit). The partners are chosen first, walking the partners'
    (tenant, name) index and probing each one's rollups by the unique (tenant, partner,
    period) index, so only their rollups are added up, not the whole program's."""
    if limit is None:
        return qs
    first = (
        Partner.objects.filter(Exists(qs.filter(partner_id=OuterRef("pk"))))
        .order_by("name", "pk")
        .values("pk")[:limit]
    )
    return qs.filter(partner_id__in=first)


def quarter_label(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


# The per-partner tables have one row per partner: its quarters are added up whatever tier
# it held in each of them (the rollup's tier is the tier at the end of that quarter, which
# the by-tier tables group by), and the tier shown is the partner's tier today. Grouping by
# the rollups' tier as well split a partner that changed tier (or was placed in its first
# tier) within the period into one row per tier.
PARTNER_ROW = {"partner_name": F("partner__name"), "tier_now": F("partner__tier__name")}


def ropi_by_partner(qs: QuerySet[PartnerRollup], *, limit: int | None = None) -> list[dict]:
    """ROPI per partner (one row each, with its tier today), by name; `limit` keeps the
    first ones (a page: its cost must not grow with the number of partners; the CSV export
    has them all)."""
    rows = (
        _first_partners(qs, limit)
        .values("partner_id", **PARTNER_ROW)
        .annotate(**MONEY_SUMS)
        .order_by("partner_name", "partner_id")
    )
    return _with_ropi(rows)


# The ROPI-by-partner page sorts in the database (every partner, not just a page of them):
# its columns by key, ROPI computed from the sums as _with_ropi does (no investment: NULL, last).
PARTNER_ROPI_SORTS = {
    "partner": Lower("partner_name"),
    "tier": Lower("tier_now"),
    "won_deals": F("won_deals"),
    "sourced": F("sourced"),
    "influenced": F("influenced"),
    "return_amount": F("return_amount"),
    "investment": F("investment"),
    "ropi": (F("return_amount") - F("investment")) / NullIf(F("investment"), Value(ZERO)),
}


def ropi_by_partner_sorted(qs: QuerySet[PartnerRollup], *, key: str, descending: bool):
    """ROPI per partner (the rows of ropi_by_partner) as one grouped query sorted by `key`,
    ties by partner id, for a paginator: a page costs two queries however many partners."""
    expr = PARTNER_ROPI_SORTS[key]
    order = expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True)
    return (
        qs.values("partner_id", **PARTNER_ROW)
        .annotate(**MONEY_SUMS)
        .order_by(order, "-partner_id" if descending else "partner_id")
    )


def with_ropi(rows) -> list[dict]:
    """Rows of the per-partner sums with their ROPI (a page of ropi_by_partner_sorted)."""
    return _with_ropi(rows)


def partner_quarters(partner: Partner, *, quarters: int = 5) -> list[dict]:
    """The partner's own rollups of the last `quarters` quarters, oldest first, as dicts
    with ROPI (from the stored inputs) and the KPIs; "rollup" holds the row (one query)."""
    rows = list(
        PartnerRollup.objects.filter(partner=partner)
        .select_related("tier")
        .order_by("-period_start")[:quarters]
    )
    out = []
    for r in reversed(rows):
        out.append(
            {
                "rollup": r,
                "period_start": r.period_start,
                "label": quarter_label(r.period_start),
                "sourced": r.sourced_revenue,
                "influenced": r.influenced_revenue,
                "return_amount": r.return_amount,
                "investment": r.investment,
                "ropi": r.ropi,
                "won_deals": r.won_deals,
                "mdf_paid": r.mdf_paid,
                "discounts": r.discounts,
                "program_costs": r.program_costs,
                "velocity_median_days": r.velocity_median_days,
                "approval_rate_pct": r.approval_rate_pct,
                "sla_attainment_pct": r.sla_attainment_pct,
                "mdf_roi": r.mdf_roi,
                "psat_average": r.psat_average,
            }
        )
    return out


def partner_counts() -> list[dict]:
    rows = Partner.objects.values("status").annotate(n=Count("id")).order_by()
    counts = {r["status"]: r["n"] for r in rows}
    return [{"status": label, "n": counts.get(value, 0)} for value, label in PartnerStatus.choices]


def registration_funnel(qs: QuerySet[PartnerRollup]) -> dict:
    """Deals submitted in the rollups' quarters and how far they got, summed from the stored
    rollups (one aggregate)."""
    agg = qs.aggregate(
        submitted=Sum("funnel_submitted"),
        approved=Sum("funnel_approved"),
        won=Sum("funnel_won"),
        rejected=Sum("funnel_rejected"),
    )
    return {k: v or 0 for k, v in agg.items()}


def funnel_by_quarter(qs: QuerySet[PartnerRollup]) -> QuerySet:
    """The stored registration funnel added up per quarter (one aggregate, oldest first)."""
    return (
        qs.values("period_start")
        .annotate(
            partners=Count("partner_id", distinct=True),
            submitted=Sum("funnel_submitted"),
            approved=Sum("funnel_approved"),
            won=Sum("funnel_won"),
            rejected=Sum("funnel_rejected"),
        )
        .order_by("period_start")
    )


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * Decimal(part or 0) / Decimal(whole)).quantize(Decimal("0.1"))


def _ratio(ret, inv) -> Decimal | None:
    if not inv:
        return None
    return ((Decimal(ret or 0) - inv) / inv).quantize(Decimal("0.01"))


KPI_SUMS = {
    "won_deals": Sum("won_deals"),
    "vel_n": Sum("velocity_deals"),
    "velocity_days": Sum(F("velocity_avg_days") * F("velocity_deals")),
    "decided": Sum("deals_decided"),
    "in_sla": Sum("deals_decided_in_sla"),
    "approved": Sum("deals_approved"),
    "mdf_paid": Sum("mdf_paid"),
    "mdf_won": Sum("mdf_won_revenue"),
    "psat_n": Sum("psat_answers"),
    "psat_points": Sum(F("psat_average") * F("psat_answers")),
}


def _kpi(r: dict) -> dict:
    """Ratios computed from the sums (never averages of per-partner ratios)."""
    r = dict(r)
    r["velocity_avg_days"] = (
        (r["velocity_days"] / r["vel_n"]).quantize(Decimal("0.1"))
        if r.get("vel_n") and r.get("velocity_days") is not None
        else None
    )
    r["sla_attainment_pct"] = _pct(r.get("in_sla"), r.get("decided"))
    r["approval_rate_pct"] = _pct(r.get("approved"), r.get("decided"))
    r["mdf_roi"] = _ratio(r.get("mdf_won"), r.get("mdf_paid"))
    r["psat_answers"] = r.get("psat_n") or 0
    r["psat_average"] = (
        (r["psat_points"] / r["psat_n"]).quantize(Decimal("0.01"))
        if r.get("psat_n") and r.get("psat_points") is not None
        else None
    )
    return r


def kpi_totals(qs: QuerySet[PartnerRollup]) -> dict:
    """Program-wide KPIs for the filtered rollups (one aggregate)."""
    return _kpi(qs.aggregate(**KPI_SUMS))


# Filters on the rollups' own columns; region and manager filter on the partner as it is now,
# which no rollup version tells, so their aggregates are not cached.
STORED_FILTERS = frozenset({"year", "period", "tier", "partner_type"})
PROGRAM_CACHE_SECONDS = 24 * 3600


def program_aggregates(qs: QuerySet[PartnerRollup], filters: dict) -> dict:
    """The program dashboard's aggregates over every filtered rollup (by tier, by partner
    type, by quarter, KPIs by tier, KPI totals and the registration funnel). In a large
    program these add up hundreds of thousands of rollups, which change only when a rollup
    computation writes them: they are cached, keyed on the rollups' version (their newest
    computed_at and id, read from two indexes; rows whose figures change are rewritten with
    a new computed_at), the tiers' names and ranks (shown and ordered by) and the filters.
    Two queries when cached, eight when not."""

    def compute() -> dict:
        return {
            "by_tier": ropi_by_tier(qs),
            "by_type": ropi_by_type(qs),
            "by_period": ropi_by_period(qs),
            "kpi_tier": kpis_by_tier(qs),
            "kpi_totals": kpi_totals(qs),
            "funnel": registration_funnel(qs),
        }

    used = {k: v for k, v in filters.items() if v not in (None, "")}
    tenant = get_scope().get("tenant")
    if tenant is None or set(used) - STORED_FILTERS:
        return compute()
    version = PartnerRollup.objects.aggregate(at=Max("computed_at"), last=Max("id"))
    tiers = list(Tier.objects.order_by("pk").values_list("pk", "name", "rank"))
    digest = hashlib.sha256(
        repr((version["at"], version["last"], tiers, sorted(used.items()))).encode()
    ).hexdigest()[:32]
    key = f"analytics:program:{tenant.pk}:{digest}"
    return cache.get_or_set(key, compute, PROGRAM_CACHE_SECONDS)


def kpis_by_tier(qs: QuerySet[PartnerRollup]) -> list[dict]:
    rows = (
        qs.values("tier_id", tier_name=F("tier__name"), tier_rank=F("tier__rank"))
        .annotate(partners=Count("partner_id", distinct=True), **KPI_SUMS)
        .order_by("tier_rank")
    )
    return [_kpi(r) for r in rows]


def kpis_by_partner(qs: QuerySet[PartnerRollup], *, limit: int | None = None) -> list[dict]:
    """KPIs per partner (one row each, with its tier today), by name; `limit` as in
    ropi_by_partner."""
    rows = (
        _first_partners(qs, limit)
        .values("partner_id", **PARTNER_ROW)
        .annotate(**KPI_SUMS)
        .order_by("partner_name", "partner_id")
    )
    return [_kpi(r) for r in rows]


def cohort_totals(qs: QuerySet[FirstDealCohort]) -> QuerySet:
    """Stored per-partner cohort rows added up per activation month (one aggregate, ordered
    by month): partners activated, how many have a deal, and the summed days to it."""
    return (
        qs.values("cohort_month")
        .annotate(
            activated=Count("id"),
            with_deal=Count("first_deal_days"),
            days_total=Coalesce(Sum("first_deal_days"), 0),
        )
        .order_by("cohort_month")
    )


def average_days(row: dict) -> int | None:
    return round(row["days_total"] / row["with_deal"]) if row["with_deal"] else None


def first_deal_cohorts(
    *,
    months: int = 12,
    tier: int | None = None,
    partner_type: str = "",
    region: str = "",
    manager: int | None = None,
    **_ignored,
) -> list[dict]:
    """Time to first deal by activation month, read from the rows the rollup run stored (one
    aggregate whatever the number of partners): partners activated, how many have a deal,
    average days to it. Filters use the dimensions as stored by the run."""
    today = timezone.localdate()
    since = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    qs = FirstDealCohort.objects.filter(cohort_month__gte=since)
    if tier is not None:
        qs = qs.filter(tier_id=tier)
    if partner_type:
        qs = qs.filter(partner_type=partner_type)
    if region:
        qs = qs.filter(region=region)
    if manager is not None:
        qs = qs.filter(manager_id=manager)
    return [
        {**r, "cohort": r["cohort_month"], "avg_days": average_days(r)} for r in cohort_totals(qs)
    ]


@dataclass(frozen=True)
class KpiBenchmark:
    period_start: datetime.date
    peers: int
    tier_name: str
    rows: list  # [(label, own value, percentile of peers doing worse)]


# KPI -> True when higher is better.
BENCHMARKED = {
    "sourced_revenue": True,
    "ropi": True,
    "approval_rate_pct": True,
    "velocity_median_days": False,
    "mdf_roi": True,
}


def kpi_benchmark(partner: Partner, rollup: PartnerRollup | None) -> KpiBenchmark | None:
    """Where the partner's KPIs of one quarter stand among the other partners of its tier,
    as percentiles (share of peers it does better than). Never names a peer; None below
    MIN_PEERS peers. One aggregate query."""
    if rollup is None or partner.tier_id is None:
        return None
    peers = PartnerRollup.objects.filter(
        period_start=rollup.period_start, tier_id=partner.tier_id
    ).exclude(partner_id=partner.pk)
    counts = {"peers": Count("id")}
    for key, higher in BENCHMARKED.items():
        own = getattr(rollup, key)
        if own is None:
            continue
        better = Q(**{f"{key}__lt" if higher else f"{key}__gt": own})
        counts[f"{key}_n"] = Count("id", filter=Q(**{f"{key}__isnull": False}))
        counts[f"{key}_lower"] = Count("id", filter=better)
    agg = peers.aggregate(**counts)
    if agg["peers"] < MIN_PEERS:
        return None
    labels = {
        "sourced_revenue": _("Sourced revenue"),
        "ropi": _("ROPI"),
        "approval_rate_pct": _("Approval rate"),
        "velocity_median_days": _("Deal velocity (median days, lower is better)"),
        "mdf_roi": _("MDF ROI"),
    }
    rows = []
    for key in BENCHMARKED:
        n = agg.get(f"{key}_n")
        if n and n >= MIN_PEERS:
            rows.append((labels[key], getattr(rollup, key), round(100 * agg[f"{key}_lower"] / n)))
    return KpiBenchmark(rollup.period_start, agg["peers"], partner.tier.name, rows)


# --- Channel manager ----------------------------------------------------------------------


def filtered_partners(
    *,
    tier: int | None = None,
    partner_type: str = "",
    region: str = "",
    manager: int | None = None,
    **_other,
) -> QuerySet[Partner] | None:
    """The partners matching the dashboard filters, as a lazy queryset used in subqueries;
    None when no partner filter is set."""
    if tier is None and not partner_type and not region and manager is None:
        return None
    qs = Partner.objects.all()
    if tier is not None:
        qs = qs.filter(tier_id=tier)
    if partner_type:
        qs = qs.filter(partner_type=partner_type)
    if region:
        qs = qs.filter(region=region)
    if manager is not None:
        qs = qs.filter(owner_id=manager)
    return qs.values("pk")


def review_queue_ages(
    *, now: datetime.datetime | None = None, partners: QuerySet | None = None
) -> dict:
    now = now or timezone.now()
    qs = Deal.objects.filter(status__in=[DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW])
    if partners is not None:
        qs = qs.filter(partner_id__in=partners)
    return qs.aggregate(
        total=Count("id"),
        under_day=Count("id", filter=Q(submitted_at__gte=now - datetime.timedelta(days=1))),
        one_to_two=Count(
            "id",
            filter=Q(
                submitted_at__lt=now - datetime.timedelta(days=1),
                submitted_at__gte=now - datetime.timedelta(days=2),
            ),
        ),
        over_two=Count("id", filter=Q(submitted_at__lt=now - datetime.timedelta(days=2))),
        oldest=Min("submitted_at"),
    )


def at_risk_partners(
    *, manager: Member | None = None, partners: QuerySet | None = None
) -> QuerySet[RiskEpisode]:
    qs = RiskEpisode.objects.filter(ended_on__isnull=True).select_related("partner__owner__user")
    if partners is not None:
        qs = qs.filter(partner_id__in=partners)
    if manager is not None:
        qs = qs.filter(partner__owner=manager)
    return qs.order_by("score", "started_on")


def deals_expiring(
    *, days: int = 14, manager: Member | None = None, partners: QuerySet | None = None
) -> QuerySet[Deal]:
    today = timezone.localdate()
    qs = Deal.objects.filter(
        status=DealStatus.APPROVED,
        protected_until__gte=today,
        protected_until__lte=today + datetime.timedelta(days=days),
    ).select_related("partner")
    if partners is not None:
        qs = qs.filter(partner_id__in=partners)
    if manager is not None:
        qs = qs.filter(partner__owner=manager)
    return qs.order_by("protected_until")


def stuck_in_onboarding(
    *, days: int = 30, manager: Member | None = None, partners: QuerySet | None = None
) -> QuerySet[Partner]:
    """Partners still onboarding `days` after they entered onboarding."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    qs = Partner.objects.filter(status=PartnerStatus.ONBOARDING, status_changed_at__lt=cutoff)
    if partners is not None:
        qs = qs.filter(pk__in=partners)
    if manager is not None:
        qs = qs.filter(owner=manager)
    return qs.order_by("status_changed_at")


def metrics_for(partner: Partner) -> PartnerMetrics | None:
    return PartnerMetrics.objects.filter(partner=partner).first()


def next_tier(partner: Partner) -> Tier | None:
    rank = partner.tier.rank if partner.tier_id else -1
    return Tier.objects.filter(rank__gt=rank).order_by("rank").first()


def last_computed() -> datetime.datetime | None:
    return HealthSnapshot.objects.aggregate(at=Max("computed_at"))["at"]


def survey_due(member: Member) -> bool:
    """True when a partner member has not answered this quarter's survey yet."""
    if member.partner_id is None:
        return False
    period = quarter_start(timezone.localdate())
    return not SurveyResponse.objects.filter(member=member, period_start=period).exists()


def psat_by_quarter(*, quarters: int = 4) -> list[dict]:
    """Average satisfaction and answer count per quarter (one aggregate)."""
    since = quarters_back(timezone.localdate(), quarters)[0]
    rows = (
        SurveyResponse.objects.filter(period_start__gte=since)
        .values("period_start")
        .annotate(answers=Count("id"), average=Avg("score"))
        .order_by("period_start")
    )
    return [{**r, "label": quarter_label(r["period_start"])} for r in rows]
