"""Portal views for vendor leads: the staff list (add, route) and the partner's inbox of
offers (accept, decline). Each action has its own POST URL; what a page offers comes from
dealreg/states.py (LEAD, LEAD_OFFER)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dealreg import selectors
from dealreg.forms import LeadForm
from dealreg.models import LeadOffer
from dealreg.services import leads
from dealreg.states import LEAD, LEAD_OFFER
from prm import portal
from prm.confirm import confirmation_for, confirmed
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, require_action
from prm.search import search, search_term
from prm.sorting import Sorting

# The staff lead list's sortable columns (prm.sorting); newest first unless asked.
LEAD_COLUMNS = {
    "company": Lower("company"),
    "country": "country",
    "status": "status",
    "created": "created_at",
}

# The partner's lead inbox (cards) sorts by a choice of these; newest offer first unless asked.
INBOX_COLUMNS = {
    "offered": "offered_at",
    "answer_by": "respond_by",
    "company": Lower("lead__company"),
}
INBOX_CHOICES = (
    ("-offered", gettext_lazy("Newest first")),
    ("answer_by", gettext_lazy("Answer due first")),
    ("company", gettext_lazy("Company")),
)
INBOX_SHOWN = 100


@member_required("leads.manage")
def lead_list(request):
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = leads.lead_create(by=request.member, **form.cleaned_data)
            leads.lead_route(lead=lead, by=request.member)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Lead added and routed."))
            return redirect("lead-list")
    q = search_term(request)
    sorting = Sorting.from_request(request, LEAD_COLUMNS, default="-created")
    found = search(selectors.leads(), q, ("company", "domain", "contact_name", "contact_email"))
    found = sorting.apply(found)
    if wants_csv(request):
        return csv_stream(
            request,
            "leads",
            [
                "company", "domain", "country", "region", "contact_name", "contact_email",
                "amount", "currency", "status", "offered_to", "deal", "external_id", "created_at",
            ],
            found,
            lambda lead: (
                lead.company, lead.domain, lead.country, lead.region, lead.contact_name,
                lead.contact_email, lead.amount, lead.currency, lead.status,
                _open_offer(lead).partner.name if _open_offer(lead) else "",
                f"DR-{lead.deal_id}" if lead.deal_id else "", lead.external_id,
                lead.created_at,
            ),
        )  # fmt: skip
    page = portal.page(request, found, 50)
    for lead in page.object_list:
        lead.current_offer = _open_offer(lead)
        lead.allowed = LEAD.allowed(lead, request.member)
    return render(
        request,
        "dealreg/lead_list.html",
        {
            "form": form if request.method == "POST" else LeadForm(),
            "page": page,
            "q": q,
            "sorting": sorting,
            "query": sorting.query,
        },
    )


def _open_offer(lead) -> LeadOffer | None:
    return next((o for o in lead.offers.all() if o.status == LeadOffer.Status.OPEN), None)


@member_required("leads.manage")
@require_POST
def lead_route(request, pk: int):
    lead = get_object_or_404(selectors.leads(), pk=pk)
    require_action(LEAD, lead, request.member, "route")
    try:
        offer = leads.lead_route(lead=lead, by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Offered to %(p)s.") % {"p": offer.partner.name}
            if offer
            else _("No partner is available for this lead."),
        )
    return redirect("lead-list")


@member_required("leads.respond")
def lead_inbox(request):
    sorting = Sorting.from_request(request, INBOX_COLUMNS, default="-offered")
    if wants_csv(request):
        # offers_for() holds only the member's own partner's offers.
        return csv_stream(
            request,
            "lead-offers",
            ["company", "country", "status", "score", "offered_at", "respond_by", "why"],
            sorting.apply(selectors.offers_for(request.member)),
            lambda o: (
                o.lead.company, o.lead.country, o.status, o.score, o.offered_at,
                o.respond_by, "; ".join(o.explanation or []),
            ),
        )  # fmt: skip
    offers = list(sorting.apply_within(selectors.offers_for(request.member), INBOX_SHOWN))
    for o in offers:
        o.allowed = LEAD_OFFER.allowed(o, request.member)
    current = f"-{sorting.key}" if sorting.descending else sorting.key
    return render(
        request,
        "dealreg/lead_inbox.html",
        {"offers": offers, "now": timezone.now(), "sort_choices": INBOX_CHOICES, "sort": current},
    )


def _offer_or_404(request, pk: int) -> LeadOffer:
    """Only the member's own partner's offers exist for them."""
    return get_object_or_404(selectors.offers_for(request.member), pk=pk)


@member_required("leads.respond")
@require_POST
def lead_offer_accept(request, pk: int):
    offer = _offer_or_404(request, pk)
    require_action(LEAD_OFFER, offer, request.member, "accept")
    try:
        deal = leads.lead_accept(offer=offer, by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("lead-inbox")
    messages.success(request, _("Accepted: the lead is now your protected deal."))
    return redirect("deal-detail", pk=deal.pk)


@member_required("leads.respond")
@require_http_methods(["GET", "POST"])
def lead_offer_decline(request, pk: int):
    """GET: the confirmation page, which asks for the reason (prm/confirm.py); POST: decline."""
    offer = _offer_or_404(request, pk)
    require_action(LEAD_OFFER, offer, request.member, "decline")
    if request.method != "POST" and "decline" not in LEAD_OFFER.allowed(offer, request.member):
        return redirect("lead-inbox")  # answered or timed out meanwhile
    _form, page = confirmed(request, confirmation_for("lead-offer-decline", offer))
    if page is not None:
        return page
    try:
        leads.lead_decline(offer=offer, by=request.member, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Declined. Thank you for the reason."))
    return redirect("lead-inbox")
