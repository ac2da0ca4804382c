"""Writes for applications, onboarding workflows and agreements.

Every function is keyword-only (except `step_complete_for_event`, whose published signature
deal registration still calls, and the `on_*` event subscribers, which take one
`prm.events.Event`), runs inside the caller's tenant context, validates before writing, locks
the row it moves, audits, and sends e-mail only after the transaction commits. Multi-step
writes run in their own savepoint, so a refusal half-way leaves nothing behind even when the
caller (a view) catches the error and carries on.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from decimal import Decimal

import markdown
import nh3
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from onboarding import rules, selectors
from onboarding.models import (
    STAFF_COMPLETABLE,
    Agreement,
    AgreementAcceptance,
    Application,
    ApplicationSpecialty,
    ApplicationStatus,
    IdealPartnerProfile,
    IdealProfileSpecialty,
    OnboardingSettings,
    StepKind,
    Workflow,
    WorkflowStatus,
    WorkflowStep,
    WorkflowStepTemplate,
    WorkflowTemplate,
)
from onboarding.states import APPLICATION
from partners import services as partner_services
from partners.domains import normalise_company_name, registrable_domain
from partners.models import (
    Partner,
    PartnerSpecialty,
    PartnerStatus,
    PartnerType,
    Region,
    SizeBand,
    Specialty,
)
from prm import events
from prm.audit import current_context, diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied
from prm.i18n import lazy_format, recipient_language
from prm.models import Member
from prm.roles import PARTNER_ROLES, Role, require
from prm.services import member_invite
from prm.urls_util import tenant_url

log = logging.getLogger(__name__)

# Partner fields that make a profile complete (the complete_profile step).
PROFILE_FIELDS = ("legal_name", "website", "country", "region", "size_band")


def _mail_after_commit(
    *,
    tenant,
    subject: str,
    template: str,
    context: dict,
    to: list[str],
    language: str = "",
    attachments: Callable[[], list[tuple[str, bytes, str]]] | None = None,
) -> None:
    """Render now (inside the tenant transaction), send once it commits, in each recipient's
    language (`language`: the one an applicant used, for people without an account).
    `attachments` is called after the commit, so costly renders are skipped for rolled-back
    work; it must not read the database (the tenant is no longer set).

    MANDATORY mails only (no preferences, no unsubscribe link): they go to applicants, who
    are not members, or carry a new partner's welcome pack. Optional mails to members go
    through prm.notifications.notify (see _notify_members)."""
    from prm.notifications import send_mandatory

    send_mandatory(
        tenant=tenant,
        to=to,
        subject=subject,
        template=template,
        context=context,
        language=language or None,
        attachments=attachments,
    )


def _notify_members(*, subject: str, template: str, context: dict, to, kind: str) -> None:
    """Optional mails to members: through their preferences for the onboarding group."""
    from prm import notifications

    notifications.notify(
        notifications.members_with_emails(to),
        group="onboarding",
        subject=subject,
        template=template,
        context=context,
        path=context.get("url", ""),
        kind=kind,
    )


# --- Settings and the ideal partner profile -----------------------------------------------

SETTINGS_FIELDS = [
    "auto_reject_below",
    "auto_approve_above",
    "auto_reject_reason",
    "reminder_days_before",
    "block_deals_without_current_agreement",
]
IPP_FIELDS = [
    "countries",
    "regions",
    "partner_types",
    "size_bands",
    "revenue_min",
    "revenue_max",
    "weight_geography",
    "weight_type",
    "weight_specialties",
    "weight_size",
    "weight_revenue",
]


@transaction.atomic
def onboarding_settings_update(*, by: Member, **changes) -> OnboardingSettings:
    require(by, "onboarding.manage")
    current = OnboardingSettings.for_tenant(by.tenant)
    obj = OnboardingSettings.objects.select_for_update().get(pk=current.pk)
    before = snapshot(obj, SETTINGS_FIELDS)
    for field, value in changes.items():
        if field not in SETTINGS_FIELDS:
            raise DomainError(f"Unknown setting {field}", field=field)
        setattr(obj, field, value)
    if (
        obj.auto_reject_below is not None
        and obj.auto_approve_above is not None
        and obj.auto_reject_below >= obj.auto_approve_above
    ):
        raise DomainError(
            _("The automatic approval score must be higher than the rejection score."),
            field="auto_approve_above",
        )
    obj.full_clean(exclude=["tenant"], validate_unique=False)
    b, a = diff(before, snapshot(obj, SETTINGS_FIELDS))
    if a:
        obj.save(update_fields=list(a))
        log_action("onboarding.settings_updated", obj=obj, before=b, after=a)
    return obj


def _clean_choices(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    allowed = set(allowed)
    values = sorted({str(v).strip() for v in values or [] if str(v).strip()})
    bad = [v for v in values if v not in allowed]
    if bad:
        raise DomainError(_("Unknown value: %(v)s.") % {"v": ", ".join(bad)}, field=field)
    return values


@transaction.atomic
def ideal_profile_update(
    *, by: Member, specialties: Iterable[Specialty] | None = None, **changes
) -> IdealPartnerProfile:
    """Set the IPP criteria and weights (admins)."""
    require(by, "onboarding.manage")
    current = IdealPartnerProfile.for_tenant(by.tenant)
    ipp = IdealPartnerProfile.objects.select_for_update().get(pk=current.pk)
    before = snapshot(ipp, IPP_FIELDS)
    for field, value in changes.items():
        if field not in IPP_FIELDS:
            raise DomainError(f"Unknown criterion {field}", field=field)
        setattr(ipp, field, value)
    ipp.countries = [
        c.upper()
        for c in _clean_choices(
            [c.upper() for c in ipp.countries], rules.COUNTRY_REGION, "countries"
        )
    ]
    ipp.regions = _clean_choices(ipp.regions, Region.values, "regions")
    ipp.partner_types = _clean_choices(ipp.partner_types, PartnerType.values, "partner_types")
    ipp.size_bands = _clean_choices(ipp.size_bands, SizeBand.values, "size_bands")
    if (
        ipp.revenue_min is not None
        and ipp.revenue_max is not None
        and ipp.revenue_min > ipp.revenue_max
    ):
        raise DomainError(_("The minimum is above the maximum."), field="revenue_max")
    ipp.full_clean(exclude=["tenant"], validate_unique=False)
    b, a = diff(before, snapshot(ipp, IPP_FIELDS))
    if a:
        ipp.updated_at = timezone.now()
        ipp.save(update_fields=[*a, "updated_at"])
    if specialties is not None:
        wanted = {s.pk for s in specialties}
        links = IdealProfileSpecialty.objects.filter(profile=ipp)
        current_ids = set(links.values_list("specialty_id", flat=True))
        if wanted != current_ids:
            links.exclude(specialty_id__in=wanted).delete()
            IdealProfileSpecialty.objects.bulk_create(
                [
                    IdealProfileSpecialty(tenant_id=ipp.tenant_id, profile=ipp, specialty_id=pk)
                    for pk in wanted - current_ids
                ]
            )
            b["specialties"], a["specialties"] = sorted(current_ids), sorted(wanted)
    if a:
        log_action("onboarding.ideal_profile_updated", obj=ipp, before=b, after=a)
    return ipp


# --- Applications -------------------------------------------------------------------------


def application_submit(
    *,
    tenant,
    company_name: str,
    website: str,
    country: str,
    partner_type: str,
    specialties: Iterable[Specialty],
    size_band: str,
    expected_revenue: Decimal,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    language: str = "",
) -> Application:
    """Record an application from the public form: score it against the IPP, flag possible
    duplicates, then apply the tenant's automatic rules (audited as automatic). `language`
    is the portal language the applicant used; their e-mails are written in it."""
    country = (country or "").strip().upper()
    if not rules.is_country_code(country):
        raise DomainError(_("Enter a two-letter ISO country code, e.g. DE."), field="country")
    if expected_revenue is None or expected_revenue < 0:
        raise DomainError(_("Enter an amount of 0 or more."), field="expected_revenue")
    specialties = list(specialties)
    website_domain = registrable_domain(website)
    email_domain = registrable_domain(contact_email)
    name_key = normalise_company_name(company_name)
    matches = selectors.duplicate_matches(
        domains=[website_domain, email_domain], name_key=name_key, company_name=company_name
    )
    fit = rules.fit_score(
        selectors.ideal_profile(tenant),
        rules.Candidate(
            country=country,
            partner_type=partner_type,
            specialties=frozenset(s.name for s in specialties),
            size_band=size_band,
            expected_revenue=expected_revenue,
        ),
    )
    ctx = current_context()
    application = Application(
        tenant=tenant,
        company_name=company_name.strip(),
        name_key=name_key[:200],
        website=website.strip(),
        country=country,
        partner_type=partner_type,
        size_band=size_band,
        expected_revenue=expected_revenue,
        currency=tenant.default_currency,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
        language=language if language in dict(settings.LANGUAGES) else "",
        website_domain=website_domain,
        email_domain=email_domain,
        fit_score=fit.score,
        fit_reasons=fit.reasons,
        duplicate_matches=matches,
        is_possible_duplicate=bool(matches),
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300],
    )
    application.full_clean(exclude=["tenant"])
    with transaction.atomic():
        application.save()
        ApplicationSpecialty.objects.bulk_create(
            [
                ApplicationSpecialty(tenant=tenant, application=application, specialty=s)
                for s in specialties
            ]
        )
        log_action(
            "application.submitted",
            obj=application,
            after={
                "company": application.company_name,
                "partner_type": partner_type,
                "fit_score": fit.score,
                "possible_duplicate": bool(matches),
                "contact_email": application.contact_email,
                "language": application.language,
            },
        )
        events.emit("application.received", application)
    onb = OnboardingSettings.for_tenant(tenant)
    decision = rules.automatic_decision(
        fit=fit,
        possible_duplicate=bool(matches),
        reject_below=onb.auto_reject_below,
        approve_at_or_above=onb.auto_approve_above,
    )
    if decision == "reject":
        return application_reject(
            application=application,
            by=None,
            reason=onb.auto_reject_reason or _("Not a fit for the program at this time."),
        )
    if decision == "approve":
        try:
            return application_approve(application=application, by=None)
        except DomainError as exc:
            # Left for a person to decide, with the reason on record.
            log_action(
                "application.auto_approve_failed", obj=application, after={"error": exc.message}
            )
    _mail_after_commit(
        tenant=tenant,
        subject=lazy_format(
            gettext_lazy("We received your application to %(t)s's partner program"),
            t=tenant.name,
        ),
        template="onboarding/emails/application_received.txt",
        context={"application": application},
        to=[application.contact_email],
        language=application.language,
    )
    return application


def _move(application: Application, *, by: Member | None, name: str) -> tuple[Application, str]:
    """Lock the application and check action `name` against onboarding.states.APPLICATION
    (the member's role and the application's current status)."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    APPLICATION.check(app, by, name)
    return app, app.status


