"""Portal pages of the analytics app. Reading a page never recomputes: pages read the stored
snapshots and rollups (selectors) and render server-side SVG charts (analytics.charts)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import charts, risk_models, selectors, services
from analytics import reviews as review_service
from analytics.dashboards import partner_dashboard_context
from analytics.forms import (
    AnalyticsSettingsForm,
    ProgramCostForm,
    ProgramFilterForm,
    ReviewRequestForm,
    SurveyForm,
)
from analytics.models import AnalyticsSettings, ProgramCost, RollupRun
from analytics.states import BUSINESS_REVIEW, preparing
from analytics.tables import KPI_KEYS, costs_table, manager_tables, partner_rule, program_tables
from analytics.tables import csv_response as tables_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error
from prm.portal import page as paginate
from prm.roles import Role
from prm.sorting import Sorting

# --- Partner dashboard --------------------------------------------------------------------


@member_required("analytics.own")
def my_dashboard(request):
    if request.member.partner_id is None:
        raise Http404
    partner = selectors.visible_partners(request.member).select_related("tier").get()
    ctx = partner_dashboard_context(partner)
    ctx["export_base"] = _export_base(request, "analytics-mine-export")
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
            apply_error(form, exc)
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect("analytics-mine")
    return render(request, "analytics/survey.html", {"form": form})


@member_required("analytics.own")
def my_export(request):
    """CSV of one table of the partner's own dashboard (?table=...)."""
    if request.member.partner_id is None:
        raise Http404
    partner = selectors.visible_partners(request.member).select_related("tier").get()
    return _export(request, partner_dashboard_context(partner)["tables"], page="partner")


@member_required("analytics.partners")
def partner_export(request, pk: int):
    partner = get_object_or_404(
        selectors.visible_partners(request.member).select_related("tier"), pk=pk
    )
    return _export(request, partner_dashboard_context(partner)["tables"], page="partner")


@member_required("analytics.partners")
def partner_dashboard(request, pk: int):
    partner = get_object_or_404(
        selectors.visible_partners(request.member).select_related("tier"), pk=pk
    )
    ctx = partner_dashboard_context(partner)
    ctx["staff_view"] = True
    ctx["export_base"] = _export_base(request, "analytics-partner-export", partner.pk)
    return render(request, "analytics/partner.html", ctx)


# --- Channel manager dashboard ------------------------------------------------------------


def _filtered(request) -> tuple[ProgramFilterForm, dict]:
    """The dashboards' filters from GET (validated; invalid values leave the form's errors to
    show and are not applied). Without any filter, the current year."""
    form = ProgramFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else ProgramFilterForm().filters()
    if not form.is_bound or not any(filters.values()):
        filters["year"] = timezone.localdate().year
    return form, filters


def _export_base(request, url_name: str, *args) -> str:
    """The export URL of a page with its current filters, to which a table name is added."""
    query = request.GET.copy()
    query.pop("table", None)
    encoded = query.urlencode()
    return f"{reverse(url_name, args=args)}?{encoded + '&' if encoded else ''}table="


