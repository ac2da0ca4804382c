"""Portal pages of incentives. Partners: their earnings with totals and projections, a line's
page with its computation, disputes. Staff: the approval queue (single and bulk approval),
disputes with their answer targets, programs and their versions, adjustments. Every action
has its own URL (POST); pages are GET."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dealreg.models import ACTIVE_STATUSES, Deal
from incentives import selectors, services, tasks
from incentives.forms import (
    RULES_FORMS,
    AdjustmentForm,
    AnswerForm,
    ProgramForm,
    ProgramSettingsForm,
    PublishForm,
    QueueFilterForm,
    ReasonForm,
    StatusFilterForm,
)
from incentives.models import EarningStatus, IncentiveProgram, ProgramVersion, VersionStatus
from incentives.states import DISPUTE, EARNING, VERSION
from prm import errors
from prm.decorators import member_required
from prm.portal import apply_error, posted_id, require_action
from prm.portal import page as paginate
from prm.roles import PARTNER_ROLES, has_perm
from prm.states import ActionNotAllowed
from prm.tasks import dispatch

PROJECTED_DEALS = 10  # open registrations projected on the earnings page


def _run(request, form, run, done: str, back: str, page):
    """Validate `form`, call the service; errors show on `page(form)`, success goes back."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ActionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect(back)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return page(form)


def _projection_rows(deals) -> list[dict]:
    rows = []
    for deal in deals:
        lines = services.projection(deal)
        own = [e for e in lines if e.partner_id == deal.partner_id]
        if own:
            totals: dict[str, object] = {}
            for e in own:
                totals[e.currency] = totals.get(e.currency, 0) + e.amount
            rows.append({"deal": deal, "lines": own, "totals": sorted(totals.items())})
    return rows


# --- Partners -----------------------------------------------------------------------------


@member_required("incentives.earn")
def earnings(request):
    member = request.member
    form = StatusFilterForm(request.GET or None)
    qs = selectors.earnings_visible_to(member)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("-earned_on", "-id"))
    open_deals = (
        Deal.objects.filter(partner_id=member.partner_id, status__in=ACTIVE_STATUSES)
        .exclude(amount=None)
        .order_by("-created_at")[:PROJECTED_DEALS]
    )
    return render(
        request,
        "incentives/earnings.html",
        {
            "form": form,
            "page": page,
            "balances": selectors.balances(partner_id=member.partner_id),
            "projections": _projection_rows(open_deals),
        },
    )


def deal_projection_panel(request, deal) -> dict | None:
    """The deal page's panel (prm.panels, registered in ready()): the template's context."""
    ctx = deal_projection_context(deal, request.member)
    return None if ctx is None else {"section": ctx}


def deal_projection_context(deal, member) -> dict | None:
    """For the partner's people on the deal page: what an open registration would earn if
    it closed, or what a won one earned (None: nothing to show)."""
    if member.role not in PARTNER_ROLES or member.partner_id != deal.partner_id:
        return None
    if not has_perm(member.role, "incentives.earn"):
        return None
    if deal.status in ACTIVE_STATUSES:
        rows = _projection_rows([deal])
        return {"projection": rows[0] if rows else None, "earned": []}
    earned = list(selectors.earnings_of_deal(deal.pk, member))
    if not earned:
        return None
    return {"projection": None, "earned": earned}


@member_required("incentives.view")
def earning_detail(request, pk: int):
    member = request.member
    earning = get_object_or_404(selectors.earnings_visible_to(member), pk=pk)
    return _detail_page(request, earning)


def _detail_page(request, earning, *, dispute_form=None, answer_form=None, status=200):
    member = request.member
    disputes = list(selectors.disputes_visible_to(member).filter(earning=earning))
    open_dispute = next((d for d in disputes if d.status == "open"), None)
    return render(
        request,
        "incentives/earning_detail.html",
        {
            "earning": earning,
            "allowed": EARNING.allowed(earning, member),
            "entries": earning.entries.order_by("created_at", "id"),
            "disputes": disputes,
            "open_dispute": open_dispute,
            "answer_allowed": DISPUTE.allowed(open_dispute, member) if open_dispute else (),
            "dispute_form": dispute_form or ReasonForm(),
            "answer_form": answer_form or AnswerForm(),
            "steps": (earning.computation or {}).get("steps", []),
        },
        status=status,
    )