def application_start_review(*, application: Application, by: Member) -> Application:
    """A reviewer takes the application (submitted -> in review)."""
    app, old = _move(application, by=by, name="review")
    app.status, app.reviewer = ApplicationStatus.IN_REVIEW, by
    app.save(update_fields=["status", "reviewer"])
    log_action(
        "application.review_started",
        obj=app,
        before={"status": old},
        after={"status": app.status, "reviewer": by.pk},
    )
    return app


def application_reopen(*, application: Application, by: Member) -> Application:
    """Take a rejected application back into review (e.g. an automatic rejection)."""
    app, old = _move(application, by=by, name="reopen")
    app.status, app.reviewer = ApplicationStatus.IN_REVIEW, by
    app.decided_at, app.decided_by, app.decided_automatically = None, None, False
    app.save(
        update_fields=["status", "reviewer", "decided_at", "decided_by", "decided_automatically"]
    )
    log_action(
        "application.reopened", obj=app, before={"status": old}, after={"status": app.status}
    )
    return app


def application_reject(*, application: Application, by: Member | None, reason: str) -> Application:
    """Reject with a reason, which is e-mailed to the contact. `by=None`: automatic."""
    require(by, "applications.review")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason; it is sent to the applicant."), field="reason")
    app, old = _move(application, by=by, name="reject")
    app.status = ApplicationStatus.REJECTED
    app.decided_at, app.decided_by = timezone.now(), by
    app.decided_automatically = by is None
    app.decision_reason = reason[:1000]
    app.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decided_automatically",
            "decision_reason",
        ]
    )
    log_action(
        "application.rejected",
        obj=app,
        before={"status": old},
        after={"status": app.status, "reason": app.decision_reason, "automatic": by is None},
    )
    _mail_after_commit(
        tenant=app.tenant,
        subject=lazy_format(
            gettext_lazy("Your application to %(t)s's partner program"), t=app.tenant.name
        ),
        template="onboarding/emails/application_rejected.txt",
        context={"application": app},
        to=[app.contact_email],
        language=app.language,
    )
    return app


