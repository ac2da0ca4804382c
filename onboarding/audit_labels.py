"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "agreement.published": _("Agreement published"),
    "agreement.accepted": _("Agreement accepted"),
    "onboarding.welcome_sent": _("Welcome e-mail sent"),
    "onboarding.reminder_sent": _("Onboarding reminder sent"),
    "application.submitted": _("Application submitted"),
    "application.auto_approve_failed": _("Automatic approval of an application failed"),
    "application.review_started": _("Application review started"),
    "application.reopened": _("Application reopened"),
    "application.rejected": _("Application rejected"),
    "partner.specialties_changed": _("Partner specialties changed"),
    "application.approved": _("Application approved"),
    "workflow_template.created": _("Onboarding workflow created"),
    "workflow_template.deleted": _("Onboarding workflow deleted"),
    "workflow_template.step_added": _("Workflow step added"),
    "workflow_template.step_removed": _("Workflow step removed"),
    "onboarding.workflow_started": _("Onboarding started"),
    "onboarding.workflow_cancelled": _("Onboarding cancelled"),
    "onboarding.step_completed": _("Onboarding step completed"),
    "onboarding.workflow_completed": _("Onboarding completed"),
    "onboarding.settings_updated": _("Onboarding settings updated"),
    "onboarding.ideal_profile_updated": _("Ideal partner profile updated"),
}
