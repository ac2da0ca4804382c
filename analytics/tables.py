"""Every table of the analytics pages, built once for the page and for its CSV export, so
the export has the same rows, columns and filters as what people see.

A page's builder returns {name: Table}; the page renders them, and the page's export view
writes one of them with `csv_response` (the project's CSV writer, prm.csv_export)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from analytics import selectors
from analytics.rules import component_detail, component_label
from prm import csv_export
from prm.audit import log_action


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]  # (row key, column heading)
    rows: list[dict] = field(default_factory=list)
    numeric: frozenset[str] = frozenset()
    note: str = ""  # how the rows are made, shown under the table

    @property
    def cells(self) -> list[list]:
        return [[row.get(key) for key, _label in self.columns] for row in self.rows]

    @property
    def display(self) -> list[list[tuple]]:
        """Rows of (value, is_numeric) for the template."""
        return [
            [(row.get(key), key in self.numeric) for key, _label in self.columns]
            for row in self.rows
        ]

    @property
    def headings(self) -> list[tuple[str, bool]]:
        return [(label, key in self.numeric) for key, label in self.columns]

    @property
    def heads(self) -> list[tuple[str, str, bool]]:
        """(row key, heading, is_numeric) per column: a sortable table's headers."""
        return [(key, label, key in self.numeric) for key, label in self.columns]


def csv_response(table: Table, *, page: str) -> StreamingHttpResponse:
    """The table as CSV (text cells defused against spreadsheet formulas; numbers, negative
    ones too, as numbers), audited as an export."""
    response = csv_export.csv_response(
        f"analytics-{page}-{table.name}",
        [key for key, _label in table.columns],
        table.cells,
    )
    log_action(
        "analytics.exported",
        object_type="analytics.table",
        object_label=f"{page}:{table.name}",
        after={"rows": len(table.rows)},
    )
    return response


MONEY_KEYS = [
    "won_deals",
    "sourced",
    "influenced",
    "return_amount",
    "mdf_paid",
    "discounts",
    "program_costs",
    "investment",
    "ropi",
]
KPI_KEYS = [
    "velocity_avg_days",
    "sla_attainment_pct",
    "approval_rate_pct",
    "mdf_paid",
    "mdf_won",
    "mdf_roi",
    "psat_average",
]


def _labels() -> dict[str, str]:
    return {
        "tier_name": _("Tier"),
        "tier_now": _("Tier today"),
        "partner_type": _("Type"),
        "period_start": _("Quarter"),
        "partner_name": _("Partner"),
        "partners": _("Partners"),
        "won_deals": _("Won deals"),
        "sourced": _("Sourced"),
        "influenced": _("Influenced"),
        "return_amount": _("Return"),
        "mdf_paid": _("MDF paid"),
        "discounts": _("Discounts"),
        "program_costs": _("Program costs"),
        "investment": _("Investment"),
        "ropi": _("ROPI"),
        "velocity_avg_days": _("Days submitted to won (avg)"),
        "velocity_median_days": _("Days submitted to won (median)"),
        "sla_attainment_pct": _("Decided within SLA %"),
        "approval_rate_pct": _("Approval rate %"),
        "mdf_won": _("Won revenue from MDF activities"),
        "mdf_roi": _("MDF ROI"),
        "psat_average": _("PSAT (1–5)"),
    }


def _table(name, title, keys, rows, numeric_from: int, note: str = "") -> Table:
    labels = _labels()
    return Table(
        name=name,
        title=title,
        columns=[(k, labels.get(k, k)) for k in keys],
        rows=rows,
        numeric=frozenset(keys[numeric_from:]),
        note=note,
    )


def tier_rule() -> str:
    """How figures are attributed to tiers (shown under the by-tier tables)."""
    return _(
        "Each quarter counts under the tier the partner held at the end of it (the quarter "
        "under way: its tier today), so a partner that changed tier counts in each tier for "
        "its quarters there. Quarters before a partner's first tier placement count under "
        "“No tier”."
    )


def partner_rule() -> str:
    """How the per-partner tables are made."""
    return _(
        "One row per partner: its quarters added up whatever tier it held in each; the tier "
        "shown is its tier today."
    )


