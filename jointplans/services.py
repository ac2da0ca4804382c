"""Writes of joint business plans. Each service locks the plan, checks the move with
jointplans.states.PLAN, writes, audits (log_action), emits the event and tells the other side.

A change to a plan's content (title, dates, goals, initiatives) after either side signed
clears both signatures and, in a signed plan, reopens it (proposed): what was signed is no
longer what the plan says. Moving an initiative's status in a signed or running plan is
progress, not a change of the plan, and keeps the signatures.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointplans import metrics, selectors
from jointplans.models import (
    Initiative,
    InitiativeStatus,
    JointPlan,
    PeriodKind,
    PlanGoal,
    PlanReminder,
    PlanStatus,
    period_end,
)
from jointplans.states import PLAN
from partners.models import Partner
from prm import events, notifications
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.iso import CURRENCY_CODES
from prm.models import Member
from prm.roles import STAFF_ROLES, require

REMINDER_DAYS = (14, 3)
MAX_TARGET = Decimal("99999999999999.99")


def _locked(plan: JointPlan) -> JointPlan:
    return JointPlan.objects.select_for_update().select_related("partner").get(pk=plan.pk)


def _snapshot(plan: JointPlan) -> dict:
    return {
        "status": plan.status,
        "title": plan.title,
        "start_date": plan.start_date,
        "end_date": plan.end_date,
        "review_date": plan.review_date,
        "vendor_signed": plan.vendor_signed_at is not None,
        "partner_signed": plan.partner_signed_at is not None,
    }


def _tell(plan: JointPlan, event_type: str, *, by: Member | None, recipients=None) -> None:
    """Emit the plan's event and tell the other side (both sides when the system acted)."""
    events.emit(event_type, plan)
    if recipients is None:
        if by is None:
            recipients = selectors.vendor_side(plan) + selectors.partner_side(plan)
        elif by.role in STAFF_ROLES:
            recipients = selectors.partner_side(plan)
        else:
            recipients = selectors.vendor_side(plan)
    notifications.notify(
        recipients,
        group="jointplans",
        subject=events.EVENTS[event_type][2],  # notify() adds the plan's label
        template="jointplans/emails/notice.txt",
        context={"plan": plan, "kind": event_type, "by": by},
        path=plan.get_absolute_url(),
        kind=event_type,
        event=notifications.event_for(event_type, plan),
        obj=plan,
    )


def _changed(plan: JointPlan, *, by: Member, what: str) -> JointPlan:
    """Record a change to the plan's content (the plan is locked and `edit` was checked):
    signatures given so far no longer hold."""
    plan.updated_at = timezone.now()
    fields = ["updated_at"]
    if plan.signatures:
        before = _snapshot(plan)
        plan.vendor_signed_by = plan.partner_signed_by = None
        plan.vendor_signed_at = plan.partner_signed_at = None
        fields += ["vendor_signed_by", "vendor_signed_at", "partner_signed_by", "partner_signed_at"]
        reopened = plan.status == PlanStatus.SIGNED
        if reopened:
            PLAN.check(plan, None, "reopen")
            plan.status = PlanStatus.PROPOSED
            fields.append("status")
        plan.save(update_fields=fields)
        log_action(
            "jointplan.signatures_reset",
            obj=plan,
            before=before,
            after={**_snapshot(plan), "change": what},
        )
        _tell(plan, "jointplan.reopened", by=by)
    else:
        plan.save(update_fields=fields)
    return plan


# --- The plan --------------------------------------------------------------------------


