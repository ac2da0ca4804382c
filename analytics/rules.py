"""Health scoring with no I/O: figures in, an explained score out.

Each component yields a fraction 0..1 (or None when the partner has no data for it, e.g. no
MDF allocated: the component is then left out and the other weights count for more). The
score is the weighted mean of the fractions, 0-100. Drivers are the sentences a person reads:
the trend of pipeline against the previous 90 days first, then the weakest components.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, ngettext_lazy

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
    # Community events (community.selectors): the partner's attended in the last 90 days,
    # and whether the program held any (none held: the component has no data).
    events_attended_90: int = 0
    events_held_90: int = 0


# Recency: full marks within RECENT_DAYS, nothing after STALE_DAYS, linear in between.
RECENT_DAYS = 30
STALE_DAYS = 180
# Targets for full marks where there is no peer median to compare with.
CERTIFIED_TARGET = 2
COMPLETIONS_TARGET = 3
ACTIVE_DAYS_TARGET = 8
EVENTS_TARGET = 2


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


# Sentences people read, stored as a message key and its parameters (stored()) and rendered
# when read: message_text() in the reader's language, english() in English. Amounts are
# stored as whole numbers and formatted for the reader's language. Keys must stay stable:
# snapshots keep them for good.
MESSAGES = {
    "pipeline_detail": gettext_lazy("%(amount)s registered (peer median %(median)s)"),
    "won_detail": gettext_lazy("%(amount)s won (peer median %(median)s)"),
    "win_rate_detail": ngettext_lazy(
        "%(won)s won of %(closed)s closed", "%(won)s won of %(closed)s closed", "closed"
    ),
    "no_closed_deals": gettext_lazy("no closed deals"),
    "no_deal_yet": gettext_lazy("no deal registered yet"),
    "last_registration": ngettext_lazy(
        "last registration %(days)s day ago", "last registration %(days)s days ago", "days"
    ),
    "training_detail": gettext_lazy(
        "certified people: %(certified)s, courses completed: %(courses)s"
    ),
    "activity_detail": ngettext_lazy(
        "%(days)s active member-day", "%(days)s active member-days", "days"
    ),
    "mdf_detail": gettext_lazy("%(paid)s paid of %(allocated)s allocated"),
    "no_mdf": gettext_lazy("no MDF allocated"),
    "onboarding_detail": ngettext_lazy(
        "%(done)s of %(total)s step done", "%(done)s of %(total)s steps done", "total"
    ),
    "no_onboarding": gettext_lazy("no onboarding workflow"),
    "events_detail": ngettext_lazy(
        "%(events)s event attended", "%(events)s events attended", "events"
    ),
    "no_events": gettext_lazy("no event held in the last 90 days"),
    "pipeline_down": gettext_lazy("Pipeline down %(pct)s%% vs the previous 90 days"),
    "pipeline_up": gettext_lazy("Pipeline up %(pct)s%% vs the previous 90 days"),
    "no_pipeline": gettext_lazy("No pipeline registered in the last 180 days"),
    "weak": gettext_lazy("Weak: %(component)s (%(detail)s)"),
    "score_below": gettext_lazy("Health score %(score)s is below %(below)s"),
    "score_fell": ngettext_lazy(
        "Health score fell %(points)s point in 30 days",
        "Health score fell %(points)s points in 30 days",
        "points",
    ),
}
# Parameters that are amounts (formatted with the reader's digit grouping).
AMOUNTS = {"amount", "median", "paid", "allocated"}


# The parameter that picks singular or plural, for the messages made with ngettext_lazy.
PLURAL_PARAM = {
    "win_rate_detail": "closed",
    "last_registration": "days",
    "activity_detail": "days",
    "onboarding_detail": "total",
    "events_detail": "events",
    "score_fell": "points",
}


class _Slot(int):
    """Stands in for a parameter while an English template is taken out of a message: prints
    as a marker that becomes the parameter's placeholder again (an int, so ngettext can
    choose the form from it)."""

    def __new__(cls, name: str, n: int = 0):
        slot = super().__new__(cls, n)
        slot.name = name
        return slot

    def __str__(self) -> str:
        return f"\x00{self.name}\x01"


class _Slots(dict):
    def __init__(self, number: str | None, n: int):
        super().__init__()
        self.number, self.n = number, n

    def __getitem__(self, name):
        return _Slot(name, self.n if name == self.number else 0)


_EN_TEMPLATES: dict[tuple[str, bool], str] = {}
_EN_LABELS: dict[str, str] = {}


def _english_template(key: str, plural: bool) -> str:
    """The English %-template of message `key` (its singular or plural form), made once per
    process: a score writes eleven sentences, and translation.override plus gettext for each
    was three quarters of scoring 50,000 partners."""
    found = _EN_TEMPLATES.get((key, plural))
    if found is None:
        with translation.override("en"):
            text = MESSAGES[key] % _Slots(PLURAL_PARAM.get(key), 2 if plural else 1)
        found = _EN_TEMPLATES[(key, plural)] = (
            text.replace("%", "%%").replace("\x00", "%(").replace("\x01", ")s")
        )
    return found


def _english(key: str, params: dict) -> str:
    """message_text() in English, without switching languages (equal: tested)."""
    number = PLURAL_PARAM.get(key)
    values = {}
    for name, value in params.items():
        if isinstance(value, dict):
            values[name] = (
                value["text"] if "text" in value else _english(value["key"], value["params"])
            )
        elif name == "component" and value in COMPONENTS:
            label = _EN_LABELS.get(value)
            if label is None:
                with translation.override("en"):
                    label = _EN_LABELS[value] = str(COMPONENTS[value]).lower()
            values[name] = label
        elif name in AMOUNTS:
            values[name] = f"{int(Decimal(value)):,}"
        else:
            values[name] = value
    return _english_template(key, number is not None and params[number] != 1) % values


def message(key: str, **params) -> dict:
    """A sentence with its English rendering: {"key", "params", "text"}."""
    return {"key": key, "params": params, "text": _english(key, params)}


def stored(key: str, **params) -> dict:
    """A sentence as snapshots store it: {"key", "params"}, rendered when read
    (message_text() in the reader's language, english() for the stored English reason).
    Snapshots written before 2026-12-06 also carry "text"; readers accept both."""
    return {"key": key, "params": params}


def component_label(component: dict) -> str:
    """A stored component's label in the active language (snapshots store its key; older
    ones also stored the label as text, used when the key is unknown)."""
    label = COMPONENTS.get(component.get("key"))
    return str(label) if label is not None else str(component.get("label", ""))


def component_detail(component: dict) -> str:
    """A stored component's input in the active language (older snapshots: English text)."""
    return message_text(component.get("detail_msg") or component.get("detail", ""))