def program_tables(
    qs, filters: dict, *, partner_limit: int | None = None, totals: dict | None = None
) -> dict[str, Table]:
    """The program dashboard's tables for the filtered rollups (a fixed number of
    aggregates). `partner_limit` caps the per-partner tables (the page shows the first
    partners by name; the export, without a limit, has every partner). `totals`: the
    aggregates of selectors.program_aggregates when the caller has them already."""
    totals = totals or selectors.program_aggregates(qs, filters)
    by_tier = totals["by_tier"]
    for r in by_tier:
        r["tier_name"] = r["tier_name"] or _("No tier")
    periods = totals["by_period"]
    kpi_tier = totals["kpi_tier"]
    for r in kpi_tier:
        r["tier_name"] = r["tier_name"] or _("No tier")
    funnel = totals["funnel"]
    cohorts = selectors.first_deal_cohorts(**filters)
    tables = [
        _table(
            "tier",
            _("ROPI by tier"),
            ["tier_name", "partners", *MONEY_KEYS],
            by_tier,
            1,
            tier_rule(),
        ),
        _table(
            "type",
            _("ROPI by partner type"),
            ["partner_type", "partners", *MONEY_KEYS],
            totals["by_type"],
            1,
        ),
        _table("period", _("ROPI by quarter"), ["period_start", *MONEY_KEYS], periods, 1),
        _table(
            "partner",
            _("ROPI by partner"),
            ["partner_name", "tier_now", *MONEY_KEYS],
            selectors.ropi_by_partner(qs, limit=partner_limit),
            2,
            partner_rule(),
        ),
        _table(
            "kpi_tier",
            _("Deal and MDF KPIs by tier"),
            ["tier_name", "partners", "won_deals", *KPI_KEYS],
            kpi_tier,
            1,
            tier_rule(),
        ),
        _table(
            "kpi_partner",
            _("Deal and MDF KPIs by partner"),
            ["partner_name", "tier_now", "won_deals", *KPI_KEYS],
            selectors.kpis_by_partner(qs, limit=partner_limit),
            2,
            partner_rule(),
        ),
        Table(
            "funnel",
            _("Registration funnel"),
            [("stage", _("Stage")), ("deals", _("Deals"))],
            [
                {"stage": _("Submitted"), "deals": funnel["submitted"]},
                {"stage": _("Approved"), "deals": funnel["approved"]},
                {"stage": _("Won"), "deals": funnel["won"]},
                {"stage": _("Rejected"), "deals": funnel["rejected"]},
            ],
            frozenset({"deals"}),
        ),
        Table(
            "cohorts",
            _("Time to first deal, by activation month"),
            [
                ("cohort", _("Activated in")),
                ("activated", _("Partners activated")),
                ("with_deal", _("With a deal")),
                ("avg_days", _("Average days to first deal")),
            ],
            cohorts,
            frozenset({"activated", "with_deal", "avg_days"}),
        ),
        Table(
            "psat",
            _("Partner satisfaction"),
            [("label", _("Quarter")), ("average", _("Average (1–5)")), ("answers", _("Answers"))],
            [
                {**r, "average": Decimal(r["average"]).quantize(Decimal("0.1"))}
                for r in selectors.psat_by_quarter()
            ],
            frozenset({"average", "answers"}),
        ),
        Table(
            "status",
            _("Partners by status"),
            [("status", _("Status")), ("n", _("Partners"))],
            [{"status": str(r["status"]), "n": r["n"]} for r in selectors.partner_counts()],
            frozenset({"n"}),
        ),
    ]
    return {t.name: t for t in tables}


