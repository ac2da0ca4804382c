"""What each irreversible action on an application does, for people to confirm
(prm/confirm.py). Both send an e-mail to the applicant, which no later move takes back."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from onboarding.models import Application
from prm.confirm import Confirmation, register


def _names(application: Application) -> dict:
    return {"c": application.company_name, "e": application.contact_email}


@register("application-approve")
def application_approve(application: Application) -> Confirmation:
    return Confirmation(
        title=_("Approve %(c)s and invite %(e)s?") % _names(application),
        consequence=_(
            "The company becomes a partner in onboarding and %(e)s receives an invitation "
            "to the portal at once."
        )
        % _names(application),
        button=_("Approve and invite the contact"),
        confirm=_("Approve and invite"),
        back_url=reverse("application-detail", args=[application.pk]),
        danger=False,
    )


@register("application-reject")
def application_reject(application: Application) -> Confirmation:
    return Confirmation(
        title=_("Reject the application of %(c)s?") % _names(application),
        consequence=_("%(e)s is told by e-mail, with your reason.") % _names(application),
        button=_("Reject"),
        confirm=_("Reject application"),
        back_url=reverse("application-detail", args=[application.pk]),
        reason="required",
        reason_label=_("Reason (sent to the applicant)"),
        reason_max=1000,
    )


@register("workflow-delete")
def workflow_delete(template) -> Confirmation:
    return Confirmation(
        title=_("Delete the onboarding template %(n)s?") % {"n": template.name},
        consequence=_(
            "New partners no longer get this checklist. Checklists already started from it "
            "stay as they are. This cannot be undone."
        ),
        button=_("Delete template"),
        confirm=_("Delete template"),
        back_url=reverse("workflow-edit", args=[template.pk]),
        small=True,
    )


@register("workflow-step-remove")
def workflow_step_remove(step) -> Confirmation:
    return Confirmation(
        title=_("Remove the step %(s)s from %(n)s?") % {"s": step.title, "n": step.template.name},
        consequence=_(
            "New checklists made from this template leave it out; checklists already started "
            "keep it."
        ),
        button=_("Remove"),
        confirm=_("Remove step"),
        back_url=reverse("workflow-edit", args=[step.template_id]),
        small=True,
    )
