"""The figures a plan's goals can aim at, as a registry: each metric names the one place the
product computes that figure, so a plan's "actual" is always the product's own number.

Figures owned below this app (partner metrics, MDF payments) are registered by this app's
ready(); figures that only analytics computes (attributed revenue, registrations, pipeline)
are registered by analytics' ready(), since analytics sits above this app and may import it.

A source is `source(partner_id, start, end) -> value`: a `Decimal` for counts and scores, or
a list of `(currency, amount)` pairs for money (converted here to the goal's currency with
the MDF exchange rates, the product's one table of rates). `level` metrics are a state at a
moment (certified people, health score): their actual is today's value while the plan runs.
A metric may also offer `many(requests) -> {(partner_id, start, end): value}`, the same
figures for many plans in one query, so a list of plans costs the same however long it is
(`actuals`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
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
    many: Callable | None = None  # (requests) -> {(partner_id, start, end): value}


METRICS: dict[str, Metric] = {}


def register(
    key: str,
    label,
    kind: str,
    source: Callable,
    *,
    level: bool = False,
    help="",
    many: Callable | None = None,
) -> None:
    """Add a metric (idempotent by key: the last registration wins, as after a reload)."""
    if kind not in (MONEY, COUNT, SCORE):
        raise ValueError(f"unknown metric kind {kind!r}")
    METRICS[key] = Metric(key, label, kind, source, level, help, many)


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in METRICS.values()]


def label_of(key: str) -> str:
    metric = METRICS.get(key)
    return str(metric.label) if metric else key


def is_money(key: str) -> bool:
    metric = METRICS.get(key)
    return metric is not None and metric.kind == MONEY


def to_currency(
    pairs, currency: str, on: datetime.date, *, rates: dict | None = None
) -> Decimal | None:
    """Sum `(currency, amount)` pairs in `currency` at the rates in force `on`; None when a
    rate is missing (the figure would be wrong, so it is not shown at all). `rates` keeps the
    rates already read (one query per currency pair and day, not per figure)."""
    rates = {} if rates is None else rates
    total = Decimal("0")
    for cur, amount in pairs:
        if not amount:
            continue
        if (cur, currency, on) not in rates:
            rates[cur, currency, on] = mdf_selectors.rate_for(cur, currency, on)
        rate = rates[cur, currency, on]
        if rate is None:
            return None
        total += mdf_selectors.convert(Decimal(amount), rate)
    return total


def actual(
    key: str, *, partner_id: int, start: datetime.date, end: datetime.date, currency: str = ""
) -> Decimal | None:
    """The metric's value for the partner over [start, end] (a level metric: today's); None
    when the product has no figure (no rollup, no health score yet, no exchange rate)."""
    item = (key, partner_id, start, end, currency)
    return actuals([item])[item]


def actuals(items) -> dict:
    """`actual` for many `(key, partner_id, start, end, currency)` items at once: a metric
    with `many` answers all its items in one query, rates are read once per pair and day."""
    wanted: dict[str, set] = defaultdict(set)
    for key, partner_id, start, end, _currency in items:
        wanted[key].add((partner_id, start, end))
    raw: dict = {}
    for key, requests in wanted.items():
        metric = METRICS.get(key)
        if metric is None:
            continue
        if metric.many is not None:
            got = metric.many(sorted(requests))
        else:
            got = {r: metric.source(*r) for r in requests}
        for r in requests:
            raw[(key, *r)] = got.get(r)
    today = timezone.localdate()
    rates: dict = {}
    out = {}
    for item in items:
        key, partner_id, start, end, currency = item
        metric = METRICS.get(key)
        value = raw.get((key, partner_id, start, end))
        if metric is None or value is None:
            out[item] = None
        elif metric.kind == MONEY:
            out[item] = to_currency(value, currency, min(end, today), rates=rates)
        else:
            out[item] = Decimal(value)
    return out


def partner_ids(requests) -> list[int]:
    return sorted({r[0] for r in requests})


def span(requests) -> tuple[datetime.date, datetime.date]:
    """The first start and the last end of many requests (one range query covers them)."""
    return min(r[1] for r in requests), max(r[2] for r in requests)


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


def _metrics_rows(requests) -> dict:
    return partner_selectors.metrics_of_partners(partner_ids(requests))


def certified_people_many(requests) -> dict:
    rows = _metrics_rows(requests)
    return {
        r: Decimal(rows[r[0]].certified_people) if r[0] in rows else Decimal(0) for r in requests
    }


def health_score_many(requests) -> dict:
    rows = _metrics_rows(requests)
    out = {}
    for r in requests:
        row = rows.get(r[0])
        out[r] = None if row is None or row.health_score is None else Decimal(row.health_score)
    return out


def mdf_paid_many(requests) -> dict:
    """mdf_paid for many partners and periods: the payments per partner, day and currency
    over all the periods in one query, added up per period here."""
    first, last = span(requests)
    days = mdf_selectors.mdf_paid_by_partner_day(
        partner_ids(requests), since=first, until=last + datetime.timedelta(days=1)
    )
    out = {}
    for partner_id, start, end in requests:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for day, cur, amount in days.get(partner_id, ()):
            if start <= day <= end:
                totals[cur] += amount
        out[partner_id, start, end] = sorted(totals.items())
    return out


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
        many=certified_people_many,
        level=True,
        help=_("People of the partner holding a valid certification, today."),
    )
    register(
        "health_score",
        _("Health score"),
        SCORE,
        health_score,
        many=health_score_many,
        level=True,
        help=_("The partner's latest health score (0 to 100)."),
    )
    register(
        "mdf_paid",
        _("MDF used (paid)"),
        MONEY,
        mdf_paid,
        many=mdf_paid_many,
        help=_("Market development funds paid to the partner in the period."),
    )