def _export(
    request,
    tables: dict,
    *,
    page: str,
    form: ProgramFilterForm | None = None,
    default: str = "",
):
    if form is not None and form.is_bound and not form.is_valid():
        return HttpResponse(
            "\n".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    table = tables.get(request.GET.get("table") or default)
    if table is None:
        raise Http404
    return tables_csv(table, page=page)


# The manager page's partner tables sort in memory (prm.sorting, Sorting.order_rows), each by
# its own parameter so one keeps its order while the other is sorted; their exports follow.
# At risk: the most at risk first unless asked (the 50 shown are still the 50 most at risk).
RISK_COLUMNS = {"partner": "partner__name", "score": "score", "since": "started_on"}
# KPIs by partner: every column, by partner name unless asked.
KPI_COLUMNS = {k: k for k in ("partner_name", "tier_now", "won_deals", *KPI_KEYS)}


def _manager_context(request) -> tuple[ProgramFilterForm, dict]:
    form, filters = _filtered(request)
    partners = selectors.filtered_partners(**filters)
    # A channel manager sees their own partners unless they ask for all or filter by manager.
    mine = (
        request.GET.get("scope") != "all"
        and request.member.role == Role.CHANNEL_MANAGER
        and filters["manager"] is None
    )
    manager = request.member if mine else None
    if mine:
        filters = {**filters, "manager": request.member.pk}
    queue = selectors.review_queue_ages(
        partners=selectors.filtered_partners(**filters) if mine else partners
    )
    risk_sorting = Sorting.from_request(request, RISK_COLUMNS, default="score", param="risk_sort")
    kpi_sorting = Sorting.from_request(
        request, KPI_COLUMNS, default="partner_name", param="kpi_sort"
    )
    at_risk = risk_sorting.order_rows(risk_models.at_risk(manager=manager, partners=partners)[:50])
    expiring = list(selectors.deals_expiring(manager=manager, partners=partners)[:50])
    stuck = list(selectors.stuck_in_onboarding(manager=manager, partners=partners)[:50])
    kpis = kpi_sorting.order_rows(selectors.kpis_by_partner(selectors.rollups(**filters)))
    tables = manager_tables(queue=queue, at_risk=at_risk, expiring=expiring, stuck=stuck, kpis=kpis)
    return form, {
        "form": form,
        "mine": mine,
        "queue": queue,
        "at_risk": at_risk,
        "expiring": expiring,
        "stuck": stuck,
        "tables": tables,
        "risk_sorting": risk_sorting,
        "kpi_sorting": kpi_sorting,
        "query": request.GET.urlencode(),
        "export_base": _export_base(request, "analytics-manager-export"),
    }


@member_required("analytics.partners")
def manager_dashboard(request):
    _form, ctx = _manager_context(request)
    queue = ctx["queue"]
    ctx["queue_chart"] = charts.for_page(
        charts.bar_chart,
        title=_("Deals waiting for review, by age"),
        categories=[_("Under 1 day"), _("1–2 days"), _("Over 2 days")],
        series=[(_("Deals"), [queue["under_day"], queue["one_to_two"], queue["over_two"]])],
        uid="queue",
        height=200,
    )
    return render(request, "analytics/manager.html", ctx)


@member_required("analytics.partners")
def manager_export(request):
    """CSV of one table of the manager dashboard (?table=...), with the dashboard's filters."""
    form, ctx = _manager_context(request)
    return _export(request, ctx["tables"], page="manager", form=form)


# --- Admin program dashboard --------------------------------------------------------------


# The per-partner tables of the program dashboard show this many partners (by name), so the
# page costs the same with 50 or 50,000 partners; their CSV exports have every partner.
PARTNERS_ON_PAGE = 50


def _sort_partner_kpis(request, tables: dict) -> Sorting:
    """The program's KPIs-by-partner table sorted as asked (?kpi_sort=, the manager page's
    columns): on the page its first partners by name, in the export every partner."""
    sorting = Sorting.from_request(request, KPI_COLUMNS, default="partner_name", param="kpi_sort")
    rows = tables["kpi_partner"].rows
    rows[:] = sorting.order_rows(rows)
    return sorting


@member_required("analytics.program")
def program_dashboard(request):
    form, filters = _filtered(request)
    qs = selectors.rollups(**filters)
    totals = selectors.program_aggregates(qs, filters)
    tables = program_tables(qs, filters, partner_limit=PARTNERS_ON_PAGE, totals=totals)
    kpi_sorting = _sort_partner_kpis(request, tables)
    # The tables' rows, not the same aggregates over the rollups again.
    by_tier = tables["tier"].rows
    by_type = tables["type"].rows
    periods = tables["period"].rows
    funnel = {r["stage"]: r["deals"] for r in tables["funnel"].rows}
    cohorts = tables["cohorts"].rows
    kpis = totals["kpi_totals"]
    type_rows = tables["type"].rows
    return render(
        request,
        "analytics/program.html",
        {
            "form": form,
            "filters": filters,
            "by_tier": by_tier,
            "by_type": by_type,
            "periods": periods,
            "kpis": kpis,
            "tables": tables,
            "kpi_sorting": kpi_sorting,
            "kpi_sorted": kpi_sorting.param in request.GET,
            "partners_on_page": PARTNERS_ON_PAGE,
            "cohorts": cohorts,
            "counts": tables["status"].rows,
            "psat": tables["psat"].rows,
            "settings": AnalyticsSettings.for_tenant(request.tenant),
            "run": RollupRun.objects.first(),
            "query": request.GET.urlencode(),
            "export_base": _export_base(request, "analytics-program-export"),
            "tier_chart": charts.for_page(
                charts.bar_chart,
                title=_("Revenue by tier: sourced and influenced"),
                categories=[r["tier_name"] or _("No tier") for r in by_tier],
                series=[
                    (_("Sourced"), [r["sourced"] for r in by_tier]),
                    (_("Influenced"), [r["influenced"] for r in by_tier]),
                ],
                uid="bytier",
            ),
            "type_chart": charts.for_page(
                charts.bar_chart,
                title=_("Revenue by partner type: sourced and influenced"),
                categories=[r["partner_type"] for r in type_rows],
                series=[
                    (_("Sourced"), [r["sourced"] for r in type_rows]),
                    (_("Influenced"), [r["influenced"] for r in type_rows]),
                ],
                uid="bytype",
            ),
            "mdf_chart": charts.for_page(
                charts.bar_chart,
                title=_("MDF paid, won revenue from MDF activities and return, by quarter"),
                categories=[selectors.quarter_label(r["period_start"]) for r in periods],
                series=[
                    (_("MDF paid"), [r["mdf_paid"] for r in periods]),
                    (_("Won from MDF"), [r.get("mdf_won") or 0 for r in periods]),
                    (_("Return"), [r["return_amount"] for r in periods]),
                ],
                uid="mdf",
            ),
            "funnel_chart": charts.for_page(
                charts.bar_chart,
                title=_("Registration funnel"),
                categories=[r["stage"] for r in tables["funnel"].rows],
                series=[(_("Deals"), [r["deals"] for r in tables["funnel"].rows])],
                uid="funnel",
                height=200,
            ),
            "funnel": funnel,
            "cohort_chart": charts.for_page(
                charts.bar_chart,
                title=_("Average days to first deal, by activation month"),
                categories=[c["cohort"].strftime("%b %y") for c in cohorts],
                series=[(_("Days"), [c["avg_days"] for c in cohorts])],
                uid="cohort",
                height=200,
            ),
        },
    )


# The ROPI-by-partner table: every partner, sorted in the database and paged (the program
# page shows the first partners by name only); its CSV is the program export's partner table.
PARTNER_ROPI_COLUMNS = {k: k for k in selectors.PARTNER_ROPI_SORTS}


@member_required("analytics.program")
def program_partners(request):
    form, filters = _filtered(request)
    sorting = Sorting.from_request(request, PARTNER_ROPI_COLUMNS, default="partner")
    rows = selectors.ropi_by_partner_sorted(
        selectors.rollups(**filters), key=sorting.key, descending=sorting.descending
    )
    page = paginate(request, rows)
    page.object_list = selectors.with_ropi(page.object_list)
    return render(
        request,
        "analytics/program_partners.html",
        {
            "form": form,
            "page": page,
            "sorting": sorting,
            "query": sorting.query,
            "settings": AnalyticsSettings.for_tenant(request.tenant),
            "note": partner_rule(),
            "export_url": _export_base(request, "analytics-program-export") + "partner",
        },
    )


@member_required("analytics.program")
def program_export(request):
    """CSV of one table of the program dashboard (?table=tier|type|period|partner|kpi_tier|
    kpi_partner|funnel|cohorts|psat|status), with the dashboard's filters."""
    form, filters = _filtered(request)
    tables = program_tables(selectors.rollups(**filters), filters)
    _sort_partner_kpis(request, tables)
    return _export(request, tables, page="program", form=form, default="partner")


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
            apply_error(form, exc)
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
            apply_error(form, exc)
        else:
            messages.success(request, _("Program cost added. It counts from the next run."))
            return redirect("analytics-costs")
    rows = ProgramCost.objects.select_related("partner", "tier")[:200]
    return render(request, "analytics/costs.html", {"form": form, "rows": rows})


@member_required("analytics.program")
def costs_export(request):
    rows = ProgramCost.objects.select_related("partner", "tier")
    return _export(request, {"costs": costs_table(rows)}, page="costs")


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
    rows = list(review_service.reviews_visible_to(request.member)[:100])
    for r in rows:
        r.allowed = BUSINESS_REVIEW.allowed(r, request.member)
        r.preparing = preparing(r)
    return render(request, "analytics/reviews.html", {"form": form, "reviews": rows})


@member_required("analytics.reviews")
def review_download(request, pk: int):
    review = get_object_or_404(review_service.reviews_visible_to(request.member), pk=pk)
    if "download" not in BUSINESS_REVIEW.allowed(review, request.member):
        raise Http404  # not built (yet): there is no file to download
    try:
        f = review.pdf.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    name = f"business-review-{review.partner.name}-{review.label}.pdf".replace(" ", "-")
    return FileResponse(f, as_attachment=True, filename=name, content_type="application/pdf")
