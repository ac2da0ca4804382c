"""Onboarding's home sections (registered in OnboardingConfig.ready()): a partner's
checklist while it is onboarding; the applications and onboardings a reviewer watches."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from onboarding.models import Agreement, Workflow, WorkflowStatus
from onboarding.selectors import (
    application_queue,
    has_current_agreement,
    workflow_for,
)
from partners.models import Partner, PartnerStatus
from partners.selectors import manages_partners


def partner_home(member) -> dict | None:
    """The onboarding checklist, only while the partner is onboarding (then it is done).
    Three queries."""
    partner = Partner.objects.get(pk=member.partner_id)
    if partner.status != PartnerStatus.ONBOARDING:
        return None
    workflow = workflow_for(partner)
    steps = list(workflow.steps.all()) if workflow else []
    now = timezone.now()
    return {
        "steps": [
            {"step": s, "done": s.completed_at is not None, "overdue": s.is_overdue(now)}
            for s in steps
        ],
        "done": sum(1 for s in steps if s.completed_at is not None),
        "agreement_accepted": has_current_agreement(partner),
    }


def staff_home(member) -> dict:
    """Applications waiting for a decision, running onboardings and those with an overdue
    step. Two queries."""
    now = timezone.now()
    overdue = Q(steps__completed_at__isnull=True, steps__due_at__lt=now)
    workflows = Workflow.objects.filter(status=WorkflowStatus.RUNNING)
    mine = manages_partners(member)
    if mine:  # a channel manager's own partners; applications have no owner yet
        workflows = workflows.filter(partner__owner=member)
    running = workflows.aggregate(
        running=Count("id", distinct=True),
        stuck=Count("id", distinct=True, filter=overdue),
    )
    return {"applications": application_queue().count(), "mine": mine, **running}


def has_agreement(tenant) -> bool:
    return Agreement.objects.exists()
