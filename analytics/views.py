"""Portal pages of the analytics app. Reading a page never recomputes: pages read the stored
snapshots and rollups (selectors) and render server-side SVG charts (analytics.charts)."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import charts, selectors, services
from analytics import reviews as review_service
from analytics.dashboards import partner_dashboard_context
from analytics.forms import (
    AnalyticsSettingsForm,
    ProgramCostForm,
    ProgramFilterForm,
    ReviewRequestForm,
    SurveyForm,
)
from analytics.models import AnalyticsSettings, BusinessReview, ProgramCost, RollupRun
from prm.audit import log_action
from prm.decorators import member_required
from prm.errors import DomainError
from prm.roles import Role
from prm.views import _csv_safe


def _apply_error(form, exc) -> None:
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", [str(exc)]))


# --- Partner dashboard --------------------------------------------------------------------


@member_required("analytics.own")
def my_dashboard(request):
    if request.member.partner_id is None:
        raise Http404
    partner = selectors.visible_partners(request.member).select_related("tier").get()
    ctx = partner_dashboard_context(partner)
    if selectors.survey_due(request.member):
        ctx["survey_form"] = SurveyForm()
    return render(request, "analytics/partner.html", ctx)


@member_required("analytics.own")
def survey(request):
    """The quarterly partner-satisfaction survey, answered from the partner dashboard."""
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(member=request.member, **form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect("analytics-mine")
    return render(request, "analytics/survey.html", {"form": form})


@member_required("analytics.partners")
def partner_dashboard(request, pk: int):
    partner = get_object_or_404(
        selectors.visible_partners(request.member).select_related("tier"), pk=pk
    )
    ctx = partner_dashboard_context(partner)
    ctx["staff_view"] = True
    return render(request, "analytics/partner.html", ctx)


# --- Channel manager dashboard ------------------------------------------------------------


@member_required("analytics.partners")
def manager_dashboard(request):
    mine = request.GET.get("scope") != "all" and request.member.role == Role.CHANNEL_MANAGER
    manager = request.member if mine else None
    queue = selectors.review_queue_ages()
    return render(
        request,
        "analytics/manager.html",
        {
            "mine": mine,
            "queue": queue,
            "queue_chart": charts.bar_chart(
                title=_("Deals waiting for review, by age"),
                categories=[_("Under 1 day"), _("1–2 days"), _("Over 2 days")],
                series=[(_("Deals"), [queue["under_day"], queue["one_to_two"], queue["over_two"]])],
                uid="queue",
                height=200,
            ),
            "at_risk": list(selectors.at_risk_partners(manager=manager)[:50]),
            "expiring": list(selectors.deals_expiring(manager=manager)[:50]),
            "stuck": list(selectors.stuck_in_onboarding(manager=manager)[:50]),
        },
    )


# --- Admin program dashboard --------------------------------------------------------------


@member_required("analytics.program")
def program_dashboard(request):
    form = ProgramFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else ProgramFilterForm().filters()
    if not form.is_bound or not any(filters.values()):
        filters["year"] = timezone.localdate().year
    qs = selectors.rollups(**filters)
    by_tier = selectors.ropi_by_tier(qs)
    by_type = selectors.ropi_by_type(qs)
    periods = selectors.ropi_by_period(qs)
    funnel = selectors.registration_funnel(
        since=timezone.localdate() - datetime.timedelta(days=365)
    )
    cohorts = selectors.first_deal_cohorts()
    return render(
        request,
        "analytics/program.html",
        {
            "form": form,
            "filters": filters,
            "by_tier": by_tier,
            "by_type": by_type,
            "periods": periods,
            "funnel": funnel,
            "cohorts": cohorts,
            "counts": selectors.partner_counts(),
            "psat": selectors.psat_by_quarter(),
            "settings": AnalyticsSettings.for_tenant(request.tenant),
            "run": RollupRun.objects.first(),
            "query": request.GET.urlencode(),
            "tier_chart": charts.bar_chart(
                title=_("Revenue by tier: sourced and influenced"),
                categories=[r["tier_name"] or _("No tier") for r in by_tier],
                series=[
                    (_("Sourced"), [r["sourced"] for r in by_tier]),
                    (_("Influenced"), [r["influenced"] for r in by_tier]),
                ],
                uid="bytier",
            ),
            "mdf_chart": charts.bar_chart(
                title=_("MDF paid and return by quarter"),
                categories=[selectors.quarter_label(r["period_start"]) for r in periods],
                series=[
                    (_("MDF paid"), [r["mdf_paid"] for r in periods]),
                    (_("Return"), [r["return_amount"] for r in periods]),
                ],
                uid="mdf",
            ),
            "funnel_chart": charts.bar_chart(
                title=_("Registration funnel, last 12 months"),
                categories=[_("Submitted"), _("Approved"), _("Won")],
                series=[(_("Deals"), [funnel["submitted"], funnel["approved"], funnel["won"]])],
                uid="funnel",
                height=200,
            ),
            "cohort_chart": charts.bar_chart(
                title=_("Average days to first deal, by activation month"),
                categories=[c["cohort"].strftime("%b %y") for c in cohorts],
                series=[(_("Days"), [c["avg_days"] for c in cohorts])],
                uid="cohort",
                height=200,
            ),
        },
    )


EXPORTS = {
    "tier": ("ropi_by_tier", ["tier_name", "partners"]),
    "type": ("ropi_by_type", ["partner_type", "partners"]),
    "period": ("ropi_by_period", ["period_start"]),
    "partner": ("ropi_by_partner", ["partner_name", "tier_name"]),
}
MONEY_COLUMNS = [
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


@member_required("analytics.program")
def program_export(request):
    """CSV of one table of the program dashboard (?table=tier|type|period|partner), with the
    dashboard's filters."""
    table = request.GET.get("table", "partner")
    if table not in EXPORTS:
        table = "partner"
    form = ProgramFilterForm(request.GET or None)
    filters = form.filters()
    if not any(filters.values()):
        filters["year"] = timezone.localdate().year
    selector, keys = EXPORTS[table]
    rows = getattr(selectors, selector)(selectors.rollups(**filters))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ropi-by-{table}.csv"'
    writer = csv.writer(response)
    writer.writerow([*keys, *MONEY_COLUMNS])
    for r in rows:
        writer.writerow(
            [_csv_safe(str(r.get(k) or "")) for k in keys]
            + ["" if r.get(k) is None else r[k] for k in MONEY_COLUMNS]
        )
    log_action("analytics.exported", object_type="analytics.ropi", object_label=table)
    return response