def _period(kind: str, start: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    if kind not in PeriodKind.values:
        raise DomainError(_("Choose a quarter, a half year or a year."), field="period_kind")
    if start is None:
        raise DomainError(_("Enter the first day of the period."), field="start_date")
    if start.day != 1 or start.month not in (1, 4, 7, 10):
        raise DomainError(
            _("A plan's period starts on the first day of a quarter (1 January, 1 April, ...)."),
            field="start_date",
        )
    return start, period_end(kind, start)


def _review(review: datetime.date | None, start, end) -> datetime.date:
    review = review or end
    if review < start or review > end + datetime.timedelta(days=90):
        raise DomainError(
            _("The review date lies in the plan's period or up to 90 days after it."),
            field="review_date",
        )
    return review


@transaction.atomic
def plan_create(
    *,
    partner: Partner,
    title: str,
    period_kind: str,
    start_date: datetime.date,
    review_date: datetime.date | None = None,
    summary: str = "",
    by: Member,
) -> JointPlan:
    """A draft plan for `partner` (staff only). One plan per partner, period kind and start."""
    require(by, "jointplans.manage", system=False)
    title = limited((title or "").strip(), 200, "title")
    if not title:
        raise DomainError(_("Give the plan a title."), field="title")
    start, end = _period(period_kind, start_date)
    review = _review(review_date, start, end)
    if JointPlan.objects.filter(
        partner=partner, period_kind=period_kind, start_date=start
    ).exists():
        raise DomainError(_("This partner has a plan for this period already."), field="start_date")
    try:
        with transaction.atomic():
            plan = JointPlan.objects.create(
                tenant_id=partner.tenant_id,
                partner=partner,
                title=title,
                period_kind=period_kind,
                start_date=start,
                end_date=end,
                review_date=review,
                summary=limited(summary or "", 4000, "summary"),
                created_by=by,
            )
    except IntegrityError:  # the same plan created at the same moment
        raise DomainError(
            _("This partner has a plan for this period already."), field="start_date"
        ) from None
    log_action("jointplan.created", obj=plan, after=_snapshot(plan))
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: JointPlan,
    by: Member,
    title: str,
    period_kind: str,
    start_date: datetime.date,
    review_date: datetime.date | None = None,
    summary: str = "",
) -> JointPlan:
    plan = _locked(plan)
    PLAN.check(plan, by, "edit")
    title = limited((title or "").strip(), 200, "title")
    if not title:
        raise DomainError(_("Give the plan a title."), field="title")
    start, end = _period(period_kind, start_date)
    review = _review(review_date, start, end)
    clash = (
        JointPlan.objects.filter(
            partner_id=plan.partner_id, period_kind=period_kind, start_date=start
        )
        .exclude(pk=plan.pk)
        .exists()
    )
    if clash:
        raise DomainError(_("This partner has a plan for this period already."), field="start_date")
    before = _snapshot(plan)
    new = {
        "title": title,
        "period_kind": period_kind,
        "start_date": start,
        "end_date": end,
        "review_date": review,
        "summary": limited(summary or "", 4000, "summary"),
    }
    if all(getattr(plan, k) == v for k, v in new.items()):
        return plan
    for key, value in new.items():
        setattr(plan, key, value)
    plan.save(update_fields=list(new))
    log_action("jointplan.updated", obj=plan, before=before, after=_snapshot(plan))
    return _changed(plan, by=by, what="plan")


@transaction.atomic
def plan_propose(*, plan: JointPlan, by: Member) -> JointPlan:
    plan = _locked(plan)
    PLAN.check(plan, by, "propose")
    before = _snapshot(plan)
    plan.status = PlanStatus.PROPOSED
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "updated_at"])
    log_action("jointplan.proposed", obj=plan, before=before, after=_snapshot(plan))
    _tell(plan, "jointplan.proposed", by=by)
    return plan


@transaction.atomic
def plan_withdraw(*, plan: JointPlan, by: Member) -> JointPlan:
    plan = _locked(plan)
    PLAN.check(plan, by, "withdraw")
    before = _snapshot(plan)
    plan.status = PlanStatus.DRAFT
    plan.vendor_signed_by = plan.partner_signed_by = None
    plan.vendor_signed_at = plan.partner_signed_at = None
    plan.updated_at = timezone.now()
    plan.save()
    log_action("jointplan.withdrawn", obj=plan, before=before, after=_snapshot(plan))
    _tell(plan, "jointplan.withdrawn", by=by)
    return plan


@transaction.atomic
def plan_sign(*, plan: JointPlan, by: Member) -> JointPlan:
    """Sign for the member's side (staff: the vendor; the partner's admin: the partner). The
    second signature makes the plan signed, and active at once if its period has begun."""
    plan = _locked(plan)
    side = "vendor" if by.role in STAFF_ROLES else "partner"
    PLAN.check(plan, by, f"sign_{side}")
    before = _snapshot(plan)
    now = timezone.now()
    setattr(plan, f"{side}_signed_by", by)
    setattr(plan, f"{side}_signed_at", now)
    plan.updated_at = now
    plan.save(update_fields=[f"{side}_signed_by", f"{side}_signed_at", "updated_at"])
    log_action(f"jointplan.signed_{side}", obj=plan, before=before, after=_snapshot(plan))
    if plan.signatures < 2:
        _tell(plan, "jointplan.signature_added", by=by)
        return plan
    PLAN.check(plan, None, "complete")
    before = _snapshot(plan)
    plan.status = PlanStatus.SIGNED
    plan.save(update_fields=["status"])
    log_action("jointplan.signed", obj=plan, before=before, after=_snapshot(plan))
    _tell(plan, "jointplan.signed", by=by)
    if plan.start_date <= timezone.localdate():
        _activate(plan, by=None)
    return plan


def _activate(plan: JointPlan, *, by: Member | None) -> JointPlan:
    PLAN.check(plan, by, "activate")
    before = _snapshot(plan)
    plan.status = PlanStatus.ACTIVE
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "updated_at"])
    log_action("jointplan.activated", obj=plan, before=before, after=_snapshot(plan))
    _tell(plan, "jointplan.activated", by=by)
    return plan