def application_approve(*, application: Application, by: Member | None) -> Application:
    """Approve: create the partner (applicant -> onboarding), set its domains and specialties,
    invite the contact as its partner admin and start the onboarding workflow. `by=None`:
    automatic. All or nothing: a refusal (name or domain taken, contact already a member)
    leaves no partner behind."""
    require(by, "applications.review")
    with transaction.atomic():
        app, old = _move(application, by=by, name="approve")
        specialties = list(
            Specialty.objects.filter(applicationspecialty__application=app).distinct()
        )
        partner = partner_services.partner_create(
            tenant=app.tenant,
            by=by,
            name=app.company_name,
            partner_type=app.partner_type,
            status=PartnerStatus.APPLICANT,
            website=app.website,
            country=app.country,
            region=rules.region_of(app.country),
            size_band=app.size_band,
            owner=by if by is not None and by.role == Role.CHANNEL_MANAGER else None,
            domains=rules.company_domains([app.email_domain]),
        )
        # Linked at once, so a welcome sent during this approval finds the contact.
        app.partner = partner
        app.save(update_fields=["partner"])
        if specialties:
            PartnerSpecialty.objects.bulk_create(
                [
                    PartnerSpecialty(tenant_id=partner.tenant_id, partner=partner, specialty=s)
                    for s in specialties
                ]
            )
            log_action(
                "partner.specialties_changed",
                obj=partner,
                before={"specialties": []},
                after={"specialties": sorted(s.pk for s in specialties)},
            )
        partner_services.partner_transition(
            partner=partner,
            by=by,
            to=PartnerStatus.ONBOARDING,
            reason=_("Application approved"),
        )
        member_invite(
            tenant=app.tenant,
            by=None,
            email=app.contact_email,
            role=Role.PARTNER_ADMIN,
            partner=partner,
            language=app.language,
        )
        workflow_start(partner=partner)
        app.status, app.partner = ApplicationStatus.APPROVED, partner
        app.decided_at, app.decided_by = timezone.now(), by
        app.decided_automatically = by is None
        app.save(
            update_fields=["status", "partner", "decided_at", "decided_by", "decided_automatically"]
        )
        log_action(
            "application.approved",
            obj=app,
            before={"status": old},
            after={"status": app.status, "partner": partner.pk, "automatic": by is None},
        )
    return app


