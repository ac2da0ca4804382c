"""The figures only analytics computes, offered to joint business plans' goals
(jointplans.metrics, registered from AnalyticsConfig.ready()): attributed revenue, won deals
and registrations from the quarterly rollups, and the registered pipeline as the dashboards
count it. Each reads the same selector the dashboards and the business review read."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from analytics import selectors
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


def register() -> None:
    metrics.register(
        "sourced_pipeline",
        _("Sourced pipeline"),
        metrics.MONEY,
        selectors.pipeline_between,
        help=_("Deals the partner registered in the period, unless withdrawn or rejected."),
    )
    metrics.register(
        "sourced_revenue",
        _("Won revenue, sourced"),
        metrics.MONEY,
        _money("sourced_revenue"),
        help=_("Revenue of deals the partner brought and won, from the quarterly figures."),
    )
    metrics.register(
        "influenced_revenue",
        _("Won revenue, influenced"),
        metrics.MONEY,
        _money("influenced_revenue"),
        help=_("Revenue of won deals the partner helped with, from the quarterly figures."),
    )
    metrics.register(
        "won_deals",
        _("Won deals"),
        metrics.COUNT,
        _count("won_deals"),
        help=_("Deals the partner won in the period, from the quarterly figures."),
    )
    metrics.register(
        "registrations",
        _("Deal registrations"),
        metrics.COUNT,
        _count("funnel_submitted"),
        help=_("Deals the partner registered in the period, from the quarterly figures."),
    )
