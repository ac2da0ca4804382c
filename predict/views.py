"""Portal pages of predictive models: the list of models, a model's page (its hold-out
figures against the rule, calibration, features, training history, top risks), the
retrain action and the churn definition. Admins only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from predict import features, ipp, matching, risk, selectors, services, win
from predict.forms import SettingsForm
from predict.models import PredictionModel, PredictSettings, Task
from predict.panels import factor_rows
from prm import errors
from prm.confirm import confirmation_for, confirmed
from prm.decorators import member_required
from prm.portal import apply_error

TOP_RISKS = 20


def _task(task: str) -> str:
    if task not in Task.values:
        raise Http404
    return task


@require_safe
@member_required("predict.manage")
def model_list(request):
    rows = [
        {
            "task": task,
            "label": label,
            "active": selectors.active_model(task),
            "latest": selectors.latest_run(task),
            "measure": _("Top-3 hit rate") if task == Task.MATCH else _("AUC"),
        }
        for task, label in Task.choices
    ]
    return render(request, "predict/model_list.html", {"rows": rows})


@require_safe
@member_required("predict.manage")
def model_detail(request, task: str):
    task = _task(task)
    active = selectors.active_model(task)
    latest = selectors.latest_run(task)
    scores = list(selectors.churn_scores()[:TOP_RISKS]) if active and task == Task.CHURN else []
    keys = {
        Task.CHURN: features.FEATURES,
        Task.MATCH: matching.MATCH_FEATURES,
        Task.IPP: ipp.IPP_FEATURES,
    }.get(task, win.WIN_FEATURES)
    rule_label = {
        Task.CHURN: _("Health-score rule"),
        Task.MATCH: _("Fixed routing weights"),
        Task.IPP: _("Current IPP weights"),
    }.get(task, _("Past win rate"))
    return render(
        request,
        "predict/model_detail.html",
        {
            "task": task,
            "task_label": Task(task).label,
            "active": active,
            "latest": latest,
            "history": selectors.models_for(task)[:50],
            "feature_labels": list(keys.items()),
            "rule_label": rule_label,
            "forecast": selectors.forecast() if task == Task.WIN else None,
            "top": [{"score": s, "factors": factor_rows(s.factors)} for s in scores],
            "settings": PredictSettings.for_tenant(request.tenant),
            "horizon": features.HORIZON,
            "threshold": risk.threshold(active) if active and task == Task.CHURN else None,
        },
    )


@require_POST
@member_required("predict.manage")
def model_train(request, task: str):
    task = _task(task)
    services.training_request(tenant=request.tenant, task=task, by=request.member)
    messages.success(
        request, _("Training has started. The new figures appear here when it is done.")
    )
    return redirect("predict-model", task=task)


@require_http_methods(["GET", "POST"])
@member_required("predict.manage")
def settings_edit(request):
    current = PredictSettings.for_tenant(request.tenant)
    form = SettingsForm(request.POST or None, initial={"inactivity_days": current.inactivity_days})
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                tenant=request.tenant,
                inactivity_days=form.cleaned_data["inactivity_days"],
                by=request.member,
            )
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Saved. The next training uses the new definition of inactivity.")
            )
            return redirect("predict-model", task=Task.CHURN)
    return render(request, "predict/settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
@member_required("predict.manage")
def ipp_accept(request, pk: int):
    """Apply a learned IPP's suggested weights, after the admin confirms."""
    model = get_object_or_404(PredictionModel, pk=pk, task=Task.IPP)
    form, page = confirmed(request, confirmation_for("predict-ipp-accept", model))
    if page is not None:
        return page
    try:
        services.ipp_suggestion_accept(tenant=request.tenant, model=model, by=request.member)
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The suggested weights now score new applications."))
    return redirect("onboarding-settings")
