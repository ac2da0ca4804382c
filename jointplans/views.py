"""Portal pages of joint business plans: the list, a plan's page with its live progress, and
one URL per action (jointplans.states.PLAN)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jointplans import metrics, selectors, services
from jointplans.forms import GoalForm, InitiativeForm, InitiativeStatusForm, PlanForm
from jointplans.models import PlanStatus
from jointplans.states import PLAN
from partners.selectors import partners_visible_to
from prm import errors
from prm.confirm import confirmation_for, confirmation_page
from prm.decorators import member_required
from prm.portal import apply_error, page, require_action, run_move
from prm.roles import has_perm
from prm.sorting import Sorting
from prm.states import ActionNotAllowed


def _plan(request, pk: int):
    """The plan, if this member may see it; else 404 (another tenant's or partner's)."""
    plan = selectors.plan_detail(request.member, pk)
    if plan is None:
        raise Http404
    return plan


def _run(request, form, run, *, back: str, done: str):
    """Run a service with the form's data: refused moves go back with a message, bad input
    shows on the form; success goes back with `done`. Returns a response or None (re-render)."""
    if not form.is_valid():
        return None
    try:
        run(form.cleaned_data)
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except errors.PermissionDenied:
        raise PermissionDenied
    except (errors.DomainError, ValidationError) as exc:
        apply_error(form, exc)
        return None
    messages.success(request, done)
    return redirect(back)


SORTS = {
    "partner": "partner__name",
    "period": "start_date",
    "status": "status",
    "review": "review_date",
}


@require_safe
@member_required("jointplans.view")
def plan_list(request):
    qs = selectors.plans_visible_to(request.member)
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    sorting = Sorting.from_request(request, SORTS, default="-period")
    plans = page(request, sorting.apply(qs))
    return render(
        request,
        "jointplans/plan_list.html",
        {
            "page": plans,
            "sorting": sorting,
            "status": status,
            "statuses": PlanStatus.choices,
            "can_create": has_perm(request.member.role, "jointplans.manage"),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required("jointplans.manage")
def plan_new(request):
    partners = partners_visible_to(request.member).order_by("name")
    form = PlanForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.member, **form.cleaned_data)
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Plan drafted. Add its goals and initiatives."))
            return redirect(plan.get_absolute_url())
    return render(request, "jointplans/plan_form.html", {"form": form, "plan": None})


def _detail(request, plan, *, goal_form=None, initiative_form=None):
    member = request.member
    allowed = PLAN.allowed(plan, member)
    if "edit" in allowed:
        goal_form = goal_form or GoalForm(
            auto_id="goal-%s", initial={"currency": request.tenant.default_currency}
        )
        initiative_form = initiative_form or InitiativeForm(
            owners=selectors.owner_choices(plan), auto_id="initiative-%s"
        )
    goals = selectors.progress(plan)
    return render(
        request,
        "jointplans/plan_detail.html",
        {
            "plan": plan,
            "allowed": allowed,
            "goals": goals,
            "summary": selectors.summary(goals),
            "elapsed": selectors.elapsed_pct(plan),
            "initiatives": list(plan.initiatives.all()),
            "goal_form": goal_form if "edit" in allowed else None,
            "initiative_form": initiative_form if "edit" in allowed else None,
            "status_choices": InitiativeStatusForm.base_fields["status"].choices,
            "metric_help": [(str(m.label), str(m.help)) for m in metrics.METRICS.values()],
            "staff": member.partner_id is None,
        },
    )


@require_safe
@member_required("jointplans.view")
def plan_detail(request, pk: int):
    return _detail(request, _plan(request, pk))


@require_http_methods(["GET", "POST"])
@member_required("jointplans.view")
def plan_edit(request, pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "edit")
    initial = {
        "title": plan.title,
        "period_kind": plan.period_kind,
        "start_date": plan.start_date,
        "review_date": plan.review_date,
        "summary": plan.summary,
    }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST":
        resp = _run(
            request,
            form,
            lambda d: services.plan_update(plan=plan, by=request.member, **d),
            back=plan.get_absolute_url(),
            done=_("Plan saved."),
        )
        if resp:
            return resp
    return render(request, "jointplans/plan_form.html", {"form": form, "plan": plan})


def _move(request, pk: int, name: str, service, done: str):
    plan = _plan(request, pk)
    return run_move(request, PLAN, plan, name, service, done=done, plan=plan)


@require_POST
@member_required("jointplans.manage")
def plan_propose(request, pk: int):
    return _move(
        request, pk, "propose", services.plan_propose, _("Plan proposed; the partner is told.")
    )


@require_POST
@member_required("jointplans.manage")
def plan_withdraw(request, pk: int):
    return _move(request, pk, "withdraw", services.plan_withdraw, _("The plan is a draft again."))


@require_POST
@member_required("jointplans.view")
def plan_sign(request, pk: int):
    plan = _plan(request, pk)
    side = "sign_partner" if request.member.partner_id else "sign_vendor"
    return _move(request, plan.pk, side, services.plan_sign, _("Signed."))


@require_POST
@member_required("jointplans.manage")
def plan_activate(request, pk: int):
    return _move(request, pk, "activate", services.plan_activate, _("The plan is running."))


@require_http_methods(["GET", "POST"])
@member_required("jointplans.manage")
def plan_close(request, pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "close")
    c = confirmation_for("jointplan-close", plan)
    if request.method != "POST":
        if "close" not in PLAN.allowed(plan, request.member):
            messages.error(request, _("This action is no longer open."))
            return redirect(plan.get_absolute_url())
        return confirmation_page(request, c)
    form = c.form(request.POST)
    resp = _run(
        request,
        form,
        lambda d: services.plan_close(plan=plan, by=request.member),
        back=plan.get_absolute_url(),
        done=_("Plan closed; its final figures are kept."),
    )
    return resp or confirmation_page(request, c, form)


# --- Goals ----------------------------------------------------------------------------


@require_POST
@member_required("jointplans.view")
def goal_add(request, pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "edit")
    form = GoalForm(request.POST, auto_id="goal-%s")
    resp = _run(
        request,
        form,
        lambda d: services.goal_add(plan=plan, by=request.member, **d),
        back=plan.get_absolute_url(),
        done=_("Goal added."),
    )
    return resp or _detail(request, plan, goal_form=form)


def _goal(plan, goal_pk: int):
    return get_object_or_404(plan.goals.all(), pk=goal_pk)


def _edit_item(request, plan, form, save, *, title: str, done: str):
    """A goal's or an initiative's edit page: the form (GET, or a refused POST) or, once
    the service saved it, back to the plan with `done`."""
    if request.method == "POST":
        resp = _run(request, form, save, back=plan.get_absolute_url(), done=done)
        if resp:
            return resp
    return render(
        request, "jointplans/item_form.html", {"form": form, "plan": plan, "title": title}
    )


@require_http_methods(["GET", "POST"])
@member_required("jointplans.view")
def goal_edit(request, pk: int, goal_pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "edit")
    goal = _goal(plan, goal_pk)
    initial = {"metric": goal.metric, "target": goal.target, "currency": goal.currency}
    form = GoalForm(request.POST or None, initial={**initial, "note": goal.note})
    return _edit_item(
        request,
        plan,
        form,
        lambda d: services.goal_update(goal=goal, by=request.member, **d),
        title=_("Change the goal"),
        done=_("Goal saved."),
    )


@require_http_methods(["GET", "POST"])
@member_required("jointplans.view")
def goal_remove(request, pk: int, goal_pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "edit")
    goal = _goal(plan, goal_pk)
    c = confirmation_for("jointplan-goal-remove", goal)
    if request.method != "POST":
        return confirmation_page(request, c)
    form = c.form(request.POST)
    resp = _run(
        request,
        form,
        lambda d: services.goal_remove(goal=goal, by=request.member),
        back=plan.get_absolute_url(),
        done=_("Goal removed."),
    )
    return resp or confirmation_page(request, c, form)


# --- Initiatives ---------------------------------------------------------------------


@require_POST
@member_required("jointplans.view")
def initiative_add(request, pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "edit")
    form = InitiativeForm(
        request.POST, owners=selectors.owner_choices(plan), auto_id="initiative-%s"
    )
    resp = _run(
        request,
        form,
        lambda d: services.initiative_add(plan=plan, by=request.member, **d),
        back=plan.get_absolute_url(),
        done=_("Initiative added."),
    )
    return resp or _detail(request, plan, initiative_form=form)


def _initiative(plan, item_pk: int):
    return get_object_or_404(plan.initiatives.all(), pk=item_pk)


@require_http_methods(["GET", "POST"])
@member_required("jointplans.view")
def initiative_edit(request, pk: int, item_pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "edit")
    item = _initiative(plan, item_pk)
    fields = ("title", "due_date", "status", "description")
    initial = {f: getattr(item, f) for f in fields} | {"owner": item.owner_id}
    form = InitiativeForm(
        request.POST or None, initial=initial, owners=selectors.owner_choices(plan)
    )
    return _edit_item(
        request,
        plan,
        form,
        lambda d: services.initiative_update(initiative=item, by=request.member, **d),
        title=_("Change the initiative"),
        done=_("Initiative saved."),
    )


@require_POST
@member_required("jointplans.view")
def initiative_status(request, pk: int, item_pk: int):
    """Move an initiative's status: progress in a signed or running plan (signatures kept),
    a change of the plan before that."""
    plan = _plan(request, pk)
    allowed = PLAN.allowed(plan, request.member)
    if not allowed.intersection({"progress", "edit"}):
        member = request.member
        if not (PLAN["progress"].may(plan, member) or PLAN["edit"].may(plan, member)):
            raise PermissionDenied
        messages.error(request, _("This plan's initiatives can no longer change."))
        return redirect(plan.get_absolute_url())
    item = _initiative(plan, item_pk)
    form = InitiativeStatusForm(request.POST)
    resp = _run(
        request,
        form,
        lambda d: services.initiative_update(
            initiative=item,
            by=request.member,
            title=item.title,
            due_date=item.due_date,
            owner=item.owner,
            description=item.description,
            status=d["status"],
        ),
        back=plan.get_absolute_url(),
        done=_("Initiative updated."),
    )
    if resp is None:
        messages.error(request, _("Choose a status."))
        return redirect(plan.get_absolute_url())
    return resp


@require_POST
@member_required("jointplans.view")
def initiative_remove(request, pk: int, item_pk: int):
    plan = _plan(request, pk)
    require_action(PLAN, plan, request.member, "edit")
    item = _initiative(plan, item_pk)
    try:
        services.initiative_remove(initiative=item, by=request.member)
    except errors.DomainError as exc:
        if isinstance(exc, errors.PermissionDenied):
            raise PermissionDenied
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Initiative removed."))
    return redirect(plan.get_absolute_url())
