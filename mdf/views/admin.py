"""Admin pages: programs and their rules, allocations, exchange rates, the ledger. Each form
posts to its own URL."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mdf import selectors, services
from mdf.forms import (
    AllocationForm,
    ExchangeRateForm,
    LedgerFilterForm,
    ProgramForm,
    ProgramSettingsForm,
    RuleForm,
)
from mdf.models import ActivityType, ExchangeRate, LedgerKind, Program
from mdf.views.common import run_admin
from prm.audit import log_action
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error
from prm.portal import page as paginate

SETTINGS = ("name", "budget", "grace_days", "expiry_warning_days", "second_approval_threshold")


@member_required("mdf.admin")
def program_list(request):
    form = ProgramForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                tenant=request.tenant, by=request.member, **form.cleaned_data
            )
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Program created. Now choose the activity types it funds."))
            return redirect("mdf-program-detail", pk=program.pk)
    programs = list(Program.objects.all())
    totals = selectors.program_totals([p.pk for p in programs])
    rows = [{"program": p, "totals": totals.get(p.pk)} for p in programs]
    return render(request, "mdf/program_list.html", {"rows": rows, "form": form})


def _program_page(request, program, *, settings_form=None, rule_form=None):
    return render(
        request,
        "mdf/program_detail.html",
        {
            "program": program,
            "settings_form": settings_form
            or ProgramSettingsForm(initial={f: getattr(program, f) for f in SETTINGS}),
            "rule_form": rule_form or RuleForm(),
            "rules": program.rules.all(),
            "balances": selectors.balances(program=program),
            "totals": selectors.program_totals([program.pk]).get(program.pk),
        },
    )


@require_safe
@member_required("mdf.admin")
def program_detail(request, pk: int):
    return _program_page(request, get_object_or_404(Program, pk=pk))


@require_POST
@member_required("mdf.admin")
def program_settings(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    return run_admin(
        request,
        form=ProgramSettingsForm(request.POST),
        run=lambda d: services.program_update(program=program, by=request.member, **d),
        page=lambda form: _program_page(request, program, settings_form=form),
        done=_("Program saved."),
        back=program.get_absolute_url(),
    )


@require_POST
@member_required("mdf.admin")
def program_rule(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    return run_admin(
        request,
        form=RuleForm(request.POST),
        run=lambda d: services.rule_set(program=program, by=request.member, **d),
        page=lambda form: _program_page(request, program, rule_form=form),
        done=_("Activity type saved."),
        back=program.get_absolute_url(),
    )


@require_POST
@member_required("mdf.admin")
def program_remove_rule(request, pk: int, activity_type: str):
    program = get_object_or_404(Program, pk=pk)
    if activity_type not in ActivityType.values:
        raise Http404
    try:
        services.rule_remove(program=program, by=request.member, activity_type=activity_type)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Activity type removed."))
    return redirect(program)


def _allocations_page(request, program, *, form=None):
    entries = selectors.ledger(program=program).filter(
        kind__in=[LedgerKind.ALLOCATE, LedgerKind.ACCRUE, LedgerKind.ADJUSTMENT]
    )
    if wants_csv(request):
        return csv_stream(
            request,
            f"mdf-allocations-{program.pk}",
            ["created_at", "partner", "kind", "amount", "currency", "memo", "by"],
            entries,
            lambda e: (
                e.created_at, e.partner.name, e.kind, e.amount, program.currency, e.memo,
                e.created_by.user.email if e.created_by_id else "",
            ),
        )  # fmt: skip
    return render(
        request,
        "mdf/allocations.html",
        {
            "program": program,
            "form": form or AllocationForm(),
            "page": paginate(request, entries),
            "totals": selectors.program_totals([program.pk]).get(program.pk),
        },
    )


def _allocations_url(program) -> str:
    return f"{program.get_absolute_url()}allocations/"


@require_safe
@member_required("mdf.admin")
def allocations(request, pk: int):
    return _allocations_page(request, get_object_or_404(Program, pk=pk))


@require_POST
@member_required("mdf.admin")
def allocation_manual(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    return run_admin(
        request,
        form=AllocationForm(request.POST),
        run=lambda d: services.allocation_add(program=program, by=request.member, **d),
        page=lambda form: _allocations_page(request, program, form=form),
        done=_("Allocation recorded."),
        back=_allocations_url(program),
    )


@require_POST
@member_required("mdf.admin")
def allocation_tier(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    try:
        result = services.program_allocate_by_tier(program=program, by=request.member)
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(
            request,
            _("Tier allocations: %(n)s partners, %(t)s %(c)s.")
            % {"n": result["partners"], "t": result["total"], "c": program.currency},
        )
    return redirect(_allocations_url(program))


@require_POST
@member_required("mdf.admin")
def allocation_accrue(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    services.program_queue_accrual(program=program, by=request.member)
    messages.success(request, _("Accrual is running; new accruals appear here in a minute."))
    return redirect(_allocations_url(program))


def _rates_page(request, *, form=None):
    rates = ExchangeRate.objects.select_related("created_by__user")
    return render(
        request,
        "mdf/exchange_rates.html",
        {"form": form or ExchangeRateForm(), "page": paginate(request, rates, 100)},
    )


@require_safe
@member_required("mdf.admin")
def exchange_rates(request):
    return _rates_page(request)


@require_POST
@member_required("mdf.admin")
def exchange_rate_add(request):
    return run_admin(
        request,
        form=ExchangeRateForm(request.POST),
        run=lambda d: services.exchange_rate_set(tenant=request.tenant, by=request.member, **d),
        page=lambda form: _rates_page(request, form=form),
        done=_("Rate saved."),
        back="/mdf/exchange-rates/",
    )


def _ledger_filters(request):
    form = LedgerFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, selectors.ledger(**filters)


@member_required("mdf.admin")
def ledger(request):
    form, qs = _ledger_filters(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mdf/ledger.html",
        {"form": form, "page": paginate(request, qs, 100), "query": query.urlencode()},
    )


@member_required("mdf.admin")
def ledger_export(request):
    _form, qs = _ledger_filters(request)
    header = [
        "id", "created_at_utc", "program", "currency", "partner", "kind", "amount", "request",
        "claim", "memo", "by",
    ]  # fmt: skip
    resp = csv_stream(
        request,
        "mdf-ledger",
        header,
        qs,
        lambda e: (
            e.pk, e.created_at, e.program.name, e.program.currency, e.partner.name, e.kind,
            e.amount, e.request.number if e.request_id else "",
            e.claim.number if e.claim_id else "", e.memo,
            e.created_by.user.email if e.created_by_id else "",
        ),
    )  # fmt: skip
    log_action(
        "mdf.ledger.exported",
        object_type="mdf.ledgerentry",
        after={"rows": resp.rows, "filters": request.GET.dict()},
    )
    return resp
