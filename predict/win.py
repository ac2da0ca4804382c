"""Win probability of open deal registrations: features, labels and the forecast.

Each closed registration (won, or lost) is one training row as of the day it was submitted:
its size and what its partner's history showed on that day (deals won and lost before,
the smoothed win rate, registrations still open, tenure, days since the last win); the
label is whether it was won. Only rows closed before the test period train the model, so no
training label comes from the test period. The rule it is compared with is the partner's
own past win rate, which is what a forecast without a model multiplies by."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

import numpy as np
from django.db.models import FloatField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from dealreg.models import ACTIVE_STATUSES, Deal, DealStatus
from partners.models import Partner
from predict.features import NEVER, DayNumber, day, fetch

WIN_FEATURES: dict[str, str] = {
    "log_amount": _("Deal size (logarithm of the amount)"),
    "prior_wins": _("Deals the partner won before"),
    "prior_losses": _("Deals the partner lost before"),
    "prior_win_rate": _("The partner's win rate before"),
    "open_deals": _("The partner's registrations open at the time"),
    "tenure_days": _("Days in the program"),
    "days_since_win": _("Days since the partner's last win"),
}
WIN_KEYS = list(WIN_FEATURES)


@dataclass
class DealRow:
    pk: int
    partner_id: int
    status: str
    amount: float
    currency: str
    submitted: int
    closed: int | None


@dataclass
class DealHistory:
    today: int
    start: dict[int, int] = field(default_factory=dict)
    deals: list[DealRow] = field(default_factory=list)
    wins: dict[int, np.ndarray] = field(default_factory=dict)
    losses: dict[int, np.ndarray] = field(default_factory=dict)
    submitted: dict[int, np.ndarray] = field(default_factory=dict)
    closed: dict[int, np.ndarray] = field(default_factory=dict)


def _sorted(groups: dict[int, list[int]]) -> dict[int, np.ndarray]:
    return {k: np.sort(np.asarray(v, dtype=np.int64)) for k, v in groups.items()}


def load(tenant, *, today: datetime.date) -> DealHistory:
    h = DealHistory(today=day(today))
    for pk, created, activated in Partner.objects.filter(tenant=tenant).values_list(
        "pk", "created_at", "activated_at"
    ):
        h.start[pk] = day(activated or created)
    wins, losses, submitted, closed = {}, {}, {}, {}
    # Day numbers and float amounts come from the database (DayNumber): a million deals'
    # timestamps and decimals parsed in Python were most of the load.
    query = Deal.objects.filter(tenant=tenant, submitted_at__isnull=False).values_list(
        "pk",
        "partner_id",
        "status",
        Cast(Coalesce("amount", Value(0)), FloatField()),
        "currency",
        DayNumber("submitted_at"),
        DayNumber("closed_at"),
    )
    for pk, pid, status, amount, currency, sub, closed_day in fetch(query):
        row = DealRow(pk, pid, status, amount, currency, sub, closed_day)
        h.deals.append(row)
        submitted.setdefault(pid, []).append(sub)
        if closed_day is not None:
            closed.setdefault(pid, []).append(closed_day)
            if status == DealStatus.WON:
                wins.setdefault(pid, []).append(closed_day)
            elif status == DealStatus.LOST:
                losses.setdefault(pid, []).append(closed_day)
    h.wins, h.losses = _sorted(wins), _sorted(losses)
    h.submitted, h.closed = _sorted(submitted), _sorted(closed)
    return h


def _before(arr, d: int) -> int:
    """Events strictly before day d (what was known when the deal was registered)."""
    return 0 if arr is None else int(np.searchsorted(arr, d, "left"))


def features_at(h: DealHistory, row: DealRow, d: int) -> list[float]:
    pid = row.partner_id
    wins, losses = _before(h.wins.get(pid), d), _before(h.losses.get(pid), d)
    last_win = None
    arr = h.wins.get(pid)
    if wins:
        last_win = int(arr[wins - 1])
    values = {
        "log_amount": math.log1p(max(row.amount, 0.0)),
        "prior_wins": wins,
        "prior_losses": losses,
        "prior_win_rate": (wins + 1) / (wins + losses + 2),
        "open_deals": max(0, _before(h.submitted.get(pid), d) - _before(h.closed.get(pid), d)),
        "tenure_days": max(0, d - h.start.get(pid, d)),
        "days_since_win": NEVER if last_win is None else min(NEVER, d - last_win),
    }
    return [float(values[k]) for k in WIN_KEYS]


@dataclass
class WinDataset:
    X: np.ndarray
    y: np.ndarray
    rule: np.ndarray
    dates: np.ndarray
    resolved: np.ndarray


def dataset(h: DealHistory) -> WinDataset:
    X, y, rule, dates, resolved = [], [], [], [], []
    for row in h.deals:
        if row.status not in (DealStatus.WON, DealStatus.LOST) or row.closed is None:
            continue
        values = features_at(h, row, row.submitted)
        X.append(values)
        y.append(int(row.status == DealStatus.WON))
        rule.append(values[WIN_KEYS.index("prior_win_rate")])
        dates.append(row.submitted)
        resolved.append(row.closed)
    return WinDataset(
        X=np.asarray(X, dtype=np.float64).reshape(-1, len(WIN_KEYS)),
        y=np.asarray(y, dtype=np.int64),
        rule=np.asarray(rule, dtype=np.float64),
        dates=np.asarray(dates, dtype=np.int64),
        resolved=np.asarray(resolved, dtype=np.int64),
    )


def open_rows(h: DealHistory) -> tuple[list[DealRow], np.ndarray]:
    rows = [r for r in h.deals if r.status in ACTIVE_STATUSES]
    X = np.asarray([features_at(h, r, r.submitted) for r in rows], dtype=np.float64)
    return rows, X.reshape(-1, len(WIN_KEYS))


def rule_probability(h: DealHistory, row: DealRow) -> float:
    return features_at(h, row, row.submitted)[WIN_KEYS.index("prior_win_rate")]
