"""Portal views for applications (public form, review queue), onboarding (partner checklist,
staff board) and agreements. Each validates a form, calls one service, renders."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onboarding import selectors, services
from onboarding.forms import (
    AgreementAcceptForm,
    AgreementPublishForm,
    ApplicationFilterForm,
    ApplicationForm,
    DocumentUploadForm,
    IdealProfileForm,
    OnboardingSettingsForm,
    RejectForm,
    WorkflowStepForm,
    WorkflowTemplateForm,
)
from onboarding.models import (
    Agreement,
    Application,
    IdealPartnerProfile,
    OnboardingSettings,
    WorkflowStatus,
    WorkflowStep,
    WorkflowStepTemplate,
    WorkflowTemplate,
)
from onboarding.states import APPLICATION, APPLICATION_TONE, STEP
from partners.models import Partner, PartnerStatus
from prm.confirm import confirm_first, confirmation_for, confirmation_page, confirmed
from prm.csv_export import csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.middleware import client_ip
from prm.portal import apply_error, file_attachment, require_action
from prm.roles import has_perm
from prm.search import search, search_term
from prm.spam import HoneypotForm, over_limit
from prm.states import ActionNotAllowed

log = logging.getLogger(__name__)

# The public form accepts this many submissions per client address and tenant per window.
APPLY_RATE_LIMIT = 5
APPLY_RATE_WINDOW = 600  # seconds


# --- Public application form --------------------------------------------------------------


def _rate_limited(request) -> bool:
    """Count this submission; True once the address has used up its window."""
    key = f"onboarding:apply:{request.tenant.pk}:{client_ip(request) or 'unknown'}"
    return over_limit(key, APPLY_RATE_LIMIT, APPLY_RATE_WINDOW)


def apply(request):
    tenant = request.tenant
    currency = tenant.default_currency
    form = ApplicationForm(
        currency=currency, initial={"referral_code": request.GET.get("ref", "")[:40]}
    )
    trap = HoneypotForm()
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, currency=currency)
        trap = HoneypotForm(request.POST)
        if _rate_limited(request):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Too many applications were sent from your network in a short time. "
                    "Please wait 10 minutes and send the form again."
                ),
            )
            status = 429
        elif trap.is_spam():
            # Look like success, so the bot learns nothing; keep nothing.
            log.info("application honeypot triggered from %s", client_ip(request))
            return redirect("apply-thanks")
        elif form.is_valid():
            data = {"specialties": [], **form.cleaned_data}
            try:
                services.application_submit(
                    tenant=tenant, language=translation.get_language() or "", **data
                )
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                return redirect("apply-thanks")
    return render(request, "onboarding/apply.html", {"form": form, "trap": trap}, status=status)


def apply_thanks(request):
    return render(request, "onboarding/apply_thanks.html", {})


# --- Staff: review queue ------------------------------------------------------------------


@member_required("applications.review")
def application_list(request):
    form = ApplicationFilterForm(request.GET or None)
    status = "open"
    if form.is_valid() and form.cleaned_data["status"]:
        status = form.cleaned_data["status"]
    q = search_term(request)
    found = search(
        selectors.application_queue(status=status),
        q,
        ("company_name", "contact_name", "contact_email", "website"),
    )
    if wants_csv(request):
        return csv_stream(
            request,
            "applications",
            [
                "company", "website", "country", "partner_type", "size_band",
                "expected_revenue", "currency", "contact_name", "contact_email", "status",
                "fit_score", "possible_duplicate", "submitted_at",
            ],
            found,
            lambda a: (
                a.company_name, a.website, a.country, a.partner_type, a.size_band,
                a.expected_revenue, a.currency, a.contact_name, a.contact_email, a.status,
                a.fit_score, a.is_possible_duplicate, a.submitted_at,
            ),
        )  # fmt: skip
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = dict(Application.objects.values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "onboarding/application_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "counts": counts, "q": q},
    )


_APPLICATION_DONE = {
    "review": _("You are reviewing this application."),
    "approve": _("Approved. The partner is onboarding and its contact was invited."),
    "reject": _("Rejected. The applicant was told why."),
    "reopen": _("The application is back in review."),
}


def _application_page(request, application: Application, *, reject_form=None):
    return render(
        request,
        "onboarding/application_detail.html",
        {
            "application": application,
            "specialties": selectors.application_specialty_names(application),
            "reject_form": reject_form or RejectForm(),
            "allowed": APPLICATION.allowed(application, request.member),
            "tone": APPLICATION_TONE.get(application.status, "warn"),
        },
    )


def _application(pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("reviewer__user", "decided_by__user", "partner"),
        pk=pk,
    )


@member_required("applications.review")
def application_detail(request, pk: int):
    return _application_page(request, _application(pk))


@require_http_methods(["GET", "POST"])
@member_required("applications.review")
def application_action(request, pk: int, action: str):
    """One URL per action of onboarding.states.APPLICATION (applications/<pk>/<action>/).
    Approve and reject e-mail the applicant: they ask first (prm/confirm.py: a GET is the
    confirmation page, whose form carries the reason); the others are POST only."""
    application = _application(pk)
    require_action(APPLICATION, application, request.member, action)
    reject_form = confirmation = None
    if action in ("approve", "reject"):
        confirmation = confirmation_for(f"application-{action}", application)
        if request.method != "POST" and action not in APPLICATION.allowed(
            application, request.member
        ):
            return redirect("application-detail", pk=pk)  # decided meanwhile
        form, page = confirmed(request, confirmation)
        if page is not None:
            return page
        reject_form = form if action == "reject" else None
    elif request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        if action == "review":
            services.application_start_review(application=application, by=request.member)
        elif action == "approve":
            services.application_approve(application=application, by=request.member)
        elif action == "reopen":
            services.application_reopen(application=application, by=request.member)
        else:
            services.application_reject(
                application=application, by=request.member, **reject_form.cleaned_data
            )
    except (DomainError, ValidationError) as exc:
        if reject_form is not None and not isinstance(exc, ActionNotAllowed):
            apply_error(reject_form, exc)
            return confirmation_page(request, confirmation, reject_form)
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    else:
        messages.success(request, _APPLICATION_DONE[action])
    return redirect("application-detail", pk=pk)


# --- Staff: onboarding board and one partner's onboarding --------------------------------


@member_required("onboarding.monitor")
def onboarding_board(request):
    now = timezone.now()
    rows = []
    for wf in selectors.onboarding_board(now=now)[:300]:
        rows.append(
            {
                "workflow": wf,
                "stuck_days": (now - wf.oldest_due).days if wf.oldest_due else None,
            }
        )
    without = (
        Partner.objects.filter(status=PartnerStatus.ONBOARDING, onboarding_workflows__isnull=True)
        .order_by("name")
        .only("pk", "name", "partner_type")[:100]
    )
    return render(
        request,
        "onboarding/board.html",
        {"rows": rows, "without": without, "ttv": selectors.time_to_value(), "now": now},
    )


def _partner_onboarding_page(request, partner: Partner):
    workflow = selectors.workflow_for(partner)
    steps = (
        list(workflow.steps.select_related("workflow", "completed_by__user")) if workflow else []
    )
    for step in steps:
        step.allowed = STEP.allowed(step, request.member)
    return render(
        request,
        "onboarding/partner_onboarding.html",
        {
            "partner": partner,
            "workflow": workflow,
            "steps": steps,
            "progress": _progress(steps),
            # Onboarding starts by hand for a partner in onboarding without a workflow.
            "can_start": workflow is None and partner.status == PartnerStatus.ONBOARDING,
            "acceptances": partner.agreement_acceptances.select_related("agreement"),
            "has_current_agreement": selectors.has_current_agreement(partner),
            "now": timezone.now(),
        },
    )


@member_required("onboarding.monitor")
def onboarding_partner(request, pk: int):
    partner = get_object_or_404(Partner.objects.select_related("owner__user"), pk=pk)
    return _partner_onboarding_page(request, partner)


@require_POST
@member_required("onboarding.monitor")
def onboarding_start(request, pk: int):
    """Start a partner's onboarding from the active template of its type."""
    partner = get_object_or_404(Partner, pk=pk)
    try:
        workflow = services.workflow_start(partner=partner, by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if workflow is None:
            messages.error(
                request, _("There is no active onboarding template for this partner type.")
            )
        else:
            messages.success(request, _("Onboarding started."))
    return redirect("onboarding-partner", pk=pk)


@require_POST
@member_required("onboarding.monitor")
def step_check_off(request, pk: int):
    """A channel manager ticks a step off (onboarding.states.STEP `check_off`)."""
    step = get_object_or_404(WorkflowStep.objects.select_related("workflow"), pk=pk)
    require_action(STEP, step, request.member, "check_off")
    try:
        services.step_check_off(step=step, by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Step checked off."))
    return redirect("onboarding-partner", pk=step.workflow.partner_id)


def _progress(steps: list[WorkflowStep]) -> dict:
    required = [s for s in steps if s.required]
    done = sum(1 for s in required if s.is_done)
    total = len(required)
    return {"done": done, "total": total, "pct": int(done * 100 / total) if total else 100}


@member_required("onboarding.view")
def document_download(request, pk: int):
    step = selectors.document_step_for(request.member, pk)
    if step is None:
        raise Http404
    return file_attachment(
        step.document, filename=step.document_name, content_type=step.document_content_type
    )


# --- Partner: checklist and agreement -----------------------------------------------------


def _my_onboarding_page(request, upload_form=None, upload_step=None, status=200):
    member = request.member
    partner = Partner.objects.select_related("owner__user").get(pk=member.partner_id)
    workflow = selectors.workflow_for(partner)
    steps = (
        list(workflow.steps.select_related("workflow", "completed_by__user")) if workflow else []
    )
    for s in steps:
        s.allowed = STEP.allowed(s, member)
        if "upload" in s.allowed:
            s.upload_form = (
                upload_form
                if upload_step is not None and upload_step.pk == s.pk
                else DocumentUploadForm(auto_id=f"id_step{s.pk}_%s")
            )
    return render(
        request,
        "onboarding/my_onboarding.html",
        {
            "partner": partner,
            "workflow": workflow,
            "steps": steps,
            "progress": _progress(steps),
            "completed": workflow is not None and workflow.status == WorkflowStatus.COMPLETED,
            "has_current_agreement": selectors.has_current_agreement(partner),
            "now": timezone.now(),
        },
        status=status,
    )


@member_required("onboarding.own")
def my_onboarding(request):
    return _my_onboarding_page(request)


@require_POST
@member_required("onboarding.own")
def my_step_upload(request, pk: int):
    """The partner uploads the document a step asks for (onboarding.states.STEP `upload`).
    A step of another partner is a 404."""
    member = request.member
    step = get_object_or_404(
        WorkflowStep.objects.select_related("workflow"),
        pk=pk,
        workflow__partner_id=member.partner_id,
    )
    require_action(STEP, step, member, "upload")
    try:
        STEP.check(step, member, "upload")  # a step that takes no document, or is done
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("my-onboarding")
    form = DocumentUploadForm(request.POST, request.FILES, auto_id=f"id_step{step.pk}_%s")
    if form.is_valid():
        try:
            services.step_upload_document(
                step=step, by=member, upload=form.cleaned_data["document"]
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Document uploaded. Thank you."))
            return redirect("my-onboarding")
    return _my_onboarding_page(request, upload_form=form, upload_step=step)


def _agreement_page(request, form=None):
    member = request.member
    partner = Partner.objects.get(pk=member.partner_id)
    current = selectors.current_agreement(partner.partner_type)
    acceptance = selectors.current_acceptance(partner) if current else None
    if form is None and current and not acceptance and member.role == "partner_admin":
        form = AgreementAcceptForm(
            initial={
                "agreement": current.pk,
                "text_sha256": current.text_sha256,
                "signer_name": member.user.full_name,
                "signer_title": member.title,
            }
        )
    return render(
        request,
        "onboarding/my_agreement.html",
        {
            "partner": partner,
            "agreement": current,
            "acceptance": acceptance,
            "form": form if current and not acceptance else None,
            "history": selectors.acceptances_visible_to(member)[:50],
        },
    )


@member_required("onboarding.own")
def my_agreement(request):
    return _agreement_page(request)


@require_POST
@member_required("agreements.accept")
def agreement_accept(request):
    form = AgreementAcceptForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        agreement = Agreement.objects.filter(pk=data["agreement"]).first()
        if agreement is None:
            form.add_error(None, _("This agreement no longer exists. Reload the page."))
        else:
            try:
                services.agreement_accept(
                    agreement=agreement,
                    by=request.member,
                    signer_name=data["signer_name"],
                    signer_title=data["signer_title"],
                    text_sha256=data["text_sha256"],
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Thank you. The signed agreement is below."))
                return redirect("my-agreement")
    return _agreement_page(request, form=form)


@member_required("agreements.view")
def acceptance_pdf(request, pk: int):
    acceptance = get_object_or_404(selectors.acceptances_visible_to(request.member), pk=pk)
    if not acceptance.pdf:
        raise Http404
    name = f"agreement-{acceptance.partner.name}-v{acceptance.agreement.version}.pdf"
    safe = "".join(c if c.isalnum() or c in "-." else "-" for c in name)
    return file_attachment(acceptance.pdf, filename=safe, content_type="application/pdf")


# --- Staff: agreements --------------------------------------------------------------------


@member_required("agreements.view_all")
def agreement_list(request):
    can_publish = has_perm(request.member.role, "onboarding.manage")
    form = AgreementPublishForm() if can_publish else None
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied
        form = AgreementPublishForm(request.POST)
        if form.is_valid():
            try:
                agreement = services.agreement_publish(by=request.member, **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Version %(v)d published. Partners of this type must accept it again.")
                    % {"v": agreement.version},
                )
                return redirect("agreement-detail", pk=agreement.pk)
    return render(
        request,
        "onboarding/agreement_list.html",
        {
            "overview": selectors.agreement_overview(),
            "versions": selectors.agreements_visible_to(request.member).order_by(
                "partner_type", "-version"
            )[:200],
            "form": form,
        },
    )


@member_required("agreements.view_all")
def agreement_detail(request, pk: int):
    agreement = get_object_or_404(selectors.agreements_visible_to(request.member), pk=pk)
    acceptances = agreement.acceptances.select_related("partner").order_by("-accepted_at")
    current = selectors.current_agreement(agreement.partner_type)
    pending = []
    if current and current.pk == agreement.pk:
        pending = (
            Partner.objects.filter(
                partner_type=agreement.partner_type,
                status__in=[
                    PartnerStatus.ONBOARDING,
                    PartnerStatus.ACTIVE,
                    PartnerStatus.SUSPENDED,
                ],
            )
            .exclude(agreement_acceptances__agreement=agreement)
            .order_by("name")[:200]
        )
    return render(
        request,
        "onboarding/agreement_detail.html",
        {
            "agreement": agreement,
            "acceptances": acceptances,
            "is_current": current is not None and current.pk == agreement.pk,
            "pending": pending,
        },
    )


# --- Admin: IPP, rules, workflow templates ------------------------------------------------


def _settings_page(request, *, ipp_form=None, rules_form=None, status=200):
    tenant = request.tenant
    return render(
        request,
        "onboarding/settings.html",
        {
            "ipp_form": ipp_form
            or IdealProfileForm(instance=IdealPartnerProfile.for_tenant(tenant), prefix="ipp"),
            "rules_form": rules_form
            or OnboardingSettingsForm(
                instance=OnboardingSettings.for_tenant(tenant), prefix="rules"
            ),
        },
        status=status,
    )


@member_required("onboarding.manage")
def onboarding_settings(request):
    return _settings_page(request)


@require_POST
@member_required("onboarding.manage")
def ideal_profile_save(request):
    form = IdealProfileForm(
        request.POST, instance=IdealPartnerProfile.for_tenant(request.tenant), prefix="ipp"
    )
    if form.is_valid():
        try:
            services.ideal_profile_update(by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Ideal partner profile saved."))
            return redirect("onboarding-settings")
    return _settings_page(request, ipp_form=form)


@require_POST
@member_required("onboarding.manage")
def onboarding_rules_save(request):
    form = OnboardingSettingsForm(
        request.POST, instance=OnboardingSettings.for_tenant(request.tenant), prefix="rules"
    )
    if form.is_valid():
        try:
            services.onboarding_settings_update(by=request.member, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Onboarding rules saved."))
            return redirect("onboarding-settings")
    return _settings_page(request, rules_form=form)


@member_required("onboarding.manage")
def workflow_list(request):
    form = WorkflowTemplateForm()
    if request.method == "POST":
        form = WorkflowTemplateForm(request.POST)
        if form.is_valid():
            try:
                template = services.workflow_template_save(by=request.member, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Template created. Now add its steps."))
                return redirect("workflow-edit", pk=template.pk)
    templates = WorkflowTemplate.objects.annotate(step_count=Count("steps")).order_by(
        "partner_type", "name"
    )
    return render(request, "onboarding/workflow_list.html", {"templates": templates, "form": form})


def _workflow_page(request, template: WorkflowTemplate, *, form=None, step_form=None, status=200):
    return render(
        request,
        "onboarding/workflow_edit.html",
        {
            "template": template,
            "steps": template.steps.all(),
            "form": form or WorkflowTemplateForm(instance=template, prefix="t"),
            "step_form": step_form or WorkflowStepForm(prefix="s"),
        },
        status=status,
    )


@member_required("onboarding.manage")
def workflow_edit(request, pk: int):
    return _workflow_page(request, get_object_or_404(WorkflowTemplate, pk=pk))


@require_POST
@member_required("onboarding.manage")
def workflow_save(request, pk: int):
    template = get_object_or_404(WorkflowTemplate, pk=pk)
    form = WorkflowTemplateForm(
        request.POST, instance=WorkflowTemplate.objects.get(pk=pk), prefix="t"
    )
    if form.is_valid():
        try:
            services.workflow_template_save(by=request.member, obj=template, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("workflow-edit", pk=pk)
    template.refresh_from_db()
    return _workflow_page(request, template, form=form)


@require_http_methods(["GET", "POST"])
@member_required("onboarding.manage")
@confirm_first("workflow-delete", lambda request, pk: get_object_or_404(WorkflowTemplate, pk=pk))
def workflow_delete(request, pk: int):
    template = get_object_or_404(WorkflowTemplate, pk=pk)
    services.workflow_template_delete(by=request.member, template=template)
    messages.success(request, _("Template deleted."))
    return redirect("workflow-list")


@require_POST
@member_required("onboarding.manage")
def workflow_step_add(request, pk: int):
    template = get_object_or_404(WorkflowTemplate, pk=pk)
    step_form = WorkflowStepForm(request.POST, prefix="s")
    if step_form.is_valid():
        try:
            services.workflow_step_add(
                by=request.member, template=template, **step_form.cleaned_data
            )
        except (DomainError, ValidationError) as exc:
            apply_error(step_form, exc)
        else:
            messages.success(request, _("Step added."))
            return redirect("workflow-edit", pk=pk)
    return _workflow_page(request, template, step_form=step_form)


@require_http_methods(["GET", "POST"])
@member_required("onboarding.manage")
@confirm_first(
    "workflow-step-remove",
    lambda request, pk: get_object_or_404(
        WorkflowStepTemplate.objects.select_related("template"), pk=pk
    ),
)
def workflow_step_remove(request, pk: int):
    step = get_object_or_404(WorkflowStepTemplate.objects.select_related("template"), pk=pk)
    services.workflow_step_remove(by=request.member, step=step)
    messages.success(request, _("Step removed."))
    return redirect("workflow-edit", pk=step.template_id)