# --- Workflow templates (admins) ----------------------------------------------------------

STEP_FIELDS = ["order", "kind", "title", "description", "ref", "due_days", "required"]


def _step_template(template: WorkflowTemplate, data: dict) -> WorkflowStepTemplate:
    unknown = set(data) - set(STEP_FIELDS)
    if unknown:
        raise DomainError(f"Unknown step field {sorted(unknown)[0]}", field="steps")
    step = WorkflowStepTemplate(tenant_id=template.tenant_id, template=template, **data)
    if step.kind not in StepKind.values:
        raise DomainError(_("Unknown step kind."), field="kind")
    if not (step.title or "").strip():
        step.title = StepKind(step.kind).label
    step.full_clean(exclude=["tenant", "template"])
    return step


def workflow_template_save(
    *,
    by: Member,
    obj: WorkflowTemplate | None = None,
    name: str,
    partner_type: str,
    is_active: bool = True,
    steps: list[dict] | None = None,
) -> WorkflowTemplate:
    """Create or change a template. `steps`, when given, replaces its steps (running
    workflows keep the copies they started with)."""
    require(by, "onboarding.manage")
    creating = obj is None
    template = obj or WorkflowTemplate(tenant=by.tenant)
    fields = ["name", "partner_type", "is_active"]
    before = {} if creating else snapshot(template, fields)
    template.name, template.partner_type, template.is_active = (
        (name or "").strip(),
        partner_type,
        is_active,
    )
    if partner_type not in PartnerType.values:
        raise DomainError(_("Unknown partner type."), field="partner_type")
    template.full_clean(exclude=["tenant"], validate_unique=False)
    try:
        with transaction.atomic():
            template.save()
            if steps is not None:
                new_steps = [
                    _step_template(template, {"order": i, **s}) for i, s in enumerate(steps)
                ]
                WorkflowStepTemplate.objects.filter(template=template).delete()
                WorkflowStepTemplate.objects.bulk_create(new_steps)
    except IntegrityError:
        raise DomainError(
            _("Another template has this name, or is already active for this partner type."),
            field="name",
        )
    after = snapshot(template, fields)
    if steps is not None:
        after["steps"] = [
            {"kind": s.get("kind"), "title": s.get("title", ""), "required": s.get("required")}
            for s in steps
        ]
    b, a = diff(before, after) if before else ({}, after)
    if a:
        log_action(
            "workflow_template.created" if creating else "workflow_template.updated",
            obj=template,
            before=b or None,
            after=a,
        )
    return template


def workflow_template_delete(*, by: Member, template: WorkflowTemplate) -> None:
    require(by, "onboarding.manage")
    log_action(
        "workflow_template.deleted",
        obj=template,
        before={"name": template.name, "partner_type": template.partner_type},
    )
    template.delete()


def workflow_step_add(*, by: Member, template: WorkflowTemplate, **fields) -> WorkflowStepTemplate:
    require(by, "onboarding.manage")
    if fields.get("order") is None:
        last = template.steps.aggregate(m=Max("order"))["m"]
        fields["order"] = 0 if last is None else last + 1
    step = _step_template(template, fields)
    step.save()
    log_action(
        "workflow_template.step_added",
        obj=template,
        after={k: getattr(step, k) for k in STEP_FIELDS},
    )
    return step


def workflow_step_remove(*, by: Member, step: WorkflowStepTemplate) -> None:
    require(by, "onboarding.manage")
    log_action(
        "workflow_template.step_removed",
        obj=step.template,
        before={"kind": step.kind, "title": step.title},
    )
    step.delete()


# --- Running workflows --------------------------------------------------------------------


def profile_is_complete(partner: Partner) -> bool:
    return all(getattr(partner, f) for f in PROFILE_FIELDS)