def manager_tables(*, queue: dict, at_risk, expiring, stuck, kpis) -> dict[str, Table]:
    tables = [
        Table(
            "queue",
            _("Review queue ages"),
            [("age", _("Waiting")), ("deals", _("Deals"))],
            [
                {"age": _("Under 1 day"), "deals": queue["under_day"]},
                {"age": _("1–2 days"), "deals": queue["one_to_two"]},
                {"age": _("Over 2 days"), "deals": queue["over_two"]},
            ],
            frozenset({"deals"}),
        ),
        Table(
            "at_risk",
            _("At-risk partners"),
            [
                ("partner", _("Partner")),
                ("score", _("Score")),
                ("reason", _("Why")),
                ("since", _("Since")),
            ],
            [
                {
                    "partner": e.partner.name,
                    "partner_id": e.partner_id,
                    "score": e.score,
                    "reason": e.reason_text,
                    "since": e.started_on,
                }
                for e in at_risk
            ],
            frozenset({"score"}),
        ),
        Table(
            "expiring",
            _("Deal protection ending in 14 days"),
            [
                ("deal", _("Deal")),
                ("partner", _("Partner")),
                ("protected_until", _("Protected until")),
            ],
            [
                {
                    "deal": d.customer_name,
                    "partner": d.partner.name,
                    "protected_until": d.protected_until,
                }
                for d in expiring
            ],
        ),
        Table(
            "stuck",
            _("Stuck in onboarding (over 30 days)"),
            [("partner", _("Partner")), ("since", _("Onboarding since"))],
            [
                {"partner": p.name, "partner_id": p.pk, "since": p.status_changed_at.date()}
                for p in stuck
            ],
        ),
        _table(
            "kpis",
            _("Deal and MDF KPIs by partner"),
            ["partner_name", "tier_now", "won_deals", *KPI_KEYS],
            kpis,
            2,
            partner_rule(),
        ),
    ]
    return {t.name: t for t in tables}


def partner_tables(*, snapshot, quarters, mdf_rows, benchmark) -> dict[str, Table]:
    components = [
        {
            "component": component_label(c),
            "input": component_detail(c),
            "points": c["points"] if c["counted"] else None,
            "max_points": c["max_points"],
        }
        for c in (snapshot.components if snapshot else [])
    ]
    tables = [
        Table(
            "components",
            _("How the score is made"),
            [
                ("component", _("Component")),
                ("input", _("Input")),
                ("points", _("Points")),
                ("max_points", _("Out of")),
            ],
            components,
            frozenset({"points", "max_points"}),
        ),
        Table(
            "quarters",
            _("Return on partner investment and KPIs per quarter"),
            [
                ("label", _("Quarter")),
                ("sourced", _("Sourced")),
                ("influenced", _("Influenced")),
                ("return_amount", _("Return")),
                ("investment", _("Investment")),
                ("ropi", _("ROPI")),
                ("velocity_median_days", _("Days submitted to won (median)")),
                ("approval_rate_pct", _("Approval rate %")),
                ("sla_attainment_pct", _("Decided within SLA %")),
                ("mdf_roi", _("MDF ROI")),
            ],
            quarters,
            frozenset(
                {
                    "sourced",
                    "influenced",
                    "return_amount",
                    "investment",
                    "ropi",
                    "velocity_median_days",
                    "approval_rate_pct",
                    "sla_attainment_pct",
                    "mdf_roi",
                }
            ),
        ),
        Table(
            "mdf",
            _("Marketing funds"),
            [
                ("program", _("Program")),
                ("currency", _("Currency")),
                ("allocated", _("Allocated")),
                ("paid", _("Paid")),
                ("available", _("Available")),
            ],
            [
                {
                    "program": b.get("program__name"),
                    "currency": b.get("program__currency"),
                    "allocated": b["allocated"],
                    "paid": b["paid"],
                    "available": b["available"],
                }
                for b in mdf_rows
            ],
            frozenset({"allocated", "paid", "available"}),
        ),
        Table(
            "benchmark",
            _("Compared with your tier"),
            [
                ("kpi", _("Measure")),
                ("value", _("Yours")),
                ("percentile", _("Better than % of peers")),
            ],
            [
                {"kpi": label, "value": value, "percentile": pct}
                for label, value, pct in (benchmark.rows if benchmark else [])
            ],
            frozenset({"value", "percentile"}),
        ),
    ]
    return {t.name: t for t in tables}


def costs_table(rows) -> Table:
    return Table(
        "costs",
        _("Entered costs"),
        [
            ("incurred_on", _("Date")),
            ("partner", _("Partner")),
            ("tier", _("Tier")),
            ("description", _("Description")),
            ("amount", _("Amount")),
            ("currency", _("Currency")),
        ],
        [
            {
                "incurred_on": c.incurred_on,
                "partner": c.partner.name if c.partner else "",
                "tier": c.tier.name if c.tier else "",
                "description": c.description,
                "amount": c.amount,
                "currency": c.currency,
            }
            for c in rows
        ],
        frozenset({"amount"}),
    )
