"""The preview of an edit to the tiers: which partners move because of the edit, and which
would move anyway at the next evaluation. The tier edit page, the program what-if page and
the API's `tiers/what-if` all answer with it.

The evaluation is computed twice in one statement, over the same partners and figures: with
the tiers as they are (the baseline: where the next evaluation would put each partner) and
with the edited tiers. A partner whose outcome differs between the two moves because of the
edit; a partner the baseline moves and the edit leaves where the baseline puts it would move
anyway. Each row names the requirement and the figure that decide it. Saves nothing; grace
periods are not applied (as in tiering.what_if).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from partners.models import Tier
from partners.tiering import ACTIVE_METRICS, BEST_TIER, WhatIfTier, source_named

COMPARE = (
    "WITH base AS ({base}), edit AS ({edit}), m AS ("
    + ACTIVE_METRICS
    + "), qb AS ("
    + BEST_TIER.format(tiers="base")
    + "), qe AS ("
    + BEST_TIER.format(tiers="edit")
    + """)
SELECT m.partner_id, m.name, m.current_tier_id, qb.tier_id AS base_tier_id,
       qe.tier_id AS edit_tier_id, m.rev, m.deals, m.certs, m.health
FROM m
LEFT JOIN qb ON qb.partner_id = m.partner_id
LEFT JOIN qe ON qe.partner_id = m.partner_id
WHERE qb.tier_id IS DISTINCT FROM m.current_tier_id
   OR qe.tier_id IS DISTINCT FROM qb.tier_id
ORDER BY m.name, m.partner_id
"""
)


@dataclass
class PreviewRow:
    partner_id: int
    name: str
    now: str  # the tier held today
    without: str  # where the next evaluation puts it under the tiers as they are
    with_edit: str  # ... under the edited tiers
    direction: str  # "up", "down" or "stays" (against the tier held today)
    why: list[str] = field(default_factory=list)


@dataclass
class ChangePreview:
    because: list[PreviewRow]  # outcome differs between the current and the edited tiers
    anyway: list[PreviewRow]  # due to move under the current tiers, and the edit agrees
    total: int  # active partners

    def count(self, rows: str, direction: str) -> int:
        return sum(1 for r in getattr(self, rows) if r.direction == direction)

    @property
    def because_up(self) -> int:
        return self.count("because", "up")

    @property
    def because_down(self) -> int:
        return self.count("because", "down")

    @property
    def anyway_up(self) -> int:
        return self.count("anyway", "up")

    @property
    def anyway_down(self) -> int:
        return self.count("anyway", "down")


def _figure(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return number_format(value, force_grouping=True)


def _requirements() -> list[tuple[str, str, str]]:
    """(requirement attribute, figure column, label)."""
    return [
        ("min_rev", "rev", _("Won revenue (12 months)")),
        ("min_deals", "deals", _("Won deals (12 months)")),
        ("min_certs", "certs", _("Certified people")),
        ("min_health", "health", _("Health score")),
    ]


def explain(row: dict, tier: WhatIfTier, *, met: bool) -> list[str]:
    """The requirements of `tier` that the partner's figures meet (met=True: why it gets the
    tier) or miss (met=False: why it loses it), each with the figure and the threshold."""
    out = []
    for attr, col, label in _requirements():
        required = getattr(tier, attr)
        if required is None:
            continue
        value = row[col]
        ok = value is not None and value >= required
        if ok != met:
            continue
        params = {
            "label": label,
            "value": _figure(value) if value is not None else "",
            "required": _figure(required),
            "tier": tier.name,
        }
        if value is None:
            out.append(_("%(label)s: none yet, %(required)s required for %(tier)s") % params)
        elif ok:
            out.append(_("%(label)s %(value)s ≥ %(required)s required for %(tier)s") % params)
        else:
            out.append(_("%(label)s %(value)s < %(required)s required for %(tier)s") % params)
    if met and not out:
        out.append(_("%(tier)s has no requirements") % {"tier": tier.name})
    return out


def _rank(rules: dict[int, WhatIfTier], tier_id: int | None) -> int:
    return rules[tier_id].rank if tier_id in rules else -1


def _why(
    row: dict, rules: dict[int, WhatIfTier], outcome: int | None, other: int | None
) -> tuple[str, list[str]]:
    """The direction of the move from the tier held today to `outcome` under `rules`, and
    why `outcome` rather than `other` (the tier held today, or for a move caused by the
    edit, where the current rules would put the partner): the requirements of the higher of
    the two that the partner's figures meet (it gets there) or miss (it does not)."""
    now = _rank(rules, row["current_tier_id"])
    new = _rank(rules, outcome)
    direction = "up" if new > now else "down" if new < now else "stays"
    if new > _rank(rules, other):
        return direction, explain(row, rules[outcome], met=True)
    if other in rules:
        return direction, explain(row, rules[other], met=False)
    return direction, []


