"""Portal pages of account mapping's data: each side's own accounts (staff: the vendor's; a
partner's people: their company's, with their overlap count) and custom populations. Every
page works on the member's own side only; another side's account is a 404."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accountmap import selectors, services, visibility
from accountmap.forms import AccountFilterForm, AccountForm, PopulationForm
from accountmap.models import AccountStatus
from prm import portal
from prm.confirm import confirm_first
from prm.decorators import member_required
from prm.errors import DomainError
from prm.roles import has_perm
from prm.sorting import Sorting

ACCOUNT_COLUMNS = {
    "name": (Lower("name"),),
    "domain": ("domain",),
    "status": ("status",),
    "owner": (Lower("owner_name"),),
    "industry": (Lower("industry"),),
    "region": (Lower("region"),),
    "updated": ("updated_at",),
}


def _can_view(member) -> bool:
    return has_perm(member.role, "vendor_accounts.view") or has_perm(
        member.role, "partner_accounts.manage"
    )


def _can_manage(member) -> bool:
    if member.is_staff_role:
        return has_perm(member.role, "vendor_accounts.manage")
    return has_perm(member.role, "partner_accounts.manage")


def side_required(*, manage: bool = False):
    """A member of either side who may read (or, with manage, write) their side's accounts."""

    def decorator(view):
        @member_required()
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            allowed = _can_manage(request.member) if manage else _can_view(request.member)
            if not allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _importer_kind(member) -> str:
    return "vendor-accounts" if member.is_staff_role else "partner-accounts"


def _filtered(request, form):
    qs = selectors.accounts_visible_to(request.member)
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data["q"]:
        qs = qs.filter(Q(name__icontains=data["q"]) | Q(domain__icontains=data["q"]))
    if data["status"]:
        qs = qs.filter(status=data["status"])
    if data["population"]:
        population = selectors.populations_visible_to(request.member).filter(pk=data["population"])
        population = population.first()
        qs = qs.filter(selectors.population_filter(population)) if population else qs.none()
    if data["industry"]:
        qs = qs.filter(industry__iexact=data["industry"])
    if data["region"]:
        qs = qs.filter(region__iexact=data["region"])
    if data["owner"]:
        qs = qs.filter(
            Q(owner_name__icontains=data["owner"]) | Q(owner_email__icontains=data["owner"])
        )
    return qs


@side_required()
def account_list(request):
    member = request.member
    populations = list(selectors.populations_visible_to(member).order_by("name"))
    form = AccountFilterForm(request.GET or None, populations=populations)
    sorting = Sorting.from_request(request, ACCOUNT_COLUMNS, default="name")
    page = portal.page(request, sorting.apply(_filtered(request, form)))
    query = request.GET.copy()
    query.pop("page", None)
    # The partner's overlaps as the vendor shares them: counts below the threshold are not
    # numbers here either (the same figures as the overlap page, accountmap.visibility).
    overlap_counts = None
    if not member.is_staff_role:
        overlap_counts = visibility.overlap_counts(visibility.view_for(member))
    return render(
        request,
        "accountmap/data/account_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "sorting": sorting,
            "status_rows": _status_rows(member),
            "overlap_counts": overlap_counts,
            "can_manage": _can_manage(member),
            "import_kind": _importer_kind(member),
            "is_staff": member.is_staff_role,
        },
    )


def _status_rows(member) -> list[tuple]:
    counts = selectors.status_counts(member)
    return [(label, counts.get(value, 0)) for value, label in AccountStatus.choices]


def _account(request, pk: int):
    return get_object_or_404(selectors.accounts_visible_to(request.member), pk=pk)


@side_required()
def account_detail(request, pk: int):
    account = _account(request, pk)
    return render(
        request,
        "accountmap/data/account_detail.html",
        {"account": account, "can_manage": _can_manage(request.member)},
    )


@side_required(manage=True)
def account_create(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            portal.apply_error(form, exc)
        else:
            messages.success(request, _("Account %(a)s added.") % {"a": account.name})
            return redirect("account-detail", pk=account.pk)
    return render(request, "accountmap/data/account_form.html", {"form": form, "account": None})


@side_required(manage=True)
def account_edit(request, pk: int):
    account = _account(request, pk)
    initial = {f: getattr(account, f) for f in services.FIELDS if f != "is_active"}
    form = AccountForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(by=request.member, account=account, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            portal.apply_error(form, exc)
        else:
            messages.success(request, _("Account %(a)s saved.") % {"a": account.name})
            return redirect("account-detail", pk=account.pk)
    return render(request, "accountmap/data/account_form.html", {"form": form, "account": account})


@require_http_methods(["GET", "POST"])
@side_required(manage=True)
@confirm_first("account-delete", lambda request, pk: _account(request, pk))
def account_delete(request, pk: int):
    account = _account(request, pk)
    try:
        services.account_delete(by=request.member, account=account)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("account-detail", pk=account.pk)
    messages.success(request, _("Account %(a)s removed.") % {"a": account.name})
    return redirect("account-list")


# --- Populations -----------------------------------------------------------------------------


@side_required()
def population_list(request):
    populations = list(selectors.populations_visible_to(request.member).order_by("name"))
    counts = selectors.population_counts(populations)
    for population in populations:
        population.count = counts[population.pk]
    return render(
        request,
        "accountmap/data/population_list.html",
        {
            "populations": populations,
            "standard": _status_rows(request.member),
            "can_manage": _can_manage(request.member),
        },
    )


@side_required(manage=True)
def population_create(request):
    form = PopulationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            population = services.population_create(by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            portal.apply_error(form, exc)
        else:
            messages.success(request, _("Population %(p)s added.") % {"p": population.name})
            return redirect("population-list")
    return render(
        request, "accountmap/data/population_form.html", {"form": form, "population": None}
    )


def _population(request, pk: int):
    return get_object_or_404(selectors.populations_visible_to(request.member), pk=pk)


@side_required(manage=True)
def population_edit(request, pk: int):
    population = _population(request, pk)
    form = PopulationForm(request.POST or None, initial=PopulationForm.initial_for(population))
    if request.method == "POST" and form.is_valid():
        try:
            services.population_update(
                by=request.member, population=population, **form.cleaned_data
            )
        except (DomainError, ValidationError) as exc:
            portal.apply_error(form, exc)
        else:
            messages.success(request, _("Population %(p)s saved.") % {"p": population.name})
            return redirect("population-list")
    return render(
        request,
        "accountmap/data/population_form.html",
        {"form": form, "population": population},
    )


@require_http_methods(["GET", "POST"])
@side_required(manage=True)
@confirm_first("population-delete", lambda request, pk: _population(request, pk))
def population_delete(request, pk: int):
    population = _population(request, pk)
    services.population_delete(by=request.member, population=population)
    messages.success(request, _("Population %(p)s deleted.") % {"p": population.name})
    return redirect("population-list")
