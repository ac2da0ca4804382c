"""Writes for the click-wrap partner agreements: publishing a version, accepting it (with a
signed PDF), which completes the partner's agreement step."""

from __future__ import annotations

import hashlib

import markdown
import nh3
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding import selectors
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    StepKind,
)
from onboarding.services.workflows import step_complete_for_event
from partners.models import (
    Partner,
    PartnerStatus,
    PartnerType,
)
from prm.audit import current_context, log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.models import Member
from prm.notifications import notify_addresses
from prm.pdf import render_pdf
from prm.roles import Role, require
from prm.urls_util import tenant_url

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
        title=limited(title, 200, "title"),
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
    notify_addresses(
        group="onboarding",
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
        signer_name=limited(signer_name, 150, "signer_name"),
        signer_title=limited(signer_title, 150, "signer_title"),
        signer_email=by.user.email,
        accepted_at=timezone.now(),
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300],
        text_sha256=digest,
    )
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