def change_preview(*, tenant, current: list[WhatIfTier], edited: list[WhatIfTier]) -> ChangePreview:
    """Compare the next evaluation under the `current` tiers (as stored) with the one under
    the `edited` tiers (the same tiers with the admin's edit). Both lists hold every tier,
    with the same ids. Saves nothing."""
    params: dict = {"tenant": tenant.pk}
    sources = {}
    for key, tiers in (("base", current), ("edit", edited)):
        prefix = f"{key}_"
        sql = source_named(len(tiers)).replace("%(v", f"%({prefix}v")
        for i, t in enumerate(tiers):
            values = [
                t.id,
                t.rank,
                t.min_rev,
                t.min_deals,
                t.min_certs,
                t.min_health,
                t.discount_pct,
                t.mdf_allocation,
                t.mdf_accrual_pct,
            ]
            for j, value in enumerate(values):
                params[f"{prefix}v{i * 9 + j}"] = value
        sources[key] = sql
    with connection.cursor() as cur:
        rows = []
        if current and edited:
            cur.execute(COMPARE.format(**sources), params)
            cols = [c.name for c in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        cur.execute(
            "SELECT count(*) FROM partners_partner WHERE tenant_id = %s AND status = 'active'",
            [tenant.pk],
        )
        total = cur.fetchone()[0]
    base_rules = {t.id: t for t in current}
    edit_rules = {t.id: t for t in edited}

    def name(rules, tier_id) -> str:
        return rules[tier_id].name if tier_id in rules else "—"

    because, anyway = [], []
    for r in rows:
        now = name(base_rules, r["current_tier_id"])
        without = name(base_rules, r["base_tier_id"])
        if r["edit_tier_id"] != r["base_tier_id"]:
            direction, why = _why(r, edit_rules, r["edit_tier_id"], r["base_tier_id"])
            target = because
        else:
            direction, why = _why(r, base_rules, r["base_tier_id"], r["current_tier_id"])
            target = anyway
        target.append(
            PreviewRow(
                partner_id=r["partner_id"],
                name=r["name"],
                now=now,
                without=without,
                with_edit=name(edit_rules, r["edit_tier_id"]),
                direction=direction,
                why=why,
            )
        )
    return ChangePreview(because=because, anyway=anyway, total=total)


def stored_tiers() -> list[WhatIfTier]:
    """Every tier of the current tenant as stored, by rank."""
    return [
        WhatIfTier(
            id=t.pk,
            rank=t.rank,
            name=t.name,
            min_rev=t.min_won_revenue_12m,
            min_deals=t.min_won_deals_12m,
            min_certs=t.min_certified_people,
            min_health=t.min_health_score,
            discount_pct=t.discount_pct,
            mdf_allocation=t.mdf_allocation,
            mdf_accrual_pct=t.mdf_accrual_pct,
        )
        for t in Tier.objects.order_by("rank")
    ]


def what_if_preview(*, tenant, proposed: list[WhatIfTier]) -> ChangePreview:
    """The change preview of `proposed` (every stored tier, with proposed values) against the
    tiers as stored."""
    return change_preview(tenant=tenant, current=stored_tiers(), edited=proposed)