def workflow_start(*, partner: Partner, by: Member | None = None) -> Workflow | None:
    """Start the partner's onboarding from the active template of its type (idempotent:
    a partner has one workflow). Steps whose event already happened complete at once.
    Returns None when the tenant has no template for the partner's type."""
    existing = Workflow.objects.filter(partner=partner).first()
    if existing is not None:
        return existing
    template = WorkflowTemplate.objects.filter(
        partner_type=partner.partner_type, is_active=True
    ).first()
    if template is None:
        return None
    step_templates = list(template.steps.all())
    now = timezone.now()
    workflow = Workflow.objects.create(
        tenant_id=partner.tenant_id,
        partner=partner,
        template=template,
        name=template.name,
        started_at=now,
    )
    WorkflowStep.objects.bulk_create(
        [
            WorkflowStep(
                tenant_id=partner.tenant_id,
                workflow=workflow,
                order=t.order,
                kind=t.kind,
                title=t.title,
                description=t.description,
                ref=t.ref,
                required=t.required,
                due_at=now + datetime.timedelta(days=t.due_days),
            )
            for t in step_templates
        ]
    )
    log_action(
        "onboarding.workflow_started",
        obj=workflow,
        after={"partner": partner.pk, "template": template.pk, "steps": len(step_templates)},
    )
    workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
    partner = Partner.objects.get(pk=partner.pk)
    already = []
    if selectors.current_acceptance(partner) is not None:
        already.append(StepKind.ACCEPT_AGREEMENT)
    if profile_is_complete(partner):
        already.append(StepKind.COMPLETE_PROFILE)
    if partner.first_deal_at is not None:
        already.append(StepKind.REGISTER_FIRST_DEAL)
    steps = list(workflow.steps.filter(kind__in=already, completed_at__isnull=True))
    _complete(steps, by=None, via="event")
    _check_completion(workflow)
    return workflow


def workflow_cancel(*, partner: Partner) -> None:
    """Stop a running onboarding (the partner was offboarded)."""
    workflow = (
        Workflow.objects.select_for_update()
        .filter(partner=partner, status=WorkflowStatus.RUNNING)
        .first()
    )
    if workflow is None:
        return
    workflow.status = WorkflowStatus.CANCELLED
    workflow.save(update_fields=["status"])
    log_action(
        "onboarding.workflow_cancelled",
        obj=workflow,
        before={"status": WorkflowStatus.RUNNING},
        after={"status": WorkflowStatus.CANCELLED},
    )


def _complete(steps: list[WorkflowStep], *, by: Member | None, via: str, **detail) -> None:
    now = timezone.now()
    for step in steps:
        step.completed_at, step.completed_by, step.completed_via = now, by, via
        step.save(update_fields=["completed_at", "completed_by", "completed_via"])
        log_action(
            "onboarding.step_completed",
            obj=step,
            object_label=step.title,
            after={"kind": step.kind, "via": via, "workflow": step.workflow_id, **detail},
        )


def _locked_running_workflow(partner_id: int) -> Workflow | None:
    """The partner's running workflow, locked: every step change goes through this lock, so
    two steps completing at once cannot both miss that the workflow is done."""
    return (
        Workflow.objects.select_for_update()
        .filter(partner_id=partner_id, status=WorkflowStatus.RUNNING)
        .first()
    )


def _check_completion(workflow: Workflow) -> None:
    """When every required step is done: complete the workflow and, if the partner is
    onboarding, activate it and send the welcome pack."""
    if workflow.status != WorkflowStatus.RUNNING:
        return
    if workflow.steps.filter(required=True, completed_at__isnull=True).exists():
        return
    workflow.status, workflow.completed_at = WorkflowStatus.COMPLETED, timezone.now()
    workflow.save(update_fields=["status", "completed_at"])
    log_action(
        "onboarding.workflow_completed",
        obj=workflow,
        before={"status": WorkflowStatus.RUNNING},
        after={"status": WorkflowStatus.COMPLETED},
    )
    partner = Partner.objects.get(pk=workflow.partner_id)
    if partner.status == PartnerStatus.ONBOARDING:
        partner = partner_services.partner_transition(
            partner=partner, by=None, to=PartnerStatus.ACTIVE, reason=_("Onboarding complete")
        )
        _send_welcome(partner)


def step_complete_for_event(
    partner: Partner, kind: str, ref: str | None = None, *, by: Member | None = None
) -> list[WorkflowStep]:
    """Record that `kind` happened for `partner` (the event subscribers below call this).
    Completes the matching open steps of the
    partner's running workflow; a course step with a reference needs that reference, one
    without takes any. Idempotent: a repeat finds nothing open. Returns the steps it completed."""
    if kind not in StepKind.values or kind == StepKind.UPLOAD_DOCUMENT:
        raise DomainError(_("Unknown onboarding event."), field="kind")
    workflow = _locked_running_workflow(partner.pk)
    if workflow is None:
        return []
    steps = workflow.steps.filter(kind=kind, completed_at__isnull=True)
    ref = (ref or "").strip()
    steps = steps.filter(ref="") | steps.filter(ref__iexact=ref) if ref else steps.filter(ref="")
    steps = list(steps)
    _complete(steps, by=by, via="event", **({"ref": ref} if ref else {}))
    if steps:
        _check_completion(workflow)
    return steps


