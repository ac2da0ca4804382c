"""The welcome e-mail with its PDF welcome pack, and the reminders of steps due soon."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext_lazy

from onboarding import selectors
from onboarding.models import (
    Application,
    OnboardingSettings,
    Workflow,
    WorkflowStatus,
    WorkflowStep,
)
from partners.models import (
    Partner,
)
from prm.audit import log_action
from prm.i18n import lazy_format, recipient_language
from prm.models import Member
from prm.notifications import notify_addresses, send_mandatory
from prm.pdf import html_to_pdf
from prm.roles import Role
from prm.urls_util import tenant_url

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


def welcome_send(*, partner: Partner) -> None:
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
        return [("welcome-pack.pdf", html_to_pdf(html), "application/pdf")]

    send_mandatory(
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
        notify_addresses(
            group="onboarding",
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
