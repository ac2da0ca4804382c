"""Portal pages for influence claims: partner people claim influence on a customer with
evidence (and may withdraw while it waits); staff work the queue, overdue claims first, and
approve or reject with a reason. One POST URL per action (dealreg.states.INFLUENCE_CLAIM)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dealreg import selectors, services
from dealreg.models import InfluencerRole
from dealreg.states import INFLUENCE_CLAIM
from prm import portal
from prm.confirm import confirmation_for, confirmed
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, require_action
from prm.roles import STAFF_ROLES
from prm.sorting import Sorting


class InfluenceClaimForm(forms.Form):
    customer_name = forms.CharField(label=gettext_lazy("Customer company"), max_length=200)
    customer_domain = forms.CharField(
        label=gettext_lazy("Customer website or domain"), max_length=253, required=False
    )
    role = forms.ChoiceField(label=gettext_lazy("Your role"), choices=InfluencerRole.choices)
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Meetings, workshops, architecture work, recommendations."),
    )


@member_required("deals.view")
def influence_list(request):
    """Staff: the queue of waiting claims (overdue first) and the latest decided. Partner
    people: their company's claims."""
    member = request.member
    staff = member.role in STAFF_ROLES
    found = selectors.influence_queue() if staff else selectors.influence_claims_visible_to(member)
    found = found.prefetch_related("deal_credits", "direct_credits")
    page = portal.page(request, found.order_by("due_at", "id") if staff else found.order_by("-id"))
    for claim in page.object_list:
        claim.allowed = INFLUENCE_CLAIM.allowed(claim, member)
    return render(
        request,
        "dealreg/influence_list.html",
        {
            "page": page,
            "staff": staff,
            "overdue": sum(1 for c in page.object_list if c.is_overdue) if staff else 0,
        },
    )


@member_required("deals.register")
def influence_new(request):
    # Linked from pages that show a customer (a won deal): the claim starts prefilled.
    initial = {k: request.GET.get(k, "")[:200] for k in ("customer_name", "customer_domain")}
    form = InfluenceClaimForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.influence_claim_submit(by=request.member, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Influence claimed; the vendor will decide."))
            return redirect("influence-list")
    return render(request, "dealreg/influence_new.html", {"form": form})


def _act(request, pk: int, name: str, run, done: str, *, confirm: str = ""):
    """With `confirm` (an irreversible action, prm/confirm.py), a GET is the confirmation
    page and a POST acts only once the confirmation's form (the reason) is valid."""
    claim = get_object_or_404(selectors.influence_claims_visible_to(request.member), pk=pk)
    require_action(INFLUENCE_CLAIM, claim, request.member, name)
    if confirm:
        if request.method != "POST" and name not in INFLUENCE_CLAIM.allowed(claim, request.member):
            return redirect("influence-list")  # decided meanwhile: nothing to confirm
        _form, page = confirmed(request, confirmation_for(confirm, claim))
        if page is not None:
            return page
    try:
        run(claim)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("influence-list")


@member_required("deals.review")
@require_POST
def influence_approve(request, pk: int):
    return _act(
        request,
        pk,
        "approve",
        lambda c: services.influence_claim_decide(
            claim=c, by=request.member, approve=True, reason=request.POST.get("reason", "")
        ),
        _("Influence approved."),
    )


@member_required("deals.review")
@require_http_methods(["GET", "POST"])
def influence_reject(request, pk: int):
    return _act(
        request,
        pk,
        "reject",
        lambda c: services.influence_claim_decide(
            claim=c, by=request.member, approve=False, reason=request.POST.get("reason", "")
        ),
        _("Influence rejected."),
        confirm="influence-reject",
    )


@member_required("deals.register")
@require_http_methods(["GET", "POST"])
def influence_withdraw(request, pk: int):
    return _act(
        request,
        pk,
        "withdraw",
        lambda c: services.influence_claim_withdraw(claim=c, by=request.member),
        _("Claim withdrawn."),
        confirm="influence-withdraw",
    )


# The direct deal list's sortable columns (prm.sorting); "recent" (newest first) is its order.
DIRECT_DEAL_COLUMNS = {
    "crm_id": Lower("external_id"),
    "customer": Lower("customer_name"),
    "amount": "amount",
    "status": "status",
    "recent": "pk",
}


@member_required("deals.view")
def direct_deal_list(request):
    """The vendor's direct deals (from the CRM) with their influencers: staff see all of
    them; partner people the ones their company is credited on."""
    member = request.member
    sorting = Sorting.from_request(request, DIRECT_DEAL_COLUMNS, default="-recent")
    found = sorting.apply(selectors.direct_deals_visible_to(member))
    page = portal.page(request, found)
    return render(
        request,
        "dealreg/direct_deal_list.html",
        {
            "page": page,
            "staff": member.role in STAFF_ROLES,
            "sorting": sorting,
            "query": sorting.query,
        },
    )


@member_required("deals.view")
def direct_deal_detail(request, pk: int):
    member = request.member
    deal = get_object_or_404(selectors.direct_deals_visible_to(member), pk=pk)
    return render(
        request,
        "dealreg/direct_deal_detail.html",
        {
            "deal": deal,
            "influencers": deal.shown_influencers,
            "staff": member.role in STAFF_ROLES,
        },
    )