def step_check_off(*, step: WorkflowStep, by: Member) -> WorkflowStep:
    """A channel manager ticks a step off by hand (manual steps, or to unblock a course,
    profile or first-deal step)."""
    require(by, "onboarding.monitor")
    if by is None:
        raise PermissionDenied()
    workflow = _locked_running_workflow(step.workflow.partner_id)
    if workflow is None or workflow.pk != step.workflow_id:
        raise DomainError(_("This onboarding is no longer running."))
    step = WorkflowStep.objects.get(pk=step.pk)
    if step.kind not in STAFF_COMPLETABLE:
        raise DomainError(_("Only the partner can complete this step."))
    if step.is_done:
        raise DomainError(_("This step is already complete."))
    _complete([step], by=by, via="manual")
    _check_completion(workflow)
    return step


def _clean_filename(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?')
    return base[:200] or "document"


def step_upload_document(*, step: WorkflowStep, by: Member, upload) -> WorkflowStep:
    """The partner uploads the document an upload step asks for: a PDF, PNG or JPEG (checked
    from its bytes) of at most 10 MB, stored privately under MEDIA_ROOT."""
    if by.role not in PARTNER_ROLES or by.partner_id != step.workflow.partner_id:
        raise PermissionDenied()
    if step.kind != StepKind.UPLOAD_DOCUMENT:
        raise DomainError(_("This step does not take a document."))
    if upload.size > rules.MAX_DOCUMENT_BYTES:
        raise DomainError(_("The file is larger than 10 MB."), field="document")
    upload.seek(0)
    content_type = rules.sniff_document_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise DomainError(_("Upload a PDF, PNG or JPEG file."), field="document")
    workflow = _locked_running_workflow(step.workflow.partner_id)
    if workflow is None or workflow.pk != step.workflow_id:
        raise DomainError(_("This onboarding is no longer running."))
    step = WorkflowStep.objects.get(pk=step.pk)
    if step.is_done:
        raise DomainError(_("This step is already complete."), field="document")
    step.document_content_type = content_type
    step.document_name = _clean_filename(getattr(upload, "name", ""))
    step.document_size = upload.size
    step.document.save(step.document_name, upload, save=False)
    step.save(update_fields=["document", "document_name", "document_content_type", "document_size"])
    _complete(
        [step],
        by=by,
        via="upload",
        document=step.document_name,
        content_type=content_type,
        size=upload.size,
    )
    _check_completion(workflow)
    return step


# --- Reactions to other apps' events (subscribed in onboarding.apps) ----------------------


def on_partner_status_changed(event: events.Event) -> None:
    """partner.status_changed: a partner moved to onboarding by hand gets its workflow too;
    an offboarded partner's onboarding stops."""
    partner = event.subject
    if event.payload["status"] == PartnerStatus.ONBOARDING:
        workflow_start(partner=partner)
    elif event.payload["status"] == PartnerStatus.OFFBOARDED:
        workflow_cancel(partner=partner)


def on_partner_profile_updated(event: events.Event) -> None:
    """partner.profile_updated: a profile that is now complete completes the partner's
    complete_profile step."""
    if not set(event.payload["fields"]) & set(PROFILE_FIELDS):
        return
    partner = Partner.objects.get(pk=event.payload["partner_id"])
    if not profile_is_complete(partner):
        return
    open_step = WorkflowStep.objects.filter(
        workflow__partner_id=partner.pk,
        workflow__status=WorkflowStatus.RUNNING,
        kind=StepKind.COMPLETE_PROFILE,
        completed_at__isnull=True,
    ).exists()
    if open_step:
        step_complete_for_event(partner, StepKind.COMPLETE_PROFILE)


def on_first_deal_recorded(event: events.Event) -> None:
    """partner.first_deal_recorded: completes the register_first_deal step."""
    partner = Partner.objects.get(pk=event.payload["partner_id"])
    step_complete_for_event(partner, StepKind.REGISTER_FIRST_DEAL, str(event.payload["deal_id"]))


def on_course_completed(event: events.Event) -> None:
    """course.completed: completes the partner's matching course step (a step names its course
    by id or by code)."""
    if not event.payload["partner_id"]:
        return
    member = Member.objects.get(pk=event.payload["member_id"])
    partner = Partner.objects.get(pk=event.payload["partner_id"])
    for ref in (str(event.payload["course_id"]), event.payload["course_code"]):
        step_complete_for_event(partner, StepKind.COMPLETE_COURSE, ref, by=member)


# --- Welcome and reminders ----------------------------------------------------------------


def _key_contacts(partner: Partner) -> list[dict]:
    contacts = []
    if partner.owner_id:
        owner = Member.objects.select_related("user").get(pk=partner.owner_id)
        contacts.append(
            {
                "role": gettext_lazy("Your channel manager"),
                "name": owner.user.display_name,
                "email": owner.user.email,
            }
        )
    for m in (
        Member.objects.filter(role=Role.ADMIN, is_active=True)
        .select_related("user")
        .order_by("created_at")[:2]
    ):
        contacts.append(
            {
                "role": gettext_lazy("Partner program"),
                "name": m.user.display_name,
                "email": m.user.email,
            }
        )
    return contacts


def _portal_links(tenant) -> list[dict]:
    return [
        {"label": gettext_lazy("Partner portal"), "url": tenant_url(tenant, "/")},
        {
            "label": gettext_lazy("Your onboarding checklist"),
            "url": tenant_url(tenant, "/getting-started/"),
        },
        {"label": gettext_lazy("Your partner agreement"), "url": tenant_url(tenant, "/agreement/")},
        {"label": gettext_lazy("Your company profile"), "url": tenant_url(tenant, "/company/")},
        {"label": gettext_lazy("Your tier and benefits"), "url": tenant_url(tenant, "/tier/")},
    ]


def _send_welcome(partner: Partner) -> None:
    """The welcome e-mail with key contacts, links and the PDF welcome pack, to the partner's
    people (the applicant's contact while nobody has joined yet)."""
    tenant = partner.tenant
    to = sorted(
        Member.objects.filter(partner=partner, is_active=True).values_list("user__email", flat=True)
    )
    if not to:
        to = sorted(
            set(Application.objects.filter(partner=partner).values_list("contact_email", flat=True))
        )
    workflow = Workflow.objects.filter(partner=partner).prefetch_related("steps").first()
    context = {
        "tenant": tenant,
        "partner": partner,
        "contacts": _key_contacts(partner),
        "links": _portal_links(tenant),
        "steps": list(workflow.steps.all()) if workflow else [],
        "tier": partner.tier.name if partner.tier_id else "",
        "generated_at": timezone.now(),
    }
    # One PDF for every recipient: in the first recipient's language.
    with translation.override(recipient_language(to[:1])):
        html = render_to_string("onboarding/pdf/welcome_pack.html", context)

    def attachments() -> list[tuple[str, bytes, str]]:
        from onboarding.pdf import html_to_pdf

        return [("welcome-pack.pdf", html_to_pdf(html), "application/pdf")]

    _mail_after_commit(
        tenant=tenant,
        subject=lazy_format(gettext_lazy("Welcome to %(t)s's partner program"), t=tenant.name),
        template="onboarding/emails/welcome.txt",
        context=context,
        to=to,
        attachments=attachments,
    )
    log_action("onboarding.welcome_sent", obj=partner, after={"to": to})


def reminders_send(*, tenant, now: datetime.datetime | None = None) -> int:
    """Remind partners of open steps due within the tenant's reminder window (overdue ones
    included), once per step: the claim is recorded on the step in the same transaction as
    the e-mail is queued, and rows another run holds are skipped. Returns the steps
    reminded."""
    now = now or timezone.now()
    onb = OnboardingSettings.for_tenant(tenant)
    horizon = now + datetime.timedelta(days=onb.reminder_days_before)
    candidates = list(
        WorkflowStep.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            workflow__status=WorkflowStatus.RUNNING,
            completed_at__isnull=True,
            reminder_sent_at__isnull=True,
            due_at__lte=horizon,
        )
        .select_related("workflow__partner")
        .order_by("workflow_id", "order", "id")
    )
    if not candidates:
        return 0
    by_partner: dict[int, list[WorkflowStep]] = {}
    for step in candidates:
        by_partner.setdefault(step.workflow.partner_id, []).append(step)
    recipients = selectors.reminder_recipients(list(by_partner))
    sent = 0
    for partner_id, steps in by_partner.items():
        to = recipients.get(partner_id)
        if not to:
            continue  # nobody has joined yet; remind once someone has
        WorkflowStep.objects.filter(pk__in=[s.pk for s in steps]).update(reminder_sent_at=now)
        partner = steps[0].workflow.partner
        _notify_members(
            subject=lazy_format(
                ngettext_lazy(
                    "Onboarding: %(n)d step due soon",
                    "Onboarding: %(n)d steps due soon",
                    len(steps),
                ),
                n=len(steps),
            ),
            template="onboarding/emails/reminder.txt",
            context={
                "tenant": tenant,
                "partner": partner,
                "steps": steps,
                "now": now,
                "url": tenant_url(tenant, "/getting-started/"),
            },
            to=to,
            kind="onboarding.reminder",
        )
        log_action(
            "onboarding.reminder_sent",
            obj=partner,
            after={"steps": [s.pk for s in steps], "to": to},
        )
        sent += len(steps)
    return sent


