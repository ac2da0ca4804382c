"""Churn features and labels, computed as of a date from the tenant's own history.

Everything is loaded once per run (`load_history`: one query per source, this tenant's rows
only) into per-partner sorted arrays of day numbers; a feature as of day `d` only ever reads
the part of an array at or before `d` (`np.searchsorted(..., d, "right")`), so no feature can
see what happened after its as-of date (tests/predict/test_churn.py proves it by adding later
rows and comparing).

Inactivity (the label): a partner is inactive once it has gone `inactivity_days` (the
tenant's setting, default 90) without a deal registration, a portal sign-in by one of its
people or a completed course, or once it is offboarded. The churn label of an as-of day `d`
is 1 when an active partner becomes inactive within the next HORIZON (90) days."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Func, IntegerField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.models import HealthSnapshot, MemberActivity
from dealreg.models import Deal, DealStatus
from mdf.models import FundRequest
from partners.models import Partner, PartnerStatus, TierChange, TierChangeStatus
from training.models import Enrollment

HORIZON = 90  # days ahead a churn probability is about
NEVER = 730  # "days since" when it never happened (or longer ago)
NEUTRAL_HEALTH = 50.0  # a partner with no health snapshot near the as-of day
TENURE_CAP = 365  # days; see features_at

# key -> label shown with a model's explanation; the order is the model's column order.
FEATURES: dict[str, str] = {
    "tenure_days": _("Days in the program (up to a year)"),
    "days_since_activity": _("Days since the last registration, sign-in or training"),
    "days_since_registration": _("Days since the last deal registration"),
    "registrations_90d": _("Deal registrations, last 90 days"),
    "registrations_trend": _("Change in registrations against the 90 days before"),
    "wins_365d": _("Deals won, last 12 months"),
    "login_days_30d": _("Days with a sign-in, last 30 days"),
    "login_trend": _("Change in sign-in days against the 30 days before"),
    "training_180d": _("Courses completed, last 6 months"),
    "mdf_requests_180d": _("Fund requests, last 6 months"),
    "tier_down_365d": _("Tier downgrades, last 12 months"),
    "tier_up_365d": _("Tier upgrades, last 12 months"),
    "health_score": _("Health score"),
    "health_change_30d": _("Change in health score over 30 days"),
}
FEATURE_KEYS = list(FEATURES)


def day(value) -> int:
    """A date or datetime as a day number (proleptic ordinal). A datetime counts on its day
    in the current zone (the tenant's, inside tenant_context), the calendar `today` is in."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.toordinal()


class DayNumber(Func):
    """A date or timestamp column as `day()` numbers it, computed by the database: reading
    a million timestamps to number their days in Python cost more than the features. A
    timestamp counts on its day in the current zone (the tenant's), as `day()` and the
    callers' `today` (timezone.localdate()) do: numbered by its UTC date instead, an evening
    sign-in in New York landed on the day after "today" for five hours every night."""

    output_field = IntegerField()

    def __init__(self, expression, *, timestamp: bool = True):
        self.timestamp = timestamp
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        if not self.timestamp:
            return f"({sql} - DATE '0001-01-01' + 1)", params
        zone = timezone.get_current_timezone_name()
        return f"(({sql} AT TIME ZONE %s)::date - DATE '0001-01-01' + 1)", [*params, zone]


def fetch(qs) -> list[tuple]:
    """The rows of a `values_list` query as the database driver gives them, without Django's
    per-value converters (for a million plain numbers they cost seconds; the columns read
    this way are integers, floats and text, which need none)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _arrays(qs) -> dict[int, np.ndarray]:
    """{id: sorted day numbers} from a query of (id, day number or None) rows."""
    rows = np.asarray([pair for pair in fetch(qs) if pair[1] is not None], dtype=np.int64)
    if not len(rows):
        return {}
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    ids, first = np.unique(rows[:, 0], return_index=True)
    return dict(zip(ids.tolist(), np.split(rows[:, 1], first[1:]), strict=True))


EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class History:
    today: int
    start: dict[int, int] = field(default_factory=dict)  # activated (else created) day
    created: dict[int, int] = field(default_factory=dict)
    offboarded: dict[int, int] = field(default_factory=dict)
    current_status: dict[int, str] = field(default_factory=dict)
    regs: dict[int, np.ndarray] = field(default_factory=dict)
    wins: dict[int, np.ndarray] = field(default_factory=dict)
    logins: dict[int, np.ndarray] = field(default_factory=dict)
    training: dict[int, np.ndarray] = field(default_factory=dict)
    mdf: dict[int, np.ndarray] = field(default_factory=dict)
    tier_up: dict[int, np.ndarray] = field(default_factory=dict)
    tier_down: dict[int, np.ndarray] = field(default_factory=dict)
    activity: dict[int, np.ndarray] = field(default_factory=dict)
    health_days: dict[int, np.ndarray] = field(default_factory=dict)
    health_scores: dict[int, np.ndarray] = field(default_factory=dict)

    def first_day(self) -> int | None:
        return min(self.start.values()) if self.start else None


def load_history(tenant, *, today: datetime.date) -> History:
    """Every input of the churn features and labels for `tenant`, one query per source."""
    h = History(today=day(today))
    partners = Partner.objects.filter(tenant=tenant).values_list(
        "pk", "created_at", "activated_at", "status", "status_changed_at"
    )
    for pk, created, activated, status, changed in partners:
        h.created[pk] = day(created)
        h.start[pk] = day(activated or created)
        h.current_status[pk] = status
        if status == PartnerStatus.OFFBOARDED:
            h.offboarded[pk] = day(changed)
    deals = Deal.objects.filter(tenant=tenant)
    h.regs = _arrays(deals.values_list("partner_id", DayNumber("submitted_at")))
    h.wins = _arrays(
        deals.filter(status=DealStatus.WON).values_list("partner_id", DayNumber("closed_at"))
    )
    h.logins = _arrays(
        MemberActivity.objects.filter(tenant=tenant, partner__isnull=False, sign_ins__gt=0)
        .values_list("partner_id", DayNumber("day", timestamp=False))
        .distinct()
    )
    h.training = _arrays(
        Enrollment.objects.filter(
            tenant=tenant, member__partner__isnull=False, completed_at__isnull=False
        ).values_list("member__partner_id", DayNumber("completed_at"))
    )
    h.mdf = _arrays(
        FundRequest.objects.filter(tenant=tenant).values_list(
            "partner_id", DayNumber("submitted_at")
        )
    )
    applied = TierChange.objects.filter(tenant=tenant, status=TierChangeStatus.APPLIED)
    h.tier_up = _arrays(
        applied.filter(direction="up").values_list("partner_id", DayNumber("decided_at"))
    )
    h.tier_down = _arrays(
        applied.filter(direction="down").values_list("partner_id", DayNumber("decided_at"))
    )
    for pid in h.start:
        parts = [
            a for a in (h.regs.get(pid), h.logins.get(pid), h.training.get(pid)) if a is not None
        ]
        h.activity[pid] = np.unique(np.concatenate(parts)) if parts else EMPTY
    snaps = np.asarray(
        fetch(
            HealthSnapshot.objects.filter(tenant=tenant)
            .order_by("partner_id", "day")
            .values_list("partner_id", DayNumber("day", timestamp=False), "score")
        ),
        dtype=np.int64,
    ).reshape(-1, 3)
    ids, first = np.unique(snaps[:, 0], return_index=True)
    parts = np.split(snaps, first[1:]) if len(snaps) else []
    for pid, part in zip(ids.tolist(), parts, strict=True):
        h.health_days[pid] = part[:, 1].copy()
        h.health_scores[pid] = part[:, 2].astype(np.float64)
    return h


def _count(arr: np.ndarray | None, lo: int, hi: int) -> int:
    """Events in (lo, hi]."""
    if arr is None or not len(arr):
        return 0
    return int(np.searchsorted(arr, hi, "right") - np.searchsorted(arr, lo, "right"))


def _last(arr: np.ndarray | None, d: int) -> int | None:
    if arr is None or not len(arr):
        return None
    i = int(np.searchsorted(arr, d, "right"))
    return int(arr[i - 1]) if i else None


def _since(arr: np.ndarray | None, d: int) -> int:
    last = _last(arr, d)
    return NEVER if last is None else min(NEVER, d - last)


def _health(h: History, pid: int, d: int) -> float | None:
    days = h.health_days.get(pid)
    if days is None:
        return None
    i = int(np.searchsorted(days, d, "right"))
    if not i or d - int(days[i - 1]) > 14:
        return None
    return float(h.health_scores[pid][i - 1])


def features_at(h: History, pid: int, d: int) -> list[float]:
    """The FEATURES of partner `pid` as of day `d`, from data dated on or before `d` only."""
    regs = h.regs.get(pid)
    logins = h.logins.get(pid)
    health = _health(h, pid, d)
    before = _health(h, pid, d - 30)
    values = {
        # capped: the partners scored today are always the longest-serving ever seen, and an
        # uncapped tenure would let them sit far outside the training rows (and dominate the
        # explanation by extrapolation); past a year, tenure tells little more
        "tenure_days": min(d - h.start[pid], TENURE_CAP),
        "days_since_activity": _since(h.activity.get(pid), d),
        "days_since_registration": _since(regs, d),
        "registrations_90d": _count(regs, d - 90, d),
        "registrations_trend": _count(regs, d - 90, d) - _count(regs, d - 180, d - 90),
        "wins_365d": _count(h.wins.get(pid), d - 365, d),
        "login_days_30d": _count(logins, d - 30, d),
        "login_trend": _count(logins, d - 30, d) - _count(logins, d - 60, d - 30),
        "training_180d": _count(h.training.get(pid), d - 180, d),
        "mdf_requests_180d": _count(h.mdf.get(pid), d - 180, d),
        "tier_down_365d": _count(h.tier_down.get(pid), d - 365, d),
        "tier_up_365d": _count(h.tier_up.get(pid), d - 365, d),
        "health_score": NEUTRAL_HEALTH if health is None else health,
        "health_change_30d": 0.0 if health is None or before is None else health - before,
    }
    return [float(values[k]) for k in FEATURE_KEYS]


def rule_risk_at(h: History, pid: int, d: int) -> float:
    """The rule's view of the same partner on the same day: the lower the health score, the
    higher the risk (the at-risk list is a health threshold)."""
    health = _health(h, pid, d)
    return 100.0 - (NEUTRAL_HEALTH if health is None else health)


def _reference(h: History, pid: int, d: int) -> int:
    last = _last(h.activity.get(pid), d)
    return h.start[pid] if last is None else max(last, h.start[pid])


def active_at(h: History, pid: int, d: int, inactivity_days: int) -> bool:
    """In the program and not (yet) inactive on day `d`."""
    if h.start[pid] > d or h.created[pid] > d:
        return False
    off = h.offboarded.get(pid)
    if off is not None and off <= d:
        return False
    return d - _reference(h, pid, d) < inactivity_days


def churn_label(h: History, pid: int, d: int, inactivity_days: int) -> int:
    """1 when the partner, active on `d`, becomes inactive within (d, d + HORIZON]."""
    end = d + HORIZON
    off = h.offboarded.get(pid)
    if off is not None and d < off <= end:
        return 1
    prev = _reference(h, pid, d)
    arr = h.activity.get(pid, EMPTY)
    lo = int(np.searchsorted(arr, d, "right"))
    hi = int(np.searchsorted(arr, end, "right"))
    for e in arr[lo:hi]:
        if int(e) - prev >= inactivity_days:
            return 1
        prev = int(e)
    return int(prev + inactivity_days <= end)


STEP = 28  # days between two as-of dates of the training rows
MAX_DATES = 26  # two years of as-of dates


def as_of_dates(h: History) -> list[int]:
    """Past as-of days whose whole horizon has been seen, newest last."""
    first = h.first_day()
    if first is None:
        return []
    out = []
    d = h.today - HORIZON
    while d >= first + 30 and len(out) < MAX_DATES:
        out.append(d)
        d -= STEP
    return sorted(out)


@dataclass
class Dataset:
    X: np.ndarray
    y: np.ndarray
    rule: np.ndarray
    dates: np.ndarray
    partners: np.ndarray


def churn_dataset(h: History, *, inactivity_days: int) -> Dataset:
    rows, labels, rule, dates, pids = [], [], [], [], []
    for d in as_of_dates(h):
        for pid in h.start:
            if not active_at(h, pid, d, inactivity_days):
                continue
            rows.append(features_at(h, pid, d))
            labels.append(churn_label(h, pid, d, inactivity_days))
            rule.append(rule_risk_at(h, pid, d))
            dates.append(d)
            pids.append(pid)
    width = len(FEATURE_KEYS)
    return Dataset(
        X=np.asarray(rows, dtype=np.float64).reshape(-1, width),
        y=np.asarray(labels, dtype=np.int64),
        rule=np.asarray(rule, dtype=np.float64),
        dates=np.asarray(dates, dtype=np.int64),
        partners=np.asarray(pids, dtype=np.int64),
    )


def current_rows(h: History, *, inactivity_days: int) -> tuple[list[int], np.ndarray]:
    """(partner ids, features as of today) of every partner that can still become inactive,
    for scoring: active in status and not already inactive by the definition. A partner quiet
    for longer than `inactivity_days` has already gone; the model learnt only from partners
    that had not (churn_dataset), so a score for it would be a guess far outside what it saw
    ("a 100% chance of becoming inactive" for a partner inactive for a year)."""
    pids = sorted(
        pid
        for pid, s in h.current_status.items()
        if s == PartnerStatus.ACTIVE
        and pid in h.start
        and active_at(h, pid, h.today, inactivity_days)
    )
    X = np.asarray([features_at(h, pid, h.today) for pid in pids], dtype=np.float64)
    return pids, X.reshape(-1, len(FEATURE_KEYS))
