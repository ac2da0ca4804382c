"""Writes for applications, onboarding workflows and agreements, by sub-area: settings (the
rules and the ideal partner profile), applications, workflows (templates, running workflows
and their steps), notices (the welcome pack, reminders), agreements, and the reactions to
other apps' events (hooks: prm.events subscribers, registered in onboarding.apps). Import
from here (`from onboarding import services`).

Every function is keyword-only (except `step_complete_for_event`, whose published signature
deal registration still calls, and the `on_*` event subscribers, which take one
`prm.events.Event`), runs inside the caller's tenant context, validates before writing, locks
the row it moves, checks the move with its machine (onboarding.states), audits, and sends
e-mail only after the transaction commits. Multi-step writes run in their own savepoint, so
a refusal half-way leaves nothing behind even when the caller (a view) catches the error and
carries on.
"""

from onboarding.services.agreements import (
    ALLOWED_TAGS,
    agreement_accept,
    agreement_publish,
    render_agreement_markdown,
    text_hash,
)
from onboarding.services.applications import (
    application_approve,
    application_reject,
    application_reopen,
    application_start_review,
    application_submit,
)
from onboarding.services.hooks import (
    on_course_completed,
    on_first_deal_recorded,
    on_partner_profile_updated,
    on_partner_status_changed,
)
from onboarding.services.notices import reminders_send, welcome_send
from onboarding.services.settings import (
    IPP_FIELDS,
    SETTINGS_FIELDS,
    ideal_profile_update,
    onboarding_settings_update,
)
from onboarding.services.workflows import (
    PROFILE_FIELDS,
    STEP_FIELDS,
    profile_is_complete,
    step_check_off,
    step_complete_for_event,
    step_upload_document,
    workflow_cancel,
    workflow_start,
    workflow_step_add,
    workflow_step_remove,
    workflow_template_delete,
    workflow_template_save,
)

__all__ = [
    "ALLOWED_TAGS",
    "IPP_FIELDS",
    "PROFILE_FIELDS",
    "SETTINGS_FIELDS",
    "STEP_FIELDS",
    "agreement_accept",
    "agreement_publish",
    "application_approve",
    "application_reject",
    "application_reopen",
    "application_start_review",
    "application_submit",
    "ideal_profile_update",
    "on_course_completed",
    "on_first_deal_recorded",
    "on_partner_profile_updated",
    "on_partner_status_changed",
    "onboarding_settings_update",
    "profile_is_complete",
    "reminders_send",
    "render_agreement_markdown",
    "step_check_off",
    "step_complete_for_event",
    "step_upload_document",
    "text_hash",
    "welcome_send",
    "workflow_cancel",
    "workflow_start",
    "workflow_step_add",
    "workflow_step_remove",
    "workflow_template_delete",
    "workflow_template_save",
]