@require_POST
@member_required("incentives.earn")
def earning_dispute(request, pk: int):
    earning = get_object_or_404(selectors.earnings_visible_to(request.member), pk=pk)
    require_action(EARNING, earning, request.member, "dispute")
    back = reverse("incentives-earning-detail", args=[pk])
    return _run(
        request,
        ReasonForm(request.POST),
        lambda d: services.dispute_open(earning=earning, by=request.member, reason=d["reason"]),
        _("Your dispute was sent. Staff answer it within %(n)s days.")
        % {"n": earning.program.dispute_sla_days},
        back,
        lambda f: _detail_page(request, earning, dispute_form=f, status=400),
    )


# --- Staff --------------------------------------------------------------------------------


@member_required("incentives.review")
def queue(request):
    form = QueueFilterForm(request.GET or None)
    status = (form.cleaned_data.get("status") if form.is_valid() else "") or EarningStatus.PENDING
    page = paginate(request, selectors.staff_queue(status=status).order_by("earned_on", "id"))
    return render(
        request,
        "incentives/queue.html",
        {
            "form": form,
            "status": status,
            "page": page,
            "balances": selectors.balances(),
            "open_disputes": selectors.dispute_queue().count(),
        },
    )


@require_POST
@member_required("incentives.review")
def earning_approve(request, pk: int):
    earning = get_object_or_404(selectors.earnings_visible_to(request.member), pk=pk)
    require_action(EARNING, earning, request.member, "approve")
    back = reverse("incentives-earning-detail", args=[pk])
    try:
        services.earning_approve(earning=earning, by=request.member)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s approved.") % {"n": earning.number})
    return redirect(back)


@require_POST
@member_required("incentives.review")
def earnings_approve(request):
    ids = [posted_id(v) for v in request.POST.getlist("ids")]
    back = reverse("incentives-queue")
    try:
        result = services.earnings_approve(ids=[i for i in ids if i], by=request.member)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    n, skipped = len(result["approved"]), len(result["skipped"])
    messages.success(
        request, ngettext("%(n)s line approved.", "%(n)s lines approved.", n) % {"n": n}
    )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)s line was skipped (no longer pending, or no exchange rate).",
                "%(n)s lines were skipped (no longer pending, or no exchange rate).",
                skipped,
            )
            % {"n": skipped},
        )
    return redirect(back)


@member_required("incentives.review")
def disputes(request):
    page = paginate(request, selectors.dispute_queue())
    return render(request, "incentives/disputes.html", {"page": page, "now": timezone.now()})


@require_POST
@member_required("incentives.review")
def dispute_answer(request, pk: int):
    dispute = get_object_or_404(selectors.disputes_visible_to(request.member), pk=pk)
    require_action(DISPUTE, dispute, request.member, "answer")
    earning = get_object_or_404(
        selectors.earnings_visible_to(request.member), pk=dispute.earning_id
    )
    back = reverse("incentives-earning-detail", args=[earning.pk])
    return _run(
        request,
        AnswerForm(request.POST),
        lambda d: services.dispute_answer(dispute=dispute, by=request.member, answer=d["reason"]),
        _("Your answer was sent to the partner."),
        back,
        lambda f: _detail_page(request, earning, answer_form=f, status=400),
    )


# --- Admins: programs, versions, adjustments ------------------------------------------------


@member_required("incentives.admin")
def programs(request):
    return _programs_page(request, ProgramForm(tenant=request.tenant))


def _programs_page(request, form, status=200):
    items = list(selectors.programs())
    current = selectors.current_versions(p.pk for p in items)
    rows = [{"program": p, "current": current.get(p.pk)} for p in items]
    return render(request, "incentives/programs.html", {"rows": rows, "form": form}, status=status)


@require_POST
@member_required("incentives.admin")
def program_new(request):
    form = ProgramForm(request.POST, tenant=request.tenant)
    created = {}

    def run(d):
        created["p"] = services.program_create(tenant=request.tenant, by=request.member, **d)

    if form.is_valid():
        try:
            run(form.cleaned_data)
        except errors.DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Program created. Set its rules, then publish them."))
            return redirect("incentives-program-detail", created["p"].pk)
    return _programs_page(request, form, status=400)