@transaction.atomic
def plan_activate(*, plan: JointPlan, by: Member | None) -> JointPlan:
    """Start a signed plan (staff, or the system once its period has begun)."""
    return _activate(_locked(plan), by=by)


@transaction.atomic
def plan_close(*, plan: JointPlan, by: Member) -> JointPlan:
    """Close a running plan; each goal keeps its final figure (the plan's last word)."""
    plan = _locked(plan)
    PLAN.check(plan, by, "close")
    before = _snapshot(plan)
    finals = {}
    for goal in plan.goals.all():
        goal.final_actual = selectors.goal_actual(goal, plan)
        goal.save(update_fields=["final_actual"])
        finals[goal.metric] = goal.final_actual
    plan.status = PlanStatus.CLOSED
    plan.closed_at = plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "closed_at", "updated_at"])
    log_action(
        "jointplan.closed", obj=plan, before=before, after={**_snapshot(plan), "actuals": finals}
    )
    _tell(plan, "jointplan.closed", by=by)
    return plan


# --- Goals ----------------------------------------------------------------------------


def _goal_values(plan, *, metric, target, currency, note, exclude_pk=None) -> dict:
    if metric not in metrics.METRICS:
        raise DomainError(_("Choose one of the figures the portal computes."), field="metric")
    if target is None or target < 0:
        raise DomainError(_("Enter a target of 0 or more."), field="target")
    if target > MAX_TARGET:
        raise DomainError(_("This target is too large."), field="target")
    currency = (currency or "").strip().upper()
    if metrics.is_money(metric):
        if currency not in CURRENCY_CODES:
            raise DomainError(_("Choose the target's currency."), field="currency")
    else:
        currency = ""
    dup = PlanGoal.objects.filter(plan=plan, metric=metric)
    if exclude_pk:
        dup = dup.exclude(pk=exclude_pk)
    if dup.exists():
        raise DomainError(_("The plan has a goal on this figure already."), field="metric")
    return {
        "metric": metric,
        "target": Decimal(target).quantize(Decimal("0.01")),
        "currency": currency,
        "note": limited((note or "").strip(), 300, "note"),
    }


@transaction.atomic
def goal_add(
    *,
    plan: JointPlan,
    by: Member,
    metric: str,
    target: Decimal,
    currency: str = "",
    note: str = "",
) -> PlanGoal:
    plan = _locked(plan)
    PLAN.check(plan, by, "edit")
    values = _goal_values(plan, metric=metric, target=target, currency=currency, note=note)
    goal = PlanGoal.objects.create(tenant_id=plan.tenant_id, plan=plan, **values)
    log_action("jointplan.goal_added", obj=plan, after={"goal": goal.pk, **values})
    _changed(plan, by=by, what="goal")
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: PlanGoal,
    by: Member,
    metric: str,
    target: Decimal,
    currency: str = "",
    note: str = "",
) -> PlanGoal:
    plan = _locked(goal.plan)
    PLAN.check(plan, by, "edit")
    goal = PlanGoal.objects.select_for_update().get(pk=goal.pk)
    values = _goal_values(
        plan, metric=metric, target=target, currency=currency, note=note, exclude_pk=goal.pk
    )
    before = {k: getattr(goal, k) for k in values}
    if before == values:
        return goal
    for key, value in values.items():
        setattr(goal, key, value)
    goal.save(update_fields=list(values))
    log_action("jointplan.goal_updated", obj=plan, before={"goal": goal.pk, **before}, after=values)
    _changed(plan, by=by, what="goal")
    return goal


@transaction.atomic
def goal_remove(*, goal: PlanGoal, by: Member) -> None:
    plan = _locked(goal.plan)
    PLAN.check(plan, by, "edit")
    before = {"goal": goal.pk, "metric": goal.metric, "target": goal.target}
    PlanGoal.objects.filter(pk=goal.pk).delete()
    log_action("jointplan.goal_removed", obj=plan, before=before)
    _changed(plan, by=by, what="goal")


# --- Initiatives -----------------------------------------------------------------------


def _initiative_values(plan, *, title, description, owner, due_date, status) -> dict:
    title = limited((title or "").strip(), 200, "title")
    if not title:
        raise DomainError(_("Name the initiative."), field="title")
    if due_date is None:
        raise DomainError(_("Enter the due date."), field="due_date")
    if status not in InitiativeStatus.values:
        raise DomainError(_("Choose a status."), field="status")
    if owner is not None and not selectors.owner_choices(plan).filter(pk=owner.pk).exists():
        raise DomainError(
            _("The owner is someone of the vendor or of this partner."), field="owner"
        )
    return {
        "title": title,
        "description": limited((description or "").strip(), 2000, "description"),
        "owner": owner,
        "due_date": due_date,
        "status": status,
    }