@member_required("analytics.program")
def recompute(request):
    if request.method != "POST":
        return redirect("analytics-program")
    try:
        services.rollup_run_request(tenant=request.tenant, member=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Recompute queued. The dashboard shows its progress; reload in a minute.")
        )
    return redirect("analytics-program")


@member_required("analytics.program")
def settings_edit(request):
    current = AnalyticsSettings.for_tenant(request.tenant)
    form = AnalyticsSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(tenant=request.tenant, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Analytics settings saved. They apply from the next run."))
            return redirect("analytics-settings")
    return render(request, "analytics/settings.html", {"form": form})


@member_required("analytics.program")
def costs(request):
    form = ProgramCostForm(
        request.POST or None, initial={"currency": request.tenant.default_currency}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.program_cost_add(tenant=request.tenant, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Program cost added. It counts from the next run."))
            return redirect("analytics-costs")
    rows = ProgramCost.objects.select_related("partner", "tier")[:200]
    return render(request, "analytics/costs.html", {"form": form, "rows": rows})


# --- Business reviews ---------------------------------------------------------------------


@member_required("analytics.reviews")
def reviews(request):
    partners = review_service.reviewable_partners(request.member)
    form = ReviewRequestForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        review_service.review_request(
            tenant=request.tenant,
            partner=form.cleaned_data["partner"],
            period_start=form.cleaned_data["quarter"],
            by=request.member,
        )
        messages.success(request, _("The review is being prepared."))
        return redirect("analytics-reviews")
    rows = review_service.reviews_visible_to(request.member)[:100]
    return render(request, "analytics/reviews.html", {"form": form, "reviews": rows})


@member_required("analytics.reviews")
def review_download(request, pk: int):
    review = get_object_or_404(
        review_service.reviews_visible_to(request.member), pk=pk, status=BusinessReview.Status.READY
    )
    try:
        f = review.pdf.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    name = f"business-review-{review.partner.name}-{review.label}.pdf".replace(" ", "-")
    return FileResponse(f, as_attachment=True, filename=name, content_type="application/pdf")