def _program_page(request, program, *, settings_form=None, rules_form=None, status=200):
    versions = list(program.versions.select_related("published_by__user", "created_by__user"))
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    form_class = RULES_FORMS[program.kind]
    if rules_form is None:
        source = draft or next((v for v in versions if v.status == "published"), None)
        initial = form_class.initial_from(source.rules) if source and source.rules else {}
        initial["notes"] = source.notes if source else ""
        rules_form = form_class(initial=initial)
    settings_form = settings_form or ProgramSettingsForm(
        initial={
            "name": program.name,
            "currency": program.currency,
            "clawback_days": program.clawback_days,
            "dispute_sla_days": program.dispute_sla_days,
            "is_active": program.is_active,
        }
    )
    current = selectors.current_versions([program.pk]).get(program.pk)
    return render(
        request,
        "incentives/program_detail.html",
        {
            "program": program,
            "versions": versions,
            "draft": draft,
            "draft_allowed": VERSION.allowed(draft, request.member) if draft else (),
            "current": current,
            "rules_form": rules_form,
            "settings_form": settings_form,
            "publish_form": PublishForm(),
        },
        status=status,
    )


@member_required("incentives.admin")
def program_detail(request, pk: int):
    program = get_object_or_404(IncentiveProgram.objects.all(), pk=pk)
    return _program_page(request, program)


@require_POST
@member_required("incentives.admin")
def program_edit(request, pk: int):
    program = get_object_or_404(IncentiveProgram.objects.all(), pk=pk)
    back = reverse("incentives-program-detail", args=[pk])
    return _run(
        request,
        ProgramSettingsForm(request.POST),
        lambda d: services.program_update(program=program, by=request.member, **d),
        _("Program settings saved."),
        back,
        lambda f: _program_page(request, program, settings_form=f, status=400),
    )


@require_POST
@member_required("incentives.admin")
def version_save(request, pk: int):
    program = get_object_or_404(IncentiveProgram.objects.all(), pk=pk)
    form = RULES_FORMS[program.kind](request.POST)
    back = reverse("incentives-program-detail", args=[pk])
    return _run(
        request,
        form,
        lambda d: services.version_draft_save(
            program=program, by=request.member, rules=form.rules(), notes=d.get("notes", "")
        ),
        _("Draft saved. Publish it when it is ready."),
        back,
        lambda f: _program_page(request, program, rules_form=f, status=400),
    )


@require_POST
@member_required("incentives.admin")
def version_publish(request, pk: int):
    version = get_object_or_404(ProgramVersion.objects.select_related("program"), pk=pk)
    require_action(VERSION, version, request.member, "publish")
    back = reverse("incentives-program-detail", args=[version.program_id])
    return _run(
        request,
        PublishForm(request.POST),
        lambda d: services.version_publish(
            version=version, by=request.member, effective_from=d.get("effective_from")
        ),
        _("Version %(v)s published.") % {"v": version.version},
        back,
        lambda f: _program_page(request, version.program, status=400) if f else None,
    )


@member_required("incentives.admin")
def adjustment_new(request):
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST":
        return _run(
            request,
            form,
            lambda d: services.earning_adjust(by=request.member, **d),
            _("Adjustment recorded; it waits for approval."),
            reverse("incentives-queue"),
            lambda f: render(request, "incentives/adjustment.html", {"form": f}, status=400),
        )
    return render(request, "incentives/adjustment.html", {"form": form})


# --- incent2: set-based recomputation of a commission program ---


@require_POST
@member_required("incentives.admin")
def program_recompute(request, pk: int):
    """Queue the set-based recomputation of a commission program (the worker writes the
    missing lines and audits the run)."""
    program = get_object_or_404(IncentiveProgram.objects.all(), pk=pk)
    back = reverse("incentives-program-detail", args=[pk])
    try:
        services.program_recompute_check(program)
    except errors.DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    dispatch(tasks.recompute_program, tenant=request.tenant, program_id=program.pk,
             member_id=request.member.pk)  # fmt: skip
    messages.success(
        request, _("Recomputing on the worker: missing lines appear in the queue shortly.")
    )
    return redirect(back)
