"""Reads of joint business plans: who sees which plan, and each goal's live progress."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from jointplans import metrics
from jointplans.models import Initiative, JointPlan, PlanGoal, PlanStatus
from prm.models import Member
from prm.roles import STAFF_ROLES, Role

LIVE = (PlanStatus.PROPOSED, PlanStatus.SIGNED, PlanStatus.ACTIVE)


def plans_visible_to(member: Member) -> QuerySet[JointPlan]:
    """Staff: every plan. Partner people: their company's, once proposed (a draft is the
    vendor's work in progress). Anyone else: none (another partner's plan is a 404)."""
    qs = JointPlan.objects.select_related("partner")
    if member.role in STAFF_ROLES:
        return qs
    if member.partner_id is None:
        return qs.none()
    return qs.filter(partner_id=member.partner_id).exclude(status=PlanStatus.DRAFT)


def plan_detail(member: Member, pk: int) -> JointPlan | None:
    return (
        plans_visible_to(member)
        .select_related("vendor_signed_by__user", "partner_signed_by__user", "created_by__user")
        .prefetch_related(
            Prefetch("goals", queryset=PlanGoal.objects.order_by("created_at", "id")),
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.select_related("owner__user").order_by(
                    "due_date", "id"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def owner_choices(plan: JointPlan) -> QuerySet[Member]:
    """Who may own an initiative: the vendor's staff and the plan's partner's people."""
    return (
        Member.objects.filter(is_active=True)
        .filter(Q(role__in=STAFF_ROLES) | Q(partner_id=plan.partner_id))
        .select_related("user", "partner")
        .order_by("role", "user__email")
    )


def vendor_side(plan: JointPlan) -> list[Member]:
    """The vendor's people a plan concerns: the partner's channel manager, else the admins."""
    owner_id = plan.partner.owner_id
    if owner_id:
        owner = Member.objects.filter(pk=owner_id, is_active=True).first()
        if owner is not None:
            return [owner]
    return list(Member.objects.filter(role=Role.ADMIN, is_active=True))


