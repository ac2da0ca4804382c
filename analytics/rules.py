"""Health scoring with no I/O: figures in, an explained score out.

Each component yields a fraction 0..1 (or None when the partner has no data for it, e.g. no
MDF allocated: the component is then left out and the other weights count for more). The
score is the weighted mean of the fractions, 0-100. Drivers are the sentences a person reads:
the trend of pipeline against the previous 90 days first, then the weakest components.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from analytics.models import COMPONENTS


@dataclass(frozen=True)
class Figures:
    pipeline_90: Decimal = Decimal("0")
    pipeline_prev_90: Decimal = Decimal("0")
    median_pipeline_90: Decimal = Decimal("0")
    won_12m: Decimal = Decimal("0")
    median_won_12m: Decimal = Decimal("0")
    won_deals: int = 0
    lost_deals: int = 0
    days_since_last: int | None = None
    certified_people: int = 0
    completions_12m: int = 0
    active_days_30: int = 0
    mdf_allocated: Decimal = Decimal("0")
    mdf_paid: Decimal = Decimal("0")
    onboarding_done: int = 0
    onboarding_total: int = 0


# Recency: full marks within RECENT_DAYS, nothing after STALE_DAYS, linear in between.
RECENT_DAYS = 30
STALE_DAYS = 180
# Targets for full marks where there is no peer median to compare with.
CERTIFIED_TARGET = 2
COMPLETIONS_TARGET = 3
ACTIVE_DAYS_TARGET = 8


def _ratio(value: Decimal, target: Decimal) -> float:
    if target <= 0:
        return 1.0 if value > 0 else 0.0
    return min(1.0, float(value / target))


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"


def pct_change(now: Decimal, before: Decimal) -> int | None:
    if before <= 0:
        return None
    return round(float((now - before) / before) * 100)


def component_fractions(f: Figures) -> dict[str, tuple[float | None, str]]:
    """key -> (fraction or None, a short statement of the input)."""
    out: dict[str, tuple[float | None, str]] = {}
    out["pipeline"] = (
        _ratio(f.pipeline_90, f.median_pipeline_90),
        f"{_money(f.pipeline_90)} registered (peer median {_money(f.median_pipeline_90)})",
    )
    out["won_revenue"] = (
        _ratio(f.won_12m, f.median_won_12m),
        f"{_money(f.won_12m)} won (peer median {_money(f.median_won_12m)})",
    )
    closed = f.won_deals + f.lost_deals
    out["win_rate"] = (
        (f.won_deals / closed if closed else None),
        f"{f.won_deals} won of {closed} closed" if closed else "no closed deals",
    )
    if f.days_since_last is None:
        out["recency"] = (0.0, "no deal registered yet")
    else:
        d = f.days_since_last
        frac = 1.0 if d <= RECENT_DAYS else max(0.0, (STALE_DAYS - d) / (STALE_DAYS - RECENT_DAYS))
        out["recency"] = (frac, f"last registration {d} days ago")
    out["training"] = (
        0.7 * min(1.0, f.certified_people / CERTIFIED_TARGET)
        + 0.3 * min(1.0, f.completions_12m / COMPLETIONS_TARGET),
        f"{f.certified_people} certified people, {f.completions_12m} courses completed",
    )
    out["activity"] = (
        min(1.0, f.active_days_30 / ACTIVE_DAYS_TARGET),
        f"{f.active_days_30} active member-days",
    )
    out["mdf"] = (
        (min(1.0, float(f.mdf_paid / f.mdf_allocated)) if f.mdf_allocated > 0 else None),
        (
            f"{_money(f.mdf_paid)} paid of {_money(f.mdf_allocated)} allocated"
            if f.mdf_allocated > 0
            else "no MDF allocated"
        ),
    )
    out["onboarding"] = (
        (f.onboarding_done / f.onboarding_total if f.onboarding_total else None),
        (
            f"{f.onboarding_done} of {f.onboarding_total} steps done"
            if f.onboarding_total
            else "no onboarding workflow"
        ),
    )
    return out


def score(f: Figures, weights: dict[str, int]) -> tuple[int, list[dict], list[str]]:
    """(score 0-100, components, drivers). Components with no data are left out."""
    fractions = component_fractions(f)
    counted = {k: w for k, w in weights.items() if w > 0 and fractions[k][0] is not None}
    total_weight = sum(counted.values())
    components = []
    achieved = 0.0
    for key, label in COMPONENTS.items():
        frac, detail = fractions[key]
        weight = counted.get(key, 0)
        share = (weight / total_weight * 100) if total_weight else 0.0
        points = (frac or 0.0) * share
        achieved += points
        components.append(
            {
                "key": key,
                "label": str(label),
                "detail": detail,
                "fraction": None if frac is None else round(frac, 4),
                "points": round(points, 1),
                "max_points": round(share, 1),
                "counted": key in counted,
            }
        )
    value = round(achieved) if total_weight else 0
    return max(0, min(100, value)), components, drivers(f, components)


def drivers(f: Figures, components: list[dict]) -> list[str]:
    out = []
    change = pct_change(f.pipeline_90, f.pipeline_prev_90)
    if change is not None and change <= -10:
        out.append(f"Pipeline down {-change}% vs the previous 90 days")
    elif change is not None and change >= 10:
        out.append(f"Pipeline up {change}% vs the previous 90 days")
    elif f.pipeline_90 == 0 and f.pipeline_prev_90 == 0:
        out.append("No pipeline registered in the last 180 days")
    weak = sorted(
        (c for c in components if c["counted"] and c["max_points"] > 0),
        key=lambda c: c["points"] / c["max_points"],
    )
    for c in weak[:2]:
        if c["points"] / c["max_points"] < 0.5:
            out.append(f"Weak: {c['label'].lower()} ({c['detail']})")
    return out


def risk(*, score_today: int, score_30_days_ago: int | None, below: int, drop: int) -> str:
    """The reason a partner is at risk today, or "" when it is not."""
    if score_today < below:
        return f"Health score {score_today} is below {below}"
    if score_30_days_ago is not None and score_30_days_ago - score_today > drop:
        return f"Health score fell {score_30_days_ago - score_today} points in 30 days"
    return ""
