"""Portal pages of people mapping: a rep's own accounts, territories and their reps, and the
owners of one side's accounts.

Territories and owners: the tenant's admins manage the vendor's, a partner admin its own
company's (`accountmap.people.territories_visible_to`: another side's territory is a 404).
Each action has its own URL (accountmap/urls_people.py), POST only; deleting a territory asks
first (prm/confirm.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accountmap import people, visibility
from accountmap.models import AccountStatus
from prm import portal
from prm.confirm import confirmation_for, confirmed
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error
from prm.sorting import Sorting

MY_ACCOUNT_COLUMNS = {
    "account": Lower("name"),
    "population": "status",
    "country": "country",
    "industry": Lower("industry"),
}

# --- Forms --------------------------------------------------------------------------------


class TerritoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    countries = forms.CharField(
        label=gettext_lazy("Countries"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Two-letter codes or names, separated by commas, e.g. DE, AT, CH."),
    )
    regions = forms.CharField(
        label=gettext_lazy("Regions"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("As your accounts name them, separated by commas, e.g. EMEA."),
    )
    industries = forms.CharField(
        label=gettext_lazy("Industries"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Optional: only accounts of these industries, e.g. Retail."),
    )

    @classmethod
    def for_territory(cls, territory, data=None):
        return cls(
            data,
            initial={
                "name": territory.name,
                "countries": ", ".join(territory.countries),
                "regions": ", ".join(territory.regions),
                "industries": ", ".join(territory.industries),
            },
        )


class RepForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Rep"), queryset=None)

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = people.eligible_reps(
            partner_id=territory.partner_id
        ).exclude(account_territories__territory=territory)
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.user.display_name} <{m.user.email}>"
        )


class OwnerForm(forms.Form):
    member = forms.ModelChoiceField(
        label=gettext_lazy("Owner"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, partner_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = people.eligible_reps(partner_id=partner_id)
        self.fields["member"].label_from_instance = lambda m: m.user.display_name


def _side(member) -> int | None:
    return member.partner_id if member.is_partner_role else None


# --- A rep's accounts ---------------------------------------------------------------------


@member_required("accounts.mine")
def my_accounts(request):
    """The accounts the member sells (owned or in their territories), each with the
    partners that know it within what they share."""
    qs = people.my_accounts(request.member)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    status = request.GET.get("status") or ""
    if status in AccountStatus.values:
        qs = qs.filter(status=status)
    sorting = Sorting.from_request(request, MY_ACCOUNT_COLUMNS, default="account")
    page = portal.page(request, sorting.apply(qs))
    page.object_list = list(page.object_list)
    knows = visibility.known_by_other_side(request.member, page.object_list)
    for account in page.object_list:
        account.partners_knowing = knows.get(account.pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accountmap/people/my_accounts.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": AccountStatus.choices,
            "query": query.urlencode(),
            "sorting": sorting,
            "territories": people.territories_of_member(request.member),
            "vendor_side": request.member.partner_id is None,
        },
    )


# --- Territories --------------------------------------------------------------------------


@member_required("territories.manage")
def territory_list(request):
    form = TerritoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            territory = people.territory_create(by=request.member, data=form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Territory %(t)s added.") % {"t": territory.name})
            return redirect("territory-detail", pk=territory.pk)
    territories = list(
        people.territories_visible_to(request.member).prefetch_related("reps__member__user")
    )
    return render(
        request,
        "accountmap/people/territory_list.html",
        {"form": form, "territories": territories},
    )


def _territory_page(request, territory, *, form=None, rep_form=None):
    accounts = people.territory_accounts(territory).select_related("owner_member__user")
    return render(
        request,
        "accountmap/people/territory_detail.html",
        {
            "territory": territory,
            "form": form or TerritoryForm.for_territory(territory),
            "rep_form": rep_form or RepForm(territory=territory),
            "reps": territory.reps.select_related("member__user").order_by("member__user__email"),
            "accounts": accounts.order_by("name")[:50],
            "account_count": accounts.count(),
        },
    )


def _territory(request, pk):
    return get_object_or_404(people.territories_visible_to(request.member), pk=pk)


@member_required("territories.manage")
def territory_detail(request, pk: int):
    """The territory, its reps and accounts; POST saves its edit."""
    territory = _territory(request, pk)
    form = None
    if request.method == "POST":
        form = TerritoryForm.for_territory(territory, request.POST)
        if form.is_valid():
            try:
                people.territory_update(
                    by=request.member, territory=territory, data=form.cleaned_data
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Territory saved."))
                return redirect("territory-detail", pk=territory.pk)
    return _territory_page(request, territory, form=form)


@member_required("territories.manage")
@require_http_methods(["GET", "POST"])
def territory_delete(request, pk: int):
    territory = _territory(request, pk)
    _form, page = confirmed(request, confirmation_for("territory-delete", territory))
    if page is not None:
        return page
    name = territory.name
    people.territory_delete(by=request.member, territory=territory)
    messages.success(request, _("Territory %(t)s deleted.") % {"t": name})
    return redirect("territory-list")


@member_required("territories.manage")
@require_POST
def territory_rep_add(request, pk: int):
    territory = _territory(request, pk)
    form = RepForm(request.POST, territory=territory)
    if form.is_valid():
        try:
            people.territory_rep_add(
                by=request.member, territory=territory, member_id=form.cleaned_data["member"].pk
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Rep assigned."))
            return redirect("territory-detail", pk=territory.pk)
    return _territory_page(request, territory, rep_form=form)


@member_required("territories.manage")
@require_POST
def territory_rep_remove(request, pk: int, member_pk: int):
    territory = _territory(request, pk)
    try:
        people.territory_rep_remove(by=request.member, territory=territory, member_id=member_pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rep taken off the territory."))
    return redirect("territory-detail", pk=territory.pk)


# --- Account owners -----------------------------------------------------------------------


@member_required("territories.manage")
def account_owners(request):
    """The accounts of the member's side with their owners; filter by name or unowned."""
    qs = people.side_accounts_for_owners(request.member)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    unowned = request.GET.get("unowned") == "1"
    if unowned:
        qs = qs.filter(owner_member__isnull=True)
    page = portal.page(request, qs)
    partner_id = _side(request.member)
    page.object_list = [
        (
            a,
            OwnerForm(
                partner_id=partner_id, initial={"member": a.owner_member_id}, prefix=f"a{a.pk}"
            ),
        )
        for a in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accountmap/people/account_owners.html",
        {"page": page, "q": q, "unowned": unowned, "query": query.urlencode()},
    )


@member_required("territories.manage")
@require_POST
def account_owner_assign(request, pk: int):
    account = get_object_or_404(people.side_accounts_for_owners(request.member), pk=pk)
    form = OwnerForm(request.POST, partner_id=_side(request.member), prefix=f"a{account.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a member of your side as the owner."))
    else:
        member = form.cleaned_data["member"]
        try:
            people.account_owner_assign(
                by=request.member, account=account, member_id=member.pk if member else None
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Owner of %(a)s saved.") % {"a": account.name})
    back = request.POST.get("next") or ""
    return redirect(back if portal_safe(back) else "account-owners")


def portal_safe(url: str) -> bool:
    """A path of the owners page (the list it came from, with its filters), nothing else."""
    return url.startswith("/territories/owners/") and "//" not in url and "\\" not in url
