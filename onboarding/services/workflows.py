"""Writes for onboarding workflows: the admins' templates and their steps, and each
partner's running workflow (started, steps completed by events, checked off by a channel
manager or answered with an upload; completed when every required step is done).
The moves are checked with onboarding.states.WORKFLOW and STEP."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding import rules, selectors
from onboarding.models import (
    StepKind,
    Workflow,
    WorkflowStatus,
    WorkflowStep,
    WorkflowStepTemplate,
    WorkflowTemplate,
)
from onboarding.services.notices import welcome_send
from onboarding.states import STEP, WORKFLOW
from partners import services as partner_services
from partners.models import (
    Partner,
    PartnerStatus,
    PartnerType,
)
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import require
from prm.uploads import clean_filename

# Partner fields that make a profile complete (the complete_profile step).
PROFILE_FIELDS = ("legal_name", "website", "country", "region", "size_band")


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
    WORKFLOW.check(workflow, None, "cancel")
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
        STEP.check_move(step.state, "done")
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
    WORKFLOW.check(workflow, None, "complete")
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
        welcome_send(partner=partner)


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
    step = WorkflowStep.objects.select_related("workflow").get(pk=step.pk)
    if step.is_done:
        raise DomainError(_("This step is already complete."))
    STEP.check(step, by, "check_off")  # the kinds a channel manager may tick
    _complete([step], by=by, via="manual")
    _check_completion(workflow)
    return step


def step_upload_document(*, step: WorkflowStep, by: Member, upload) -> WorkflowStep:
    """The partner uploads the document an upload step asks for: a PDF, PNG or JPEG (checked
    from its bytes) of at most 10 MB, stored privately under MEDIA_ROOT."""
    if not STEP["upload"].may(step, by):
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
    step = WorkflowStep.objects.select_related("workflow").get(pk=step.pk)
    if step.is_done:
        raise DomainError(_("This step is already complete."), field="document")
    STEP.check(step, by, "upload")
    step.document_content_type = content_type
    step.document_name = clean_filename(getattr(upload, "name", ""))
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