# --- Agreements ---------------------------------------------------------------------------

ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}


def render_agreement_markdown(text: str) -> str:
    """Markdown to HTML, sanitised: no script, no styles, no event handlers, no images."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists"])
    return nh3.clean(html, tags=ALLOWED_TAGS)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def agreement_publish(*, by: Member, partner_type: str, title: str, body: str) -> Agreement:
    """Publish the next version for a partner type. Every partner of that type must accept
    it again; their admins are told by e-mail."""
    require(by, "onboarding.manage")
    if by is None:
        raise PermissionDenied()
    if partner_type not in PartnerType.values:
        raise DomainError(_("Unknown partner type."), field="partner_type")
    title = (title or "").strip()
    body = (body or "").replace("\r\n", "\n").strip() + "\n"
    if not title:
        raise DomainError(_("Give the agreement a title."), field="title")
    if not body.strip():
        raise DomainError(_("Write the agreement text."), field="body")
    # Lock the type's versions so two publications cannot take the same number.
    list(Agreement.objects.select_for_update().filter(partner_type=partner_type).values("pk"))
    last = Agreement.objects.filter(partner_type=partner_type).aggregate(m=Max("version"))["m"]
    agreement = Agreement(
        tenant=by.tenant,
        partner_type=partner_type,
        version=(last or 0) + 1,
        title=title[:200],
        body=body,
        body_html=render_agreement_markdown(body),
        text_sha256=text_hash(body),
        published_by=by,
    )
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError:
        raise DomainError(_("Another version was published at the same time; try again."))
    log_action(
        "agreement.published",
        obj=agreement,
        after={
            "partner_type": partner_type,
            "version": agreement.version,
            "title": agreement.title,
            "text_sha256": agreement.text_sha256,
        },
    )
    to = sorted(
        set(
            Member.objects.filter(
                role=Role.PARTNER_ADMIN,
                is_active=True,
                partner__partner_type=partner_type,
                partner__status__in=[
                    PartnerStatus.ONBOARDING,
                    PartnerStatus.ACTIVE,
                    PartnerStatus.SUSPENDED,
                ],
            ).values_list("user__email", flat=True)
        )
    )
    _notify_members(
        subject=gettext_lazy("Please review and accept the updated partner agreement"),
        template="onboarding/emails/agreement_published.txt",
        context={
            "tenant": by.tenant,
            "agreement": agreement,
            "url": tenant_url(by.tenant, "/agreement/"),
        },
        to=to,
        kind="onboarding.agreement_published",
    )
    return agreement


def agreement_accept(
    *,
    agreement: Agreement,
    by: Member,
    signer_name: str,
    signer_title: str,
    text_sha256: str,
) -> AgreementAcceptance:
    """Click-wrap acceptance by a partner admin of the current version for the partner's
    type. `text_sha256` is the hash of the text the signer was shown; it must match the
    stored text, so nobody accepts a version they did not see. Stores who, as what, when,
    from which address and browser, and a PDF of the signed agreement."""
    require(by, "agreements.accept")
    if by is None or by.role != Role.PARTNER_ADMIN:
        raise PermissionDenied()
    signer_name, signer_title = (signer_name or "").strip(), (signer_title or "").strip()
    if not signer_name:
        raise DomainError(_("Enter your full name."), field="signer_name")
    if not signer_title:
        raise DomainError(_("Enter your job title."), field="signer_title")
    partner = Partner.objects.get(pk=by.partner_id)
    current = selectors.current_agreement(partner.partner_type)
    if current is None or current.pk != agreement.pk:
        raise DomainError(
            _("This is not the current version of your agreement. Reload the page and read it.")
        )
    digest = text_hash(current.body)
    if (text_sha256 or "").lower() != digest or digest != current.text_sha256:
        raise DomainError(
            _("The agreement changed after you opened it. Read the current text and accept it."),
            field="text_sha256",
        )
    if AgreementAcceptance.objects.filter(agreement=current, partner=partner).exists():
        raise DomainError(_("Your company has already accepted this version."))
    ctx = current_context()
    acceptance = AgreementAcceptance(
        tenant_id=partner.tenant_id,
        agreement=current,
        partner=partner,
        member=by,
        signer_name=signer_name[:150],
        signer_title=signer_title[:150],
        signer_email=by.user.email,
        accepted_at=timezone.now(),
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300],
        text_sha256=digest,
    )
    from onboarding.pdf import render_pdf

    pdf = render_pdf(
        "onboarding/pdf/agreement.html",
        {
            "tenant": partner.tenant,
            "agreement": current,
            "acceptance": acceptance,
            "partner": partner,
        },
    )
    try:
        with transaction.atomic():
            acceptance.pdf.save("agreement.pdf", ContentFile(pdf), save=False)
            acceptance.save()
    except IntegrityError:
        acceptance.pdf.delete(save=False)
        raise DomainError(_("Your company has already accepted this version."))
    log_action(
        "agreement.accepted",
        obj=acceptance,
        after={
            "agreement": current.pk,
            "version": current.version,
            "partner": partner.pk,
            "signer_name": acceptance.signer_name,
            "signer_title": acceptance.signer_title,
            "text_sha256": digest,
            "ip": acceptance.ip,
        },
    )
    step_complete_for_event(partner, StepKind.ACCEPT_AGREEMENT, by=by)
    return acceptance
