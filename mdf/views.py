"""Portal views for market development funds. Each validates a form, calls one service,
renders. Partners: balances, requests, claims, deadlines, documents. Staff: review queues with
the automatic checks, approval history, ROI. Admins: programs, allocations, exchange rates,
the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mdf import selectors, services, tasks
from mdf.forms import (
    AllocationForm,
    CancelForm,
    ClaimDecisionForm,
    ClaimForm,
    DocumentForm,
    ExchangeRateForm,
    LedgerFilterForm,
    PaymentForm,
    ProgramFilterForm,
    ProgramForm,
    ProgramSettingsForm,
    RequestDecisionForm,
    RequestForm,
    RuleForm,
    SecondApprovalForm,
)
from mdf.models import (
    ActivityRule,
    ActivityType,
    Claim,
    ClaimStatus,
    ExchangeRate,
    FundRequest,
    LedgerKind,
    Program,
    RequestStatus,
)
from prm.audit import log_action
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.roles import has_perm
from prm.search import search, search_term
from prm.tasks import dispatch

PAGE = 50


def _apply_error(form, exc) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        form.add_error(None, exc.messages if hasattr(exc, "messages") else str(exc))


def _page(request, qs, size: int = PAGE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Partner side -------------------------------------------------------------------------


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


@member_required("mdf.use")
def request_list(request):
    q = search_term(request)
    qs = selectors.requests_visible_to(request.member).order_by("-submitted_at", "-id")
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
    return render(request, "mdf/request_list.html", {"page": _page(request, qs), "q": q})


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
            _apply_error(form, exc)
        else:
            messages.success(request, _("Request submitted. You will hear back by e-mail."))
            return redirect("mdf-request-detail", pk=req.pk)
    rules = ActivityRule.objects.filter(program__in=programs).select_related("program")
    return render(
        request,
        "mdf/request_form.html",
        {"form": form, "rules": rules, "has_programs": programs.exists()},
    )


@member_required("mdf.use")
def request_edit(request, pk: int):
    req = get_object_or_404(selectors.requests_visible_to(request.member), pk=pk)
    if req.status not in (RequestStatus.SUBMITTED, RequestStatus.RETURNED):
        messages.error(request, _("This request can no longer be changed."))
        return redirect("mdf-request-detail", pk=pk)
    form = RequestForm(request.POST or None, instance=req, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(request=req, by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Request saved and sent for review."))
            return redirect("mdf-request-detail", pk=pk)
    rules = ActivityRule.objects.filter(program_id=req.program_id).select_related("program")
    return render(
        request,
        "mdf/request_form.html",
        {"form": form, "req": req, "rules": rules, "has_programs": True},
    )


@member_required("mdf.view")
def request_detail(request, pk: int):
    member = request.member
    req = get_object_or_404(selectors.requests_visible_to(member), pk=pk)
    staff = has_perm(member.role, "mdf.review")
    decision_form = RequestDecisionForm() if staff else None
    cancel_form = CancelForm()
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "decide" and staff:
                decision_form = RequestDecisionForm(request.POST)
                if decision_form.is_valid():
                    d = decision_form.cleaned_data
                    services.request_transition(
                        request=req,
                        to=d["decision"],
                        by=member,
                        amount=d["amount"],
                        reason=d["reason"],
                    )
                    messages.success(request, _("Decision saved; the partner is told by e-mail."))
                    return redirect("mdf-request-detail", pk=pk)
            elif op == "cancel":
                cancel_form = CancelForm(request.POST)
                if cancel_form.is_valid():
                    services.request_transition(
                        request=req,
                        to=RequestStatus.CANCELLED,
                        by=member,
                        reason=cancel_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Request cancelled."))
                    return redirect("mdf-request-detail", pk=pk)
            else:
                raise Http404
        except (DomainError, ValidationError) as exc:
            if op == "decide":
                _apply_error(decision_form, exc)
            else:
                messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    claims = list(req.claims.all().order_by("-submitted_at"))
    live_claim = next((c for c in claims if c.status != ClaimStatus.REJECTED), None)
    own = member.partner_id == req.partner_id
    can_cancel = req.status in (
        RequestStatus.SUBMITTED,
        RequestStatus.RETURNED,
    ) or (req.status == RequestStatus.APPROVED and live_claim is None)
    rule = ActivityRule.objects.filter(
        program_id=req.program_id, activity_type=req.activity_type
    ).first()
    return render(
        request,
        "mdf/request_detail.html",
        {
            "req": req,
            "rule": rule,
            "staff": staff,
            "own": own,
            "claims": claims,
            "live_claim": live_claim,
            "decision_form": decision_form if staff and req.status == "submitted" else None,
            "cancel_form": cancel_form if can_cancel and (staff or own) else None,
            "can_edit": own and req.status in (RequestStatus.SUBMITTED, RequestStatus.RETURNED),
            "can_claim": own and req.status == RequestStatus.APPROVED and live_claim is None,
            "balance": selectors.balance_for(program=req.program_id, partner=req.partner_id)
            if staff
            else None,
            "entries": selectors.ledger(request_id=req.pk)[:50] if staff else [],
        },
    )


@member_required("mdf.use")
def claim_list(request):
    q = search_term(request)
    qs = selectors.claims_visible_to(request.member).order_by("-submitted_at", "-id")
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
    return render(request, "mdf/claim_list.html", {"page": _page(request, qs), "q": q})


@member_required("mdf.use")
def claim_new(request, pk: int):
    req = get_object_or_404(selectors.requests_visible_to(request.member), pk=pk)
    if req.status != RequestStatus.APPROVED or req.claims.exclude(status="rejected").exists():
        messages.error(request, _("This request cannot be claimed now."))
        return redirect("mdf-request-detail", pk=pk)
    rule = ActivityRule.objects.filter(
        program_id=req.program_id, activity_type=req.activity_type
    ).first()
    proofs = rule.required_proofs if rule else []
    form = ClaimForm(
        request.POST or None,
        request.FILES or None,
        proofs=proofs,
        initial={
            "activity_start": req.start_date,
            "activity_end": req.end_date,
            "currency": req.program.currency,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_submit(
                request=req, by=request.member, documents=form.documents(), **form.values()
            )
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Claim submitted for review."))
            return redirect("mdf-claim-detail", pk=claim.pk)
    return render(request, "mdf/claim_form.html", {"form": form, "req": req, "rule": rule})


def _checks_for(claim: Claim) -> list:
    rule = ActivityRule.objects.filter(
        program_id=claim.program_id, activity_type=claim.request.activity_type
    ).first()
    return selectors.claim_checks(claim, rule=rule)


@member_required("mdf.view")
def claim_detail(request, pk: int):
    member = request.member
    claim = get_object_or_404(
        selectors.claims_visible_to(member).select_related(
            "first_approved_by__user", "second_approved_by__user", "paid_by__user"
        ),
        pk=pk,
    )
    staff = has_perm(member.role, "mdf.review")
    admin = has_perm(member.role, "mdf.admin")
    own = member.partner_id == claim.partner_id
    decision_form = ClaimDecisionForm()
    second_form = SecondApprovalForm()
    payment_form = PaymentForm()
    respond_form = ClaimForm(
        initial={
            f: getattr(claim, f)
            for f in (
                "activity_start",
                "activity_end",
                "actual_cost",
                "amount_claimed",
                "currency",
                "leads",
                "attendees",
                "impressions",
                "notes",
            )
        },
        with_files=False,
    )
    document_form = DocumentForm()
    if request.method == "POST":
        op = request.POST.get("op")
        form = None
        try:
            if op == "decide" and staff:
                form = decision_form = ClaimDecisionForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    claim = services.claim_transition(
                        claim=claim,
                        to=d["decision"],
                        by=member,
                        amount=d["amount"],
                        reason=d["reason"],
                    )
                    messages.success(request, _("Decision saved."))
                    return redirect("mdf-claim-detail", pk=pk)
            elif op == "second" and admin:
                form = second_form = SecondApprovalForm(request.POST)
                if form.is_valid():
                    services.claim_transition(
                        claim=claim,
                        to=form.cleaned_data["decision"],
                        by=member,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Decision saved."))
                    return redirect("mdf-claim-detail", pk=pk)
            elif op == "pay" and admin:
                form = payment_form = PaymentForm(request.POST)
                if form.is_valid():
                    services.claim_transition(
                        claim=claim, to=ClaimStatus.PAID, by=member, **form.cleaned_data
                    )
                    messages.success(request, _("Marked as paid; the partner is told by e-mail."))
                    return redirect("mdf-claim-detail", pk=pk)
            elif op == "respond" and own:
                form = respond_form = ClaimForm(request.POST, with_files=False)
                if form.is_valid():
                    services.claim_update(claim=claim, by=member, **form.values())
                    messages.success(request, _("Claim sent back for review."))
                    return redirect("mdf-claim-detail", pk=pk)
            elif op == "document" and own:
                form = document_form = DocumentForm(request.POST, request.FILES)
                if form.is_valid():
                    services.claim_add_documents(
                        claim=claim,
                        by=member,
                        documents=[(form.cleaned_data["kind"], form.cleaned_data["file"])],
                    )
                    messages.success(request, _("Document added."))
                    return redirect("mdf-claim-detail", pk=pk)
            else:
                raise Http404
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
    in_review = claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.INFO_REQUESTED)
    return render(
        request,
        "mdf/claim_detail.html",
        {
            "claim": claim,
            "req": claim.request,
            "staff": staff,
            "own": own,
            "checks": _checks_for(claim) if staff else [],
            "documents": claim.documents.all(),
            "decision_form": decision_form
            if staff and claim.status == ClaimStatus.SUBMITTED
            else None,
            "second_form": second_form
            if admin
            and claim.status == ClaimStatus.SECOND_APPROVAL
            and claim.first_approved_by_id != member.pk
            else None,
            "payment_form": payment_form
            if admin and claim.status == ClaimStatus.APPROVED
            else None,
            "respond_form": respond_form
            if own and claim.status == ClaimStatus.INFO_REQUESTED
            else None,
            "document_form": document_form if own and in_review else None,
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
        {"page": _page(request, docs), "remittances": remittances[:100]},
    )


def _attachment(fileobj, filename: str, content_type: str) -> FileResponse:
    resp = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp


@member_required("mdf.view")
def document_download(request, pk: int):
    doc = get_object_or_404(selectors.documents_visible_to(request.member), pk=pk)
    try:
        f = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return _attachment(f, doc.original_name, doc.content_type)


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
    return _attachment(f, f"remittance-{claim.number}.pdf", "application/pdf")


# --- Staff: queues, history, ROI ----------------------------------------------------------


@member_required("mdf.review")
def review_requests(request):
    page = _page(request, selectors.request_queue())
    pairs = {(r.program_id, r.partner_id) for r in page.object_list}
    bal = {
        (b["program_id"], b["partner_id"]): b
        for b in selectors.balances(
            programs={p for p, _x in pairs}, partners={x for _p, x in pairs}
        )
    }
    rows = [
        {"req": r, "available": bal.get((r.program_id, r.partner_id), {}).get("available", 0)}
        for r in page.object_list
    ]
    return render(request, "mdf/review_requests.html", {"page": page, "rows": rows})


@member_required("mdf.review")
def review_claims(request):
    page = _page(request, selectors.claim_queue())
    claims = list(page.object_list)
    rules = selectors.rules_by_type({c.program_id for c in claims})
    today = timezone.localdate()
    rates: dict[tuple[str, str], Decimal | None] = {}
    rows = []
    for c in claims:
        pair = (c.currency, c.program.currency)
        if pair not in rates:
            rates[pair] = selectors.rate_for(*pair, today)
        checks = selectors.claim_checks(
            c,
            rule=rules.get((c.program_id, c.request.activity_type)),
            rate=rates[pair],
            rate_known=True,
        )
        rows.append({"claim": c, "checks": checks, "ok": all(ch.ok for ch in checks)})
    return render(request, "mdf/review_claims.html", {"page": page, "rows": rows})


@member_required("mdf.review")
def history(request):
    page = _page(request, selectors.decision_history())
    return render(request, "mdf/history.html", {"page": page})


@member_required("mdf.review")
def roi(request):
    form = ProgramFilterForm(request.GET or None)
    program = form.cleaned_data.get("program") if form.is_valid() else None
    program = program or Program.objects.order_by("-start_date").first()
    rows = selectors.roi(tenant=request.tenant, program=program) if program else []
    levels = {"program": [], "partner": [], "activity_type": [], "request": []}
    for r in rows:
        levels[r.level].append(r)
    return render(
        request,
        "mdf/roi.html",
        {"form": form, "program": program, "levels": levels, "has_rows": bool(rows)},
    )


# --- Admin: programs, allocations, exchange rates, ledger ---------------------------------


@member_required("mdf.admin")
def program_list(request):
    form = ProgramForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                tenant=request.tenant, by=request.member, **form.cleaned_data
            )
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Program created. Now choose the activity types it funds."))
            return redirect("mdf-program-detail", pk=program.pk)
    programs = list(Program.objects.all())
    totals = selectors.program_totals([p.pk for p in programs])
    rows = [{"program": p, "totals": totals.get(p.pk)} for p in programs]
    return render(request, "mdf/program_list.html", {"rows": rows, "form": form})


@member_required("mdf.admin")
def program_detail(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    settings_form = ProgramSettingsForm(
        initial={
            f: getattr(program, f)
            for f in (
                "name",
                "budget",
                "grace_days",
                "expiry_warning_days",
                "second_approval_threshold",
            )
        }
    )
    rule_form = RuleForm()
    if request.method == "POST":
        op = request.POST.get("op")
        form = None
        try:
            if op == "settings":
                form = settings_form = ProgramSettingsForm(request.POST)
                if form.is_valid():
                    services.program_update(program=program, by=request.member, **form.cleaned_data)
                    messages.success(request, _("Program saved."))
                    return redirect("mdf-program-detail", pk=pk)
            elif op == "rule":
                form = rule_form = RuleForm(request.POST)
                if form.is_valid():
                    services.rule_set(program=program, by=request.member, **form.cleaned_data)
                    messages.success(request, _("Activity type saved."))
                    return redirect("mdf-program-detail", pk=pk)
            elif op == "remove_rule":
                form = rule_form
                activity_type = request.POST.get("activity_type", "")
                if activity_type not in ActivityType.values:
                    raise Http404
                services.rule_remove(
                    program=program, by=request.member, activity_type=activity_type
                )
                messages.success(request, _("Activity type removed."))
                return redirect("mdf-program-detail", pk=pk)
            else:
                raise Http404
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
    return render(
        request,
        "mdf/program_detail.html",
        {
            "program": program,
            "settings_form": settings_form,
            "rule_form": rule_form,
            "rules": program.rules.all(),
            "balances": selectors.balances(program=program),
            "totals": selectors.program_totals([program.pk]).get(program.pk),
        },
    )


@member_required("mdf.admin")
def allocations(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    form = AllocationForm()
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "manual":
                form = AllocationForm(request.POST)
                if form.is_valid():
                    services.allocation_add(program=program, by=request.member, **form.cleaned_data)
                    messages.success(request, _("Allocation recorded."))
                    return redirect("mdf-allocations", pk=pk)
            elif op == "tier":
                result = services.program_allocate_by_tier(program=program, by=request.member)
                messages.success(
                    request,
                    _("Tier allocations: %(n)s partners, %(t)s %(c)s.")
                    % {"n": result["partners"], "t": result["total"], "c": program.currency},
                )
                return redirect("mdf-allocations", pk=pk)
            elif op == "accrue":
                log_action("mdf.allocation.accrual_queued", obj=program)
                dispatch(tasks.accrue_program, tenant=request.tenant, program_id=program.pk)
                messages.success(
                    request,
                    _("Accrual is running; new accruals appear here in a minute."),
                )
                return redirect("mdf-allocations", pk=pk)
            else:
                raise Http404
        except (DomainError, ValidationError) as exc:
            if op == "manual":
                _apply_error(form, exc)
            else:
                messages.error(request, getattr(exc, "message", str(exc)))
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
            "form": form,
            "page": _page(request, entries),
            "totals": selectors.program_totals([program.pk]).get(program.pk),
        },
    )


@member_required("mdf.admin")
def exchange_rates(request):
    form = ExchangeRateForm()
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "add":
                form = ExchangeRateForm(request.POST)
                if form.is_valid():
                    services.exchange_rate_set(
                        tenant=request.tenant, by=request.member, **form.cleaned_data
                    )
                    messages.success(request, _("Rate saved."))
                    return redirect("mdf-exchange-rates")
            else:
                raise Http404
        except (DomainError, ValidationError) as exc:
            _apply_error(form, exc)
    rates = ExchangeRate.objects.select_related("created_by__user")
    return render(
        request,
        "mdf/exchange_rates.html",
        {
            "form": form,
            "page": _page(request, rates, 100),
        },
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
        {"form": form, "page": _page(request, qs, 100), "query": query.urlencode()},
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