def _audit_values(values: dict) -> dict:
    out = dict(values)
    if "owner" in out:
        out["owner"] = out["owner"].pk if out["owner"] else None
    return out


@transaction.atomic
def initiative_add(
    *,
    plan: JointPlan,
    by: Member,
    title: str,
    due_date: datetime.date,
    owner: Member | None = None,
    description: str = "",
    status: str = InitiativeStatus.PLANNED,
) -> Initiative:
    plan = _locked(plan)
    PLAN.check(plan, by, "edit")
    values = _initiative_values(
        plan, title=title, description=description, owner=owner, due_date=due_date, status=status
    )
    item = Initiative.objects.create(tenant_id=plan.tenant_id, plan=plan, **values)
    log_action(
        "jointplan.initiative_added",
        obj=plan,
        after={"initiative": item.pk, **_audit_values(values)},
    )
    _changed(plan, by=by, what="initiative")
    return item


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    by: Member,
    title: str,
    due_date: datetime.date,
    owner: Member | None = None,
    description: str = "",
    status: str = InitiativeStatus.PLANNED,
) -> Initiative:
    """Change an initiative. While the plan may be changed this is a change of the plan
    (signatures reset); in a signed or running plan only its status may move (progress)."""
    plan = _locked(initiative.plan)
    item = Initiative.objects.select_for_update().get(pk=initiative.pk)
    values = _initiative_values(
        plan, title=title, description=description, owner=owner, due_date=due_date, status=status
    )
    before = {k: getattr(item, k) for k in values}
    content = {k: v for k, v in values.items() if k != "status"}
    content_changed = any(before[k] != v for k, v in content.items())
    if content_changed or "progress" not in PLAN.allowed(plan, by):
        PLAN.check(plan, by, "edit")
    else:
        PLAN.check(plan, by, "progress")
    if before == values:
        return item
    for key, value in values.items():
        setattr(item, key, value)
    item.updated_at = timezone.now()
    item.save(update_fields=[*values, "updated_at"])
    log_action(
        "jointplan.initiative_updated",
        obj=plan,
        before={"initiative": item.pk, **_audit_values(before)},
        after=_audit_values(values),
    )
    if content_changed or plan.status in (PlanStatus.DRAFT, PlanStatus.PROPOSED):
        _changed(plan, by=by, what="initiative")
    return item


@transaction.atomic
def initiative_remove(*, initiative: Initiative, by: Member) -> None:
    plan = _locked(initiative.plan)
    PLAN.check(plan, by, "edit")
    before = {"initiative": initiative.pk, "title": initiative.title}
    Initiative.objects.filter(pk=initiative.pk).delete()
    log_action("jointplan.initiative_removed", obj=plan, before=before)
    _changed(plan, by=by, what="initiative")


# --- The system's sweeps ------------------------------------------------------------------


def plans_start_due(*, tenant, today: datetime.date | None = None) -> int:
    """Start the signed plans whose period has begun (beat, daily). Idempotent."""
    today = today or timezone.localdate()
    started = 0
    for pk in JointPlan.objects.filter(status=PlanStatus.SIGNED, start_date__lte=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            plan = JointPlan.objects.select_for_update().select_related("partner").get(pk=pk)
            if plan.status == PlanStatus.SIGNED:
                _activate(plan, by=None)
                started += 1
    return started


def reminders_send(*, tenant, today: datetime.date | None = None) -> int:
    """Remind both sides of a plan's review date, 14 and 3 days before, once each: the
    reminder row is claimed first (unique per plan and day count), so a second run, or a
    second worker, sends nothing."""
    today = today or timezone.localdate()
    sent = 0
    for days, closer in zip(REMINDER_DAYS, (*REMINDER_DAYS[1:], -1), strict=True):
        for plan in selectors.due_reminders(today, days, closer).select_related("partner"):
            with transaction.atomic():
                _reminder, created = PlanReminder.objects.get_or_create(
                    tenant_id=plan.tenant_id, plan=plan, days_before=days
                )
                if not created:
                    continue
                log_action(
                    "jointplan.review_reminded",
                    obj=plan,
                    after={"days_before": days, "review_date": plan.review_date},
                )
                notifications.notify(
                    selectors.vendor_side(plan) + selectors.partner_side(plan),
                    group="jointplans",
                    subject=_("Joint business plan review in %(n)s days: %(t)s")
                    % {"n": (plan.review_date - today).days, "t": plan.title},
                    template="jointplans/emails/notice.txt",
                    context={
                        "plan": plan,
                        "kind": "jointplan.review_due",
                        "days": (plan.review_date - today).days,
                    },
                    path=plan.get_absolute_url(),
                    kind="jointplan.review_due",
                    key=f"jointplan.review_due:{plan.pk}:{days}",
                    obj=plan,
                )
                sent += 1
    return sent
