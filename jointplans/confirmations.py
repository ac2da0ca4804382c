"""What each irreversible joint-plan action does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jointplans.models import JointPlan, PlanGoal
from prm.confirm import Confirmation, register


@register("jointplan-close")
def plan_close(plan: JointPlan) -> Confirmation:
    return Confirmation(
        name="jointplan-close",
        url=reverse("jointplan-close", args=[plan.pk]),
        title=_("Close the plan %(t)s with %(p)s?") % {"t": plan.title, "p": plan.partner.name},
        consequence=_(
            "Each goal keeps the figure it has now as its final result; the plan can no "
            "longer be changed or reopened."
        ),
        button=_("Close the plan"),
        confirm=_("Close"),
        back_url=plan.get_absolute_url(),
    )


@register("jointplan-goal-remove")
def goal_remove(goal: PlanGoal) -> Confirmation:
    return Confirmation(
        name="jointplan-goal-remove",
        url=reverse("jointplan-goal-remove", args=[goal.plan_id, goal.pk]),
        title=_("Remove this goal from the plan?"),
        consequence=_("Signatures given so far are cleared: both sides sign again."),
        button=_("Remove"),
        confirm=_("Remove the goal"),
        back_url=reverse("jointplan-detail", args=[goal.plan_id]),
        small=True,
    )
