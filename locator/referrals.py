"""Partner-to-partner referrals: a partner invites another company to apply (an e-mail with
a link to the application form carrying the referral's code); the application received with
that code is linked to the referral; when the partner it became turns active, the referral is
credited once and `partner.referral_activated` is emitted, so incentive programs reward it.

The referrer sees only the referral's status (locator.selectors.referral_status), never the
application or the partner it became."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from locator.models import Referral
from partners.models import Partner, PartnerStatus
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.models import Member
from prm.notifications import send_mandatory
from prm.roles import has_perm
from prm.urls_util import tenant_url

# Invitations per partner per day: a referral mails an address the partner typed.
DAILY_LIMIT = 20


@transaction.atomic
def referral_invite(
    *, partner: Partner, by: Member, company_name: str, contact_email: str, note: str = ""
) -> Referral:
    if by is None or by.partner_id != partner.pk or not has_perm(by.role, "locator.refer"):
        raise PermissionDenied()
    if partner.status != PartnerStatus.ACTIVE:
        raise DomainError(_("Only an active partner can refer companies."))
    company_name = (company_name or "").strip()
    if not company_name:
        raise DomainError(_("Enter the company."), field="company_name")
    contact_email = (contact_email or "").strip().lower()
    try:
        validate_email(contact_email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), field="contact_email") from None
    since = timezone.now() - timezone.timedelta(days=1)
    Partner.objects.select_for_update().get(pk=partner.pk)  # one count at a time per partner
    if Referral.objects.filter(referrer=partner, created_at__gte=since).count() >= DAILY_LIMIT:
        raise DomainError(
            _("You sent %(n)s invitations today; please wait until tomorrow.") % {"n": DAILY_LIMIT}
        )
    if Referral.objects.filter(
        referrer=partner, contact_email=contact_email, application__isnull=True
    ).exists():
        raise DomainError(
            _("You already invited this address; it has not applied yet."), field="contact_email"
        )
    referral = Referral.objects.create(
        tenant_id=partner.tenant_id,
        referrer=partner,
        company_name=limited(company_name, 200, "company_name"),
        contact_email=contact_email,
        note=limited((note or "").strip(), 2000, "note"),
        created_by=by,
    )
    log_action(
        "locator.referral_invited",
        obj=referral,
        after={"company": referral.company_name, "contact_email": contact_email},
    )
    # MANDATORY mail: the invitation the partner asked us to send (not a notification).
    send_mandatory(
        tenant=partner.tenant,
        to=[contact_email],
        subject=gettext_lazy("An invitation to join a partner program"),
        template="locator/emails/referral.txt",
        context={
            "referral": referral,
            "tenant": partner.tenant,
            "url": tenant_url(partner.tenant, f"/apply/?ref={referral.code}"),
        },
    )
    return referral


def on_application_received(event: events.Event) -> None:
    """Link an application that came with a referral code to its referral (once)."""
    application = event.subject
    code = getattr(application, "referral_code", "")
    if not code:
        return
    referral = Referral.objects.select_for_update().filter(code=code).first()
    if referral is None or referral.application_id is not None:
        return
    referral.application = application
    referral.applied_at = timezone.now()
    referral.save(update_fields=["application", "applied_at"])
    log_action(
        "locator.referral_applied",
        obj=referral,
        actor=None,
        after={"application": application.pk},
    )


def on_partner_status_changed(event: events.Event) -> None:
    """The referred partner became active: credit its referral once and tell the incentive
    programs (`partner.referral_activated`)."""
    partner = event.subject
    if partner is None or partner.status != PartnerStatus.ACTIVE:
        return
    referral = (
        Referral.objects.select_for_update()
        .filter(application__partner=partner, activated_at__isnull=True)
        .exclude(referrer=partner)
        .first()
    )
    if referral is None:
        return
    referral.activated_at = timezone.now()
    referral.save(update_fields=["activated_at"])
    log_action(
        "locator.referral_activated",
        obj=referral,
        after={"referred_partner": partner.pk},
    )
    events.emit(
        "partner.referral_activated",
        {"referrer_partner_id": referral.referrer_id, "referred_partner_id": partner.pk},
        tenant=partner.tenant,
    )
    # Public: the vendor's webhook endpoints, and the referrer's people in the portal.
    events.emit("referral.activated", referral)


def register() -> None:
    events.subscribe("application.received", on_application_received)
    events.subscribe("partner.status_changed", on_partner_status_changed)
