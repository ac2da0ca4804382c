"""The figures a plan's goals can aim at, as a registry: each metric names the one place the
product computes that figure, so a plan's "actual" is always the product's own number.

Figures owned below this app (partner metrics, MDF payments) are registered by this app's
ready(); figures that only analytics computes (attributed revenue, registrations, pipeline)
are registered by analytics' ready(), since analytics sits above this app and may import it.

A source is `source(partner_id, start, end) -> value`: a `Decimal` for counts and scores, or
a list of `(currency, amount)` pairs for money (converted here to the goal's currency with
the MDF exchange rates, the product's one table of rates). `level` metrics are a state at a
moment (certified people, health score): their actual is today's value while the plan runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mdf import selectors as mdf_selectors
from partners import selectors as partner_selectors

MONEY, COUNT, SCORE = "money", "count", "score"


@dataclass(frozen=True)
class Metric:
    key: str
    label: object
    kind: str  # MONEY, COUNT or SCORE
    source: Callable
    level: bool = False
    help: object = ""


METRICS: dict[str, Metric] = {}


def register(key: str, label, kind: str, source: Callable, *, level: bool = False, help="") -> None:
    """Add a metric (idempotent by key: the last registration wins, as after a reload)."""
    if kind not in (MONEY, COUNT, SCORE):
        raise ValueError(f"unknown metric kind {kind!r}")
    METRICS[key] = Metric(key, label, kind, source, level, help)


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in METRICS.values()]


def label_of(key: str) -> str:
    metric = METRICS.get(key)
    return str(metric.label) if metric else key


def is_money(key: str) -> bool:
    metric = METRICS.get(key)
    return metric is not None and metric.kind == MONEY


def to_currency(pairs, currency: str, on: datetime.date) -> Decimal | None:
    """Sum `(currency, amount)` pairs in `currency` at the rates in force `on`; None when a
    rate is missing (the figure would be wrong, so it is not shown at all)."""
    total = Decimal("0")
    for cur, amount in pairs:
        if not amount:
            continue
        rate = mdf_selectors.rate_for(cur, currency, on)
        if rate is None:
            return None
        total += mdf_selectors.convert(Decimal(amount), rate)
    return total


def actual(
    key: str, *, partner_id: int, start: datetime.date, end: datetime.date, currency: str = ""
) -> Decimal | None:
    """The metric's value for the partner over [start, end] (a level metric: today's); None
    when the product has no figure (no rollup, no health score yet, no exchange rate)."""
    metric = METRICS.get(key)
    if metric is None:
        return None
    value = metric.source(partner_id, start, end)
    if value is None:
        return None
    if metric.kind == MONEY:
        on = min(end, timezone.localdate())
        return to_currency(value, currency, on)
    return Decimal(value)


# --- The figures owned below this app ---------------------------------------------------


def certified_people(partner_id: int, start, end) -> Decimal | None:
    """PartnerMetrics.certified_people (kept by training's rollup)."""
    metrics = partner_selectors.metrics_for(partner_id)
    return Decimal(metrics.certified_people) if metrics else Decimal(0)


def health_score(partner_id: int, start, end) -> Decimal | None:
    """PartnerMetrics.health_score (kept by analytics' health computation)."""
    metrics = partner_selectors.metrics_for(partner_id)
    if metrics is None or metrics.health_score is None:
        return None
    return Decimal(metrics.health_score)


def mdf_paid(partner_id: int, start, end) -> list[tuple[str, Decimal]]:
    """MDF paid to the partner in the period: the ledger's payments, as ROPI counts them."""
    until = end + datetime.timedelta(days=1)
    return mdf_selectors.mdf_paid_by_partner(since=start, until=until).get(partner_id, [])


def register_own() -> None:
    register(
        "certified_people",
        _("Certified people"),
        COUNT,
        certified_people,
        level=True,
        help=_("People of the partner holding a valid certification, today."),
    )
    register(
        "health_score",
        _("Health score"),
        SCORE,
        health_score,
        level=True,
        help=_("The partner's latest health score (0 to 100)."),
    )
    register(
        "mdf_paid",
        _("MDF used (paid)"),
        MONEY,
        mdf_paid,
        help=_("Market development funds paid to the partner in the period."),
    )
