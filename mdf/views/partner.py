"""Partner pages: balances and deadlines, request and claim lists and forms, documents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mdf import selectors, services
from mdf.forms import ClaimForm, RequestForm
from mdf.models import ActivityRule, Claim, ClaimStatus, FundRequest, Program, RequestStatus
from mdf.states import REQUEST_MACHINE
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.portal import apply_error, attachment, require_action
from prm.portal import page as paginate
from prm.search import search, search_term
from prm.sorting import Sorting


@member_required("mdf.use")
def home(request):
    partner_id = request.member.partner_id
    rows = list(selectors.balances(partner=partner_id))
    programs = Program.objects.in_bulk([r["program_id"] for r in rows])
    for r in rows:
        r["program"] = programs.get(r["program_id"])
    return render(
        request,
        "mdf/home.html",
        {
            "balances": rows,
            "deadlines": selectors.deadlines_for(partner_id)[:20],
            "returned": FundRequest.objects.filter(
                partner_id=partner_id, status=RequestStatus.RETURNED
            ).select_related("program")[:20],
            "info_requested": Claim.objects.filter(
                partner_id=partner_id, status=ClaimStatus.INFO_REQUESTED
            ).select_related("request")[:20],
            "can_request": selectors.open_programs().exists(),
        },
    )


# The sortable columns of the request and claim lists (prm.sorting).
REQUEST_LIST_COLUMNS = {
    "request": "pk",
    "type": "activity_type",
    "dates": "start_date",
    "requested": "requested_amount",
    "approved": "approved_amount",
    "code": "campaign_code",
    "status": "status",
    "submitted": "submitted_at",
}
CLAIM_LIST_COLUMNS = {
    "claim": "pk",
    "activity": "request__title",
    "claimed": "amount_claimed",
    "approved": "approved_amount",
    "paid": "paid_on",
    "status": "status",
    "submitted": "submitted_at",
}


@member_required("mdf.use")
def request_list(request):
    q = search_term(request)
    sorting = Sorting.from_request(request, REQUEST_LIST_COLUMNS, default="-submitted")
    qs = sorting.apply(selectors.requests_visible_to(request.member))
    qs = search(qs, q, ("title", "campaign_code", "partner__name"))
    if wants_csv(request):  # requests_visible_to(): partners get their own company's only
        return csv_stream(
            request,
            "mdf-requests",
            [
                "number", "partner", "program", "title", "activity_type", "status",
                "requested_amount", "approved_amount", "currency", "campaign_code",
                "start_date", "end_date", "claim_deadline", "submitted_at",
            ],
            qs,
            lambda r: (
                r.number, r.partner.name, r.program.name, r.title, r.activity_type,
                r.status, r.requested_amount, r.approved_amount, r.program.currency,
                r.campaign_code, r.start_date, r.end_date, r.claim_deadline, r.submitted_at,
            ),
        )  # fmt: skip
    context = {"page": paginate(request, qs), "q": q, "sorting": sorting}
    return render(request, "mdf/request_list.html", context)


@member_required("mdf.use")
def request_new(request):
    programs = selectors.open_programs().order_by("start_date", "name")
    form = RequestForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        program = data.pop("program")
        try:
            req = services.request_submit(program=program, by=request.member, **data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Request submitted. You will hear back by e-mail."))
            return redirect("mdf-request-detail", pk=req.pk)
    rules = ActivityRule.objects.filter(program__in=programs).select_related("program")
    return render(
        request,
        "mdf/request_form.html",
        {"form": form, "rules": rules, "has_programs": programs.exists()},
    )


def _allowed_or_back(request, req, name: str, refusal: str):
    """403 for a member who may never take `name` on the request; None when the request's
    state allows it now, else a redirect to the request with `refusal`."""
    require_action(REQUEST_MACHINE, req, request.member, name)
    if name in REQUEST_MACHINE.allowed(req, request.member):
        return None
    messages.error(request, refusal)
    return redirect("mdf-request-detail", pk=req.pk)


@member_required("mdf.use")
def request_edit(request, pk: int):
    req = get_object_or_404(selectors.requests_visible_to(request.member), pk=pk)
    back = _allowed_or_back(request, req, "edit", _("This request can no longer be changed."))
    if back:
        return back
    form = RequestForm(request.POST or None, instance=req, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(request=req, by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Request saved and sent for review."))
            return redirect("mdf-request-detail", pk=pk)
    rules = ActivityRule.objects.filter(program_id=req.program_id).select_related("program")
    return render(
        request,
        "mdf/request_form.html",
        {"form": form, "req": req, "rules": rules, "has_programs": True},
    )


@member_required("mdf.use")
def claim_list(request):
    q = search_term(request)
    sorting = Sorting.from_request(request, CLAIM_LIST_COLUMNS, default="-submitted")
    qs = sorting.apply(selectors.claims_visible_to(request.member))
    qs = search(qs, q, ("request__title", "payment_reference", "partner__name"))
    if wants_csv(request):  # claims_visible_to(): partners get their own company's only
        return csv_stream(
            request,
            "mdf-claims",
            [
                "number", "partner", "program", "request", "status", "amount_claimed",
                "currency", "approved_amount", "approved_amount_program", "program_currency",
                "payment_reference", "paid_on", "submitted_at",
            ],
            qs,
            lambda c: (
                c.number, c.partner.name, c.program.name, c.request.title, c.status,
                c.amount_claimed, c.currency, c.approved_amount, c.approved_amount_program,
                c.program.currency, c.payment_reference, c.paid_on, c.submitted_at,
            ),
        )  # fmt: skip
    context = {"page": paginate(request, qs), "q": q, "sorting": sorting}
    return render(request, "mdf/claim_list.html", context)


@member_required("mdf.use")
def claim_new(request, pk: int):
    req = get_object_or_404(selectors.requests_visible_to(request.member), pk=pk)
    back = _allowed_or_back(request, req, "claim", _("This request cannot be claimed now."))
    if back:
        return back
    rule = ActivityRule.objects.filter(
        program_id=req.program_id, activity_type=req.activity_type
    ).first()
    proofs = rule.required_proofs if rule else []
    # The funded campaign's figures pre-fill the form; the service takes its own snapshot
    # when the claim is submitted.
    figures = selectors.campaign_figures_for(req)
    prefill = {"leads": figures["leads"], "impressions": figures["views"]} if figures else {}
    form = ClaimForm(
        request.POST or None,
        request.FILES or None,
        proofs=proofs,
        initial={
            "activity_start": req.start_date,
            "activity_end": req.end_date,
            "currency": req.program.currency,
            **prefill,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_submit(
                request=req, by=request.member, documents=form.documents(), **form.values()
            )
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Claim submitted for review."))
            return redirect("mdf-claim-detail", pk=claim.pk)
    return render(
        request,
        "mdf/claim_form.html",
        {
            "form": form,
            "req": req,
            "rule": rule,
            "evidence_rows": selectors.campaign_evidence_rows(figures or {}),
        },
    )


@member_required("mdf.use")
def documents(request):
    member = request.member
    docs = selectors.documents_visible_to(member).order_by("-uploaded_at")
    remittances = (
        selectors.claims_visible_to(member)
        .filter(status=ClaimStatus.PAID)
        .order_by("-paid_on", "-id")
    )
    return render(
        request,
        "mdf/documents.html",
        {"page": paginate(request, docs), "remittances": remittances[:100]},
    )


@member_required("mdf.view")
def document_download(request, pk: int):
    doc = get_object_or_404(selectors.documents_visible_to(request.member), pk=pk)
    try:
        f = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return attachment(f, doc.original_name, doc.content_type)


@member_required("mdf.view")
def remittance_download(request, pk: int):
    claim = get_object_or_404(
        selectors.claims_visible_to(request.member), pk=pk, status=ClaimStatus.PAID
    )
    name = claim.remittance_pdf.name or services.claim_render_remittance(claim=claim)
    try:
        f = claim.remittance_pdf.storage.open(name, "rb")
    except FileNotFoundError:
        name = services.claim_render_remittance(claim=claim, force=True)
        f = claim.remittance_pdf.storage.open(name, "rb")
    return attachment(f, f"remittance-{claim.number}.pdf", "application/pdf")
