"""Joint business plans' home section (registered in JointplansConfig.ready()): the live
plans a member follows, each goal's progress against its target and the period gone by."""

from __future__ import annotations

from jointplans import selectors


def plans_home(member) -> dict | None:
    """Partner people: their company's proposed, signed and running plans; staff: every live
    plan (a channel manager's own partners' when they manage any). Nothing to show: no
    section. The figures of all the plans shown are read at once (selectors.progress_many)."""
    plans = selectors.live_plans(member)
    if not plans:
        return None
    progress = selectors.progress_many(plans)
    rows = []
    for plan in plans:
        goals = progress[plan.pk]
        rows.append(
            {
                "plan": plan,
                "goals": goals,
                "summary": selectors.summary(goals),
                "elapsed": selectors.elapsed_pct(plan),
            }
        )
    return {"plans": rows, "staff": member.partner_id is None}