def partner_side(plan: JointPlan) -> list[Member]:
    """The partner's admins (they sign)."""
    return list(
        Member.objects.filter(partner_id=plan.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
    )


# --- Progress -----------------------------------------------------------------------------


@dataclass
class GoalProgress:
    goal: PlanGoal
    label: str
    kind: str
    actual: Decimal | None
    pct: int | None  # % of target reached (None: no figure)
    expected_pct: int  # % of the period elapsed
    on_track: bool | None  # None: no figure
    done: bool

    @property
    def money(self) -> bool:
        return self.kind == metrics.MONEY

    @property
    def bar_pct(self) -> int:
        return min(100, self.pct or 0)


def elapsed_pct(plan: JointPlan, today: datetime.date | None = None) -> int:
    """How much of the plan's period has passed, 0 to 100."""
    today = today or timezone.localdate()
    days = (plan.end_date - plan.start_date).days + 1
    gone = (min(today, plan.end_date) - plan.start_date).days + 1
    return max(0, min(100, round(100 * gone / days)))


def goal_actual(goal: PlanGoal, plan: JointPlan) -> Decimal | None:
    """The product's own figure for the goal's metric over the plan's period (kept at close)."""
    if plan.status == PlanStatus.CLOSED:
        return goal.final_actual
    return metrics.actual(
        goal.metric,
        partner_id=plan.partner_id,
        start=plan.start_date,
        end=plan.end_date,
        currency=goal.currency,
    )


def _item(goal: PlanGoal, plan: JointPlan) -> tuple:
    return (goal.metric, plan.partner_id, plan.start_date, plan.end_date, goal.currency)


def _actuals(plans) -> dict[int, Decimal | None]:
    """Every goal's actual of these plans by goal id: a closed plan's kept figure, the live
    ones' from jointplans.metrics.actuals (a fixed number of queries for all of them)."""
    live = [(g, p) for p in plans if p.status != PlanStatus.CLOSED for g in p.goals.all()]
    values = metrics.actuals([_item(g, p) for g, p in live])
    out = {g.pk: values[_item(g, p)] for g, p in live}
    for plan in plans:
        if plan.status == PlanStatus.CLOSED:
            out.update({g.pk: g.final_actual for g in plan.goals.all()})
    return out


def progress(plan: JointPlan, today: datetime.date | None = None) -> list[GoalProgress]:
    """Plan against actual for every goal: % of target, and on track when that is at least the
    share of the period gone by (behind otherwise); a goal reached is done."""
    return progress_many([plan], today)[plan.pk]


def progress_many(plans, today: datetime.date | None = None) -> dict[int, list[GoalProgress]]:
    """`progress` of many plans (their goals prefetched) by plan id, the figures of all of
    them read at once: a page of plans costs the same number of queries as one plan."""
    actual = _actuals(plans)
    out = {}
    for plan in plans:
        expected = elapsed_pct(plan, today)
        rows = []
        for goal in plan.goals.all():
            value = actual[goal.pk]
            metric = metrics.METRICS.get(goal.metric)
            pct = None
            if value is not None:
                pct = (
                    100
                    if not goal.target
                    else int((value * 100 / goal.target).quantize(Decimal(1), ROUND_HALF_UP))
                )
            done = value is not None and value >= goal.target
            rows.append(
                GoalProgress(
                    goal=goal,
                    label=metrics.label_of(goal.metric),
                    kind=metric.kind if metric else metrics.COUNT,
                    actual=value,
                    pct=pct,
                    expected_pct=expected,
                    on_track=None if pct is None else (done or pct >= expected),
                    done=done,
                )
            )
        out[plan.pk] = rows
    return out


def summary(rows: list[GoalProgress]) -> dict:
    known = [r for r in rows if r.on_track is not None]
    return {
        "goals": len(rows),
        "on_track": sum(1 for r in known if r.on_track),
        "behind": sum(1 for r in known if not r.on_track),
        "unknown": len(rows) - len(known),
    }


def live_plans(member: Member, *, limit: int = 5) -> list[JointPlan]:
    """The plans a member follows on the home page: proposed, signed or active ones; a
    channel manager's for the partners they manage when they manage any."""
    qs = plans_visible_to(member).filter(status__in=LIVE)
    if member.role == Role.CHANNEL_MANAGER and qs.filter(partner__owner=member).exists():
        qs = qs.filter(partner__owner=member)
    return list(
        qs.prefetch_related(Prefetch("goals", queryset=PlanGoal.objects.order_by("id"))).order_by(
            "end_date", "id"
        )[:limit]
    )


def plan_for_review(partner_id: int, period_start: datetime.date, period_end: datetime.date):
    """For the business review (analytics): the partner's signed, active or closed plan whose
    period overlaps the review's quarter, latest start first."""
    return (
        JointPlan.objects.filter(
            partner_id=partner_id,
            status__in=(PlanStatus.SIGNED, PlanStatus.ACTIVE, PlanStatus.CLOSED),
            start_date__lte=period_end,
            end_date__gte=period_start,
        )
        .prefetch_related("goals")
        .order_by("-start_date", "-id")
        .first()
    )


def due_reminders(today: datetime.date, days: int, closer: int = -1) -> QuerySet[JointPlan]:
    """Live plans whose review is at most `days` away but more than `closer` (the next
    reminder's count: a review 3 days away gets the 3-day reminder, not both), without the
    reminder for `days` yet."""
    return JointPlan.objects.filter(
        status__in=(PlanStatus.SIGNED, PlanStatus.ACTIVE),
        review_date__gt=today + datetime.timedelta(days=closer),
        review_date__lte=today + datetime.timedelta(days=days),
    ).exclude(reminders__days_before=days)
