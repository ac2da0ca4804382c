"""The partner dashboard's content, shared by the portal page and the business review PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _

from analytics import charts, selectors, tables
from mdf import selectors as mdf_selectors


def partner_dashboard_context(partner) -> dict:
    """Everything the partner dashboard (and the business review) shows, in a fixed number of
    queries."""
    snapshot = selectors.latest_health(partner)
    history = list(selectors.health_history(partner).only("day", "score"))
    months = selectors.monthly_deals(partner)
    quarters = selectors.partner_quarters(partner)
    metrics = selectors.metrics_for(partner)
    mdf_rows = list(mdf_selectors.balances(partner=partner))
    # One point per week keeps the line readable over a year.
    weekly = history[::7] if len(history) > 60 else history
    if history and weekly[-1] is not history[-1]:
        weekly.append(history[-1])
    latest = quarters[-1]["rollup"] if quarters else None
    kpi_benchmark = selectors.kpi_benchmark(partner, latest)
    return {
        "partner": partner,
        "snapshot": snapshot,
        "latest_quarter": latest,
        "kpi_benchmark": kpi_benchmark,
        "tables": tables.partner_tables(
            snapshot=snapshot, quarters=quarters, mdf_rows=mdf_rows, benchmark=kpi_benchmark
        ),
        "benchmark": selectors.benchmark(partner, snapshot),
        "metrics": metrics,
        "next_tier": selectors.next_tier(partner),
        "mdf_rows": mdf_rows,
        "quarters": quarters,
        "health_chart": charts.for_page(
            charts.line_chart,
            title=_("Health score"),
            categories=[s.day.strftime("%d %b") for s in weekly],
            series=[(_("Health score"), [s.score for s in weekly])],
            max_value=100,
            uid="health",
        ),
        "deals_chart": charts.for_page(
            charts.bar_chart,
            title=_("Pipeline registered and won revenue per month"),
            categories=[m["month"].strftime("%b") for m in months],
            series=[
                (_("Pipeline"), [m["pipeline"] for m in months]),
                (_("Won"), [m["won"] for m in months]),
            ],
            uid="deals",
        ),
        "revenue_chart": charts.for_page(
            charts.bar_chart,
            title=_("Sourced and influenced revenue per quarter"),
            categories=[selectors.quarter_label(q["period_start"]) for q in quarters],
            series=[
                (_("Sourced"), [q["sourced"] for q in quarters]),
                (_("Influenced"), [q["influenced"] for q in quarters]),
            ],
            uid="revenue",
        ),
    }
