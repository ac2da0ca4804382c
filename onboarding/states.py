"""The onboarding state machines, declared once (see prm/states.py): applications, a
partner's onboarding workflow, and its steps.

Application reviewers (members with `applications.review`) take the actions; automatic
rules approve and reject as the system (`member=None`). Approved is final: a partner exists.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onboarding.models import STAFF_COMPLETABLE, StepKind, WorkflowStatus
from onboarding.models import ApplicationStatus as S
from prm.roles import PARTNER_ROLES, has_perm
from prm.states import StateMachine, action


def _reviewer(obj, member) -> bool:
    return member is not None and has_perm(member.role, "applications.review")


APPLICATION = StateMachine(
    actions=[
        action("review", _("I am reviewing this"), [S.SUBMITTED], S.IN_REVIEW, who=_reviewer),
        action(
            "approve",
            _("Approve and invite the contact"),
            [S.SUBMITTED, S.IN_REVIEW],
            S.APPROVED,
            who=_reviewer,
            confirm=True,
        ),
        action(
            "reject",
            _("Reject"),
            [S.SUBMITTED, S.IN_REVIEW],
            S.REJECTED,
            who=_reviewer,
            reason=True,
        ),
        action("reopen", _("Reopen for review"), [S.REJECTED], S.IN_REVIEW, who=_reviewer),
    ]
)

# Colour of an application's status badge (the view passes it; templates compare nothing).
APPLICATION_TONE = {S.APPROVED: "ok", S.REJECTED: "bad"}


# --- One partner's onboarding -------------------------------------------------------------


def _monitor(obj, member) -> bool:
    return member is not None and has_perm(member.role, "onboarding.monitor")


def _own_partner_step(step, member) -> bool:
    return (
        member is not None
        and member.role in PARTNER_ROLES
        and member.partner_id == step.workflow.partner_id
    )


def _running(step) -> bool:
    return step.workflow.status == WorkflowStatus.RUNNING


# A partner's workflow runs from its start (approval, or a channel manager's "start") until
# every required step is done (completed: the partner becomes active) or the partner is
# offboarded (cancelled). Only the system moves it.
WORKFLOW = StateMachine(
    actions=[
        action(
            "complete",
            _("Complete"),
            [WorkflowStatus.RUNNING],
            WorkflowStatus.COMPLETED,
            system=True,
        ),
        action(
            "cancel", _("Cancel"), [WorkflowStatus.RUNNING], WorkflowStatus.CANCELLED, system=True
        ),
    ]
)

# A step of a running workflow is open until it is done (WorkflowStep.state, derived from
# completed_at): by an event (system), a channel manager's check-off (the kinds in
# STAFF_COMPLETABLE; the agreement and a document need the partner), or the partner's upload.
STEP = StateMachine(
    field="state",
    actions=[
        action(
            "check_off",
            _("Check off"),
            ["open"],
            "done",
            who=_monitor,
            when=lambda step, _m: _running(step) and step.kind in STAFF_COMPLETABLE,
            refusal=_("Only the partner can complete this step."),
        ),
        action(
            "upload",
            _("Upload"),
            ["open"],
            "done",
            who=_own_partner_step,
            when=lambda step, _m: _running(step) and step.kind == StepKind.UPLOAD_DOCUMENT,
            refusal=_("This step does not take a document."),
        ),
        action("complete", _("Complete"), ["open"], "done", system=True),
    ],
)