def english(item) -> str:
    """A stored sentence (or an old plain string) in English, without switching languages."""
    if isinstance(item, dict) and item.get("key") in MESSAGES:
        return _english(item["key"], item.get("params") or {})
    return message_text(item)


def message_text(item) -> str:
    """The sentence in the active language. Old snapshots stored plain English strings:
    they are shown as they are. Parameters may be messages themselves (a weak component's
    detail) or a component key (its label)."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict) or item.get("key") not in MESSAGES:
        return str((item or {}).get("text", "")) if isinstance(item, dict) else str(item)
    values = {}
    for name, value in (item.get("params") or {}).items():
        if isinstance(value, dict):
            values[name] = message_text(value)
        elif name == "component" and value in COMPONENTS:
            values[name] = str(COMPONENTS[value]).lower()
        elif name in AMOUNTS:
            values[name] = number_format(Decimal(value), 0, force_grouping=True)
        else:
            values[name] = value
    return MESSAGES[item["key"]] % values


def _detail_messages(f: Figures) -> dict[str, tuple[float | None, dict]]:
    """key -> (fraction or None, the input as a message)."""
    out: dict[str, tuple[float | None, dict]] = {}

    def amount(value: Decimal) -> str:
        return str(value.quantize(Decimal("1")))

    out["pipeline"] = (
        _ratio(f.pipeline_90, f.median_pipeline_90),
        stored(
            "pipeline_detail", amount=amount(f.pipeline_90), median=amount(f.median_pipeline_90)
        ),
    )
    out["won_revenue"] = (
        _ratio(f.won_12m, f.median_won_12m),
        stored("won_detail", amount=amount(f.won_12m), median=amount(f.median_won_12m)),
    )
    closed = f.won_deals + f.lost_deals
    out["win_rate"] = (
        (f.won_deals / closed if closed else None),
        stored("win_rate_detail", won=f.won_deals, closed=closed)
        if closed
        else stored("no_closed_deals"),
    )
    if f.days_since_last is None:
        out["recency"] = (0.0, stored("no_deal_yet"))
    else:
        d = f.days_since_last
        frac = 1.0 if d <= RECENT_DAYS else max(0.0, (STALE_DAYS - d) / (STALE_DAYS - RECENT_DAYS))
        out["recency"] = (frac, stored("last_registration", days=d))
    out["training"] = (
        0.7 * min(1.0, f.certified_people / CERTIFIED_TARGET)
        + 0.3 * min(1.0, f.completions_12m / COMPLETIONS_TARGET),
        stored("training_detail", certified=f.certified_people, courses=f.completions_12m),
    )
    out["activity"] = (
        min(1.0, f.active_days_30 / ACTIVE_DAYS_TARGET),
        stored("activity_detail", days=f.active_days_30),
    )
    out["mdf"] = (
        (min(1.0, float(f.mdf_paid / f.mdf_allocated)) if f.mdf_allocated > 0 else None),
        (
            stored("mdf_detail", paid=amount(f.mdf_paid), allocated=amount(f.mdf_allocated))
            if f.mdf_allocated > 0
            else stored("no_mdf")
        ),
    )
    out["onboarding"] = (
        (f.onboarding_done / f.onboarding_total if f.onboarding_total else None),
        (
            stored("onboarding_detail", done=f.onboarding_done, total=f.onboarding_total)
            if f.onboarding_total
            else stored("no_onboarding")
        ),
    )
    out["events"] = (
        (min(1.0, f.events_attended_90 / EVENTS_TARGET) if f.events_held_90 else None),
        (
            stored("events_detail", events=f.events_attended_90)
            if f.events_held_90
            else stored("no_events")
        ),
    )
    return out


def component_fractions(f: Figures) -> dict[str, tuple[float | None, str]]:
    """key -> (fraction or None, a short statement of the input, in English)."""
    return {key: (frac, english(msg)) for key, (frac, msg) in _detail_messages(f).items()}


def score(f: Figures, weights: dict[str, int]) -> tuple[int, list[dict], list[str]]:
    """(score 0-100, components, drivers). Components with no data are left out."""
    fractions = _detail_messages(f)
    counted = {k: w for k, w in weights.items() if w > 0 and fractions[k][0] is not None}
    total_weight = sum(counted.values())
    components = []
    achieved = 0.0
    for key in COMPONENTS:
        frac, detail_msg = fractions[key]
        weight = counted.get(key, 0)
        share = (weight / total_weight * 100) if total_weight else 0.0
        points = (frac or 0.0) * share
        achieved += points
        components.append(
            {
                "key": key,
                "detail_msg": detail_msg,
                "fraction": None if frac is None else round(frac, 4),
                "points": round(points, 1),
                "max_points": round(share, 1),
                "counted": key in counted,
            }
        )
    value = round(achieved) if total_weight else 0
    return max(0, min(100, value)), components, drivers(f, components)


def drivers(f: Figures, components: list[dict]) -> list[dict]:
    """The sentences shown first, as messages (see stored())."""
    out = []
    change = pct_change(f.pipeline_90, f.pipeline_prev_90)
    if change is not None and change <= -10:
        out.append(stored("pipeline_down", pct=-change))
    elif change is not None and change >= 10:
        out.append(stored("pipeline_up", pct=change))
    elif f.pipeline_90 == 0 and f.pipeline_prev_90 == 0:
        out.append(stored("no_pipeline"))
    weak = sorted(
        (c for c in components if c["counted"] and c["max_points"] > 0),
        key=lambda c: c["points"] / c["max_points"],
    )
    for c in weak[:2]:
        if c["points"] / c["max_points"] < 0.5:
            detail = c.get("detail_msg") or c["detail"]
            out.append(stored("weak", component=c["key"], detail=detail))
    return out


def risk_message(
    *, score_today: int, score_30_days_ago: int | None, below: int, drop: int
) -> dict | None:
    """Why a partner is at risk today, as a message, or None when it is not."""
    if score_today < below:
        return stored("score_below", score=score_today, below=below)
    if score_30_days_ago is not None and score_30_days_ago - score_today > drop:
        return stored("score_fell", points=score_30_days_ago - score_today)
    return None


def risk(*, score_today: int, score_30_days_ago: int | None, below: int, drop: int) -> str:
    """The reason a partner is at risk today (English), or "" when it is not."""
    found = risk_message(
        score_today=score_today, score_30_days_ago=score_30_days_ago, below=below, drop=drop
    )
    return english(found) if found else ""
