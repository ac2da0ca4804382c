"""Reactions to other apps' events (prm.events subscribers, registered in onboarding.apps):
each takes one `prm.events.Event` and runs inside the emitting transaction."""

from __future__ import annotations

from onboarding.models import (
    StepKind,
    WorkflowStatus,
    WorkflowStep,
)
from onboarding.services.workflows import (
    PROFILE_FIELDS,
    profile_is_complete,
    step_complete_for_event,
    workflow_cancel,
    workflow_start,
)
from partners.models import (
    Partner,
    PartnerStatus,
)
from prm import events
from prm.models import Member

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
