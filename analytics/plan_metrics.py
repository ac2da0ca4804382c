"""The figures only analytics computes, offered to joint business plans' goals
(jointplans.metrics, registered from AnalyticsConfig.ready()): attributed revenue, won deals
and registrations from the quarterly rollups, and the registered pipeline as the dashboards
count it. Each reads the same selector the dashboards and the business review read."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from analytics import selectors
from analytics.services.periods import quarter_start
from jointplans import metrics


def _money(field: str):
    def source(partner_id, start, end):
        return selectors.rollup_totals(partner_id, start, end, field)

    return source


def _count(field: str):
    def source(partner_id, start, end):
        return sum(
            (t or 0 for _c, t in selectors.rollup_totals(partner_id, start, end, field)), Decimal(0)
        )

    return source


def _per_period(rows_by_partner, requests, lower) -> dict:
    """{request: [(currency, total)]}: the (date, currency, total) rows of each request's
    partner whose date is in [lower(start), end], added up per currency."""
    out = {}
    for partner_id, start, end in requests:
        totals: dict = defaultdict(Decimal)
        for day, currency, total in rows_by_partner.get(partner_id, ()):
            if lower(start) <= day <= end:
                totals[currency] += total or 0
        out[partner_id, start, end] = sorted(totals.items())
    return out


def _money_many(field: str):
    def many(requests):
        first, last = metrics.span(requests)
        ids = metrics.partner_ids(requests)
        rows = selectors.rollups_by_partner_quarter(ids, first, last, field)
        return _per_period(rows, requests, quarter_start)

    return many


def _count_many(field: str):
    money = _money_many(field)

    def many(requests):
        return {r: sum((t for _c, t in pairs), Decimal(0)) for r, pairs in money(requests).items()}

    return many


def _pipeline_many(requests):
    first, last = metrics.span(requests)
    rows = selectors.pipeline_by_partner_day(metrics.partner_ids(requests), first, last)
    return _per_period(rows, requests, lambda day: day)


def register() -> None:
    metrics.register(
        "sourced_pipeline",
        _("Sourced pipeline"),
        metrics.MONEY,
        selectors.pipeline_between,
        many=_pipeline_many,
        help=_("Deals the partner registered in the period, unless withdrawn or rejected."),
    )
    metrics.register(
        "sourced_revenue",
        _("Won revenue, sourced"),
        metrics.MONEY,
        _money("sourced_revenue"),
        many=_money_many("sourced_revenue"),
        help=_("Revenue of deals the partner brought and won, from the quarterly figures."),
    )
    metrics.register(
        "influenced_revenue",
        _("Won revenue, influenced"),
        metrics.MONEY,
        _money("influenced_revenue"),
        many=_money_many("influenced_revenue"),
        help=_("Revenue of won deals the partner helped with, from the quarterly figures."),
    )
    metrics.register(
        "won_deals",
        _("Won deals"),
        metrics.COUNT,
        _count("won_deals"),
        many=_count_many("won_deals"),
        help=_("Deals the partner won in the period, from the quarterly figures."),
    )
    metrics.register(
        "registrations",
        _("Deal registrations"),
        metrics.COUNT,
        _count("funnel_submitted"),
        many=_count_many("funnel_submitted"),
        help=_("Deals the partner registered in the period, from the quarterly figures."),
    )
