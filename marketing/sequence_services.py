"""Writes of a campaign's e-mail sequence (issue #21, item 3): the partner admin uploads its
own contacts (consent confirmed, per contact: text, who, when), removes one, starts, pauses
and resumes the sequence (marketing.states.SEQUENCE); the sender (a Celery beat task) sends
each contact its due step through Django's e-mail backend, co-branded, with the campaign's
tracked link and a one-click unsubscribe link; an unsubscribe puts the address on the
partner's suppression list, which every later send honours. Every state change is audited.

Sending is at most once per (contact, step): the contact's `steps_sent` moves from k to k + 1
with a conditional UPDATE that must touch one row, and a `SequenceSend` row with a unique
(contact, step) key is written in the same transaction; the message goes to the backend after
that transaction commits. A re-run finds nothing left to claim. A per-tenant cap of sends per
minute and per hour (settings) is read from those rows: what is over it waits for the next
run."""

from __future__ import annotations

import datetime
import html
import logging
import smtplib
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from marketing import cobrand
from marketing.campaign_models import Campaign, SequenceStatus
from marketing.campaign_selectors import landing_path, tracked_path
from marketing.selectors import brand_kit
from marketing.sequence_csv import RowError, clean_rows
from marketing.sequence_models import (
    CampaignContact,
    ContactStatus,
    ContactSuppression,
    SendStatus,
    SequenceSend,
)
from marketing.states import SEQUENCE
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.i18n import content_language
from prm.models import Member
from prm.roles import require
from prm.tasks import dispatch
from prm.tenancy import tenant_context
from prm.urls_util import tenant_url

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "marketing.campaign.unsubscribe"


def max_contacts() -> int:
    return getattr(settings, "PRM_CAMPAIGN_MAX_CONTACTS", 10000)


def rate_limits() -> tuple[int, int]:
    """(sends per minute, sends per hour) of one tenant."""
    return (
        getattr(settings, "PRM_CAMPAIGN_MAIL_PER_MINUTE", 60),
        getattr(settings, "PRM_CAMPAIGN_MAIL_PER_HOUR", 1000),
    )


def consent_text(partner_name: str) -> str:
    return _(
        "I confirm that every contact in this list agreed to receive marketing e-mail from "
        "%(partner)s, and that I may prove it."
    ) % {"partner": partner_name}


@dataclass
class ContactsResult:
    added: int = 0
    merged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("kit", "partner").get(pk=campaign.pk)


def _suppressed(partner_id: int):
    return ContactSuppression.objects.filter(partner_id=partner_id).values("email")


@transaction.atomic
def contacts_add(
    *, campaign: Campaign, by: Member, rows, consent: bool, consent_text: str
) -> ContactsResult:
    """Add the partner's contacts to its campaign. `rows`: dicts (email, first_name,
    last_name, company) as marketing.sequence_csv cleans them, or a (rows, errors) pair that
    function already made. Refused whole without the consent confirmation or over the cap;
    otherwise bad rows are reported, good rows kept, an address already in the campaign is
    merged (empty fields filled in), an address that unsubscribed from this partner before is
    reported and not added."""
    campaign = _locked(campaign)
    SEQUENCE.check(campaign, by, "contacts")
    if not consent:
        raise DomainError(
            _("Confirm that these contacts agreed to receive marketing e-mail."), field="consent"
        )
    consent_text = limited((consent_text or "").strip(), 500, "consent")
    good, errors = rows if isinstance(rows, tuple) else clean_rows(rows)
    errors = list(errors)
    suppressed = dict(
        ContactSuppression.objects.filter(
            partner_id=campaign.partner_id, email__in=[r["email"] for r in good]
        ).values_list("email", "reason")
    )
    existing = {
        c.email: c
        for c in CampaignContact.objects.filter(
            campaign=campaign, email__in=[r["email"] for r in good]
        )
    }
    result = ContactsResult(errors=errors)
    new = []
    for number, row in enumerate(good, start=1):
        if row["email"] in suppressed:
            why = (
                _("Mail to this address bounced: it cannot be delivered.")
                if suppressed[row["email"]] == ContactStatus.BOUNCED
                else _("This address unsubscribed from your company's e-mails.")
            )
            result.errors.append(RowError(row.get("row") or number, row["email"], why))
            continue
        contact = existing.get(row["email"])
        if contact is not None:
            changed = [
                f
                for f in ("first_name", "last_name", "company")
                if row[f] and not getattr(contact, f)
            ]
            for f in changed:
                setattr(contact, f, row[f])
            if changed:
                contact.save(update_fields=changed)
            result.merged += 1
            continue
        new.append(
            CampaignContact(
                tenant_id=campaign.tenant_id,
                campaign=campaign,
                partner_id=campaign.partner_id,
                email=row["email"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                company=row["company"],
                consent_text=consent_text,
                consented_by=by,
            )
        )
    total = CampaignContact.objects.filter(campaign=campaign).count() + len(new)
    if total > max_contacts():
        raise DomainError(
            _("A campaign holds at most %(n)s contacts.") % {"n": max_contacts()}, field="file"
        )
    CampaignContact.objects.bulk_create(new)
    result.added = len(new)
    log_action(
        "marketing.campaign.contacts_added",
        obj=campaign,
        after={"added": result.added, "merged": result.merged, "refused": len(result.errors)},
    )
    if result.added and campaign.sequence_status == SequenceStatus.FINISHED:
        _move(campaign, None, "reopen", "marketing.campaign.sequence_reopened")
    return result


@transaction.atomic
def contact_remove(*, contact: CampaignContact, by: Member) -> None:
    campaign = _locked(contact.campaign)
    SEQUENCE.check(campaign, by, "contacts")
    contact_id = contact.pk
    CampaignContact.objects.filter(pk=contact_id).delete()
    log_action("marketing.campaign.contact_removed", obj=campaign, before={"contact": contact_id})


def _move(campaign: Campaign, by: Member | None, name: str, code: str) -> Campaign:
    act = SEQUENCE.check(campaign, by, name)
    before = campaign.sequence_status
    campaign.sequence_status = act.target
    fields = ["sequence_status"]
    now = timezone.now()
    if name == "start":
        campaign.sequence_started_at = now
        fields.append("sequence_started_at")
    if name in ("finish", "reopen"):
        campaign.sequence_finished_at = now if name == "finish" else None
        fields.append("sequence_finished_at")
    campaign.save(update_fields=fields)
    log_action(
        code,
        obj=campaign,
        before={"sequence_status": before},
        after={"sequence_status": campaign.sequence_status},
    )
    return campaign


def _send_soon(campaign: Campaign) -> None:
    # local: marketing.tasks imports this module at load time
    from marketing import tasks

    dispatch(tasks.send_sequences, tenant=campaign.tenant)


@transaction.atomic
def sequence_start(*, campaign: Campaign, by: Member) -> Campaign:
    """Start sending (step 1 goes out at the sender's next run, which is queued now)."""
    campaign = _move(_locked(campaign), by, "start", "marketing.campaign.sequence_started")
    events.emit("campaign.sequence_started", campaign)
    _send_soon(campaign)
    return campaign


@transaction.atomic
def sequence_pause(*, campaign: Campaign, by: Member) -> Campaign:
    return _move(_locked(campaign), by, "pause", "marketing.campaign.sequence_paused")


@transaction.atomic
def sequence_resume(*, campaign: Campaign, by: Member) -> Campaign:
    campaign = _move(_locked(campaign), by, "resume", "marketing.campaign.sequence_resumed")
    _send_soon(campaign)
    return campaign


# --- Unsubscribe -------------------------------------------------------------------------


def unsubscribe_token(contact: CampaignContact) -> str:
    return signing.dumps({"t": contact.tenant_id, "c": contact.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(contact: CampaignContact, tenant) -> str:
    path = reverse("campaign-unsubscribe", args=[unsubscribe_token(contact)])
    return tenant_url(tenant, path)


def unsubscribe_read(token: str, *, tenant) -> CampaignContact | None:
    """The contact a token names, or None when it is tampered with, names another tenant or
    a contact that was removed. Precondition: inside tenant_context."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != tenant.pk:
        return None
    if not isinstance(data.get("c"), int):
        return None
    return CampaignContact.objects.select_related("partner").filter(pk=data["c"]).first()


def _suppress(contact: CampaignContact, status: str, *, everywhere: bool = False) -> int:
    """Put the contact's address on the suppression list of its partner (of every partner
    of the tenant holding it, with `everywhere`: an address that bounces bounces for all)
    and mark it `status` in their campaigns. Returns how many contact rows changed (0 when
    it was suppressed already)."""
    now = timezone.now()
    holders = CampaignContact.objects.filter(email=contact.email)
    if not everywhere:
        holders = holders.filter(partner_id=contact.partner_id)
    created = 0
    for partner_id in set(holders.values_list("partner_id", flat=True)):
        _row, made = ContactSuppression.objects.get_or_create(
            tenant_id=contact.tenant_id,
            partner_id=partner_id,
            email=contact.email,
            defaults={"reason": status},
        )
        created += made
    changed = holders.filter(status=ContactStatus.SUBSCRIBED).update(
        status=status, unsubscribed_at=now
    )
    return changed or created


@transaction.atomic
def contact_unsubscribe(*, contact: CampaignContact) -> bool:
    """The contact's own one-click unsubscribe (no sign-in): the address goes on its
    partner's suppression list and is marked unsubscribed in every campaign of that partner;
    no step is sent to it again. Returns False when it was already unsubscribed."""
    changed = _suppress(contact, ContactStatus.UNSUBSCRIBED)
    if not changed:
        return False
    contact.refresh_from_db()
    log_action(
        "marketing.campaign.contact_unsubscribed",
        obj=contact.campaign,
        before={"contact": contact.pk, "status": ContactStatus.SUBSCRIBED.value},
        after={"contact": contact.pk, "status": contact.status, "campaigns": changed},
    )
    events.emit("campaign_contact.unsubscribed", contact)
    return True


@transaction.atomic
def contact_bounced(*, contact: CampaignContact, detail: str = "") -> bool:
    """The contact's address bounced for good (a permanent refusal when sending, or a bounce
    the tenant's mail provider reports through the API): it goes on the suppression list of
    every partner holding it and is marked bounced in all their campaigns, so no step is sent
    to it again. Returns False when it was suppressed already."""
    changed = _suppress(contact, ContactStatus.BOUNCED, everywhere=True)
    if not changed:
        return False
    before = contact.status
    contact.refresh_from_db()
    log_action(
        "marketing.campaign.contact_bounced",
        obj=contact.campaign,
        before={"contact": contact.pk, "status": before},
        after={
            "contact": contact.pk,
            "status": contact.status,
            "campaigns": changed,
            "detail": (detail or "")[:500],
        },
    )
    events.emit("campaign_contact.bounced", contact)
    return True


def bounces_report(*, emails: list[str], detail: str = "", by: Member) -> int:
    """Bounces reported by the tenant's mail provider (the API): each address that is a
    campaign contact is suppressed as bounced. Returns how many addresses were contacts."""
    require(by, "marketing.manage")
    wanted = {e.strip().lower() for e in emails if e and e.strip()}  # stored lower-cased
    first_of_each = (
        CampaignContact.objects.filter(email__in=wanted).order_by("email", "id").distinct("email")
    )
    contacts = list(first_of_each)
    for contact in contacts:
        contact_bounced(contact=contact, detail=detail)
    return len(contacts)


# --- Sending -----------------------------------------------------------------------------


def _budget(now: datetime.datetime) -> int:
    per_minute, per_hour = rate_limits()
    sent = SequenceSend.objects.filter(sent_at__gt=now - datetime.timedelta(hours=1)).aggregate(
        hour=Count("id"),
        minute=Count("id", filter=Q(sent_at__gt=now - datetime.timedelta(minutes=1))),
    )
    return max(0, min(per_minute - sent["minute"], per_hour - sent["hour"]))


def _due(campaign: Campaign, now: datetime.datetime):
    """The campaign's contacts due for their next step now: step 1 once the sequence has
    run for step 1's delay, step k + 1 `delay_days` after step k went to that contact."""
    steps = campaign.kit.email_steps
    first_delay = int(steps[0].get("delay_days") or 0)
    first_due = campaign.sequence_started_at + datetime.timedelta(days=first_delay)
    when = Q(steps_sent=0) if first_due <= now else Q(pk__in=[])
    for k in range(1, len(steps)):
        delay = datetime.timedelta(days=int(steps[k].get("delay_days") or 0))
        when |= Q(steps_sent=k, last_sent_at__lte=now - delay)
    return (
        CampaignContact.objects.filter(
            campaign=campaign, status=ContactStatus.SUBSCRIBED, steps_sent__lt=len(steps)
        )
        .exclude(email__in=_suppressed(campaign.partner_id))
        .filter(when)
        .order_by("id")
    )


def _claim(contact: CampaignContact, now: datetime.datetime) -> SequenceSend | None:
    """Step steps_sent + 1 for this contact, claimed once: None when another run got it."""
    step = contact.steps_sent + 1
    try:
        with transaction.atomic():
            moved = CampaignContact.objects.filter(
                pk=contact.pk, steps_sent=contact.steps_sent, status=ContactStatus.SUBSCRIBED
            ).update(steps_sent=step, last_sent_at=now)
            if moved != 1:
                return None
            return SequenceSend.objects.create(
                tenant_id=contact.tenant_id,
                campaign_id=contact.campaign_id,
                contact=contact,
                step=step,
                sent_at=now,
            )
    except IntegrityError:
        return None


def build_message(campaign: Campaign, contact: CampaignContact, step: int, brand, logo: str):
    """Step `step` (1-based) for this contact: text and sanitised HTML, co-branded, with
    the campaign's tracked link and the one-click unsubscribe link and headers, its own
    words in the kit's language."""
    with content_language(campaign.kit.language):
        return _message(campaign, contact, step, brand, logo)


def _message(campaign: Campaign, contact: CampaignContact, step: int, brand, logo: str):
    tenant = campaign.tenant
    spec = campaign.kit.email_steps[step - 1]
    partner = campaign.partner
    body = cobrand.render(spec["body"], partner, brand, logo_src=logo)
    unsubscribe = unsubscribe_url(contact, tenant)
    context = {
        "campaign": campaign,
        "contact": contact,
        "partner": partner,
        "body": body,
        "contact_block": cobrand.values(partner, brand, logo_src=logo)["partner.contact"],
        "link": tenant_url(tenant, tracked_path(campaign)),
        "unsubscribe_url": unsubscribe,
        "brand_colour": brand.primary_color if brand else "#1f4e79",
    }
    html_body = render_to_string("marketing/email/sequence.html", context)
    text = render_to_string(
        "marketing/email/sequence.txt",
        {
            **context,
            "body_text": html.unescape(strip_tags(body)).strip(),
            "contact_text": _contact_text(partner, brand),
        },
    )
    name = _("%(partner)s via %(tenant)s") % {"partner": partner.name, "tenant": tenant.name}
    sender = formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
    mail = EmailMultiAlternatives(
        spec["subject"],
        text,
        sender,
        [contact.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        reply_to=[brand.contact_email] if brand and brand.contact_email else None,
    )
    mail.attach_alternative(html_body, "text/html")
    return mail


def _contact_text(partner, brand) -> str:
    lines = [partner.name]
    if brand:
        lines += [brand.contact_name, brand.contact_email, brand.contact_phone, brand.website]
    return "\n".join(x for x in lines if x)


def _permanent_refusal(exc: Exception) -> str:
    """The server's answer when it refused the recipient for good (an SMTP 5xx for the
    address), else "": a temporary or sender-side failure is not the contact's bounce."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        answers = list(exc.recipients.values())
        if all(code >= 500 for code, _text in answers):
            code, text = answers[0]
            reply = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
            return f"{code} {reply}"
    return ""


def _deliver(tenant, messages: list[tuple[int, EmailMultiAlternatives]]) -> None:
    """After the claims committed: hand each message to the backend; a failure marks its
    send failed (it is not tried again), and a permanent refusal of the address marks the
    contact bounced, suppressed for every later step."""
    failed, bounced = [], {}
    connection = get_connection()
    for send_id, message in messages:
        message.connection = connection
        try:
            message.send()
        except Exception as exc:  # the backend's errors are many (SMTP, sockets, API clients)
            log.exception("campaign e-mail %s could not be sent", send_id)
            failed.append(send_id)
            if refusal := _permanent_refusal(exc):
                bounced[send_id] = refusal
    if failed:
        with tenant_context(tenant):
            SequenceSend.objects.filter(pk__in=failed).update(status=SendStatus.FAILED)
            sends = SequenceSend.objects.filter(pk__in=bounced).select_related("contact")
            for send in sends:
                contact_bounced(contact=send.contact, detail=bounced[send.pk])


def _finish_done(campaign: Campaign) -> bool:
    """Finished: every subscribed contact got every step (and there is at least one)."""
    steps = len(campaign.kit.email_steps)
    left = CampaignContact.objects.filter(
        campaign=campaign, status=ContactStatus.SUBSCRIBED, steps_sent__lt=steps
    ).exclude(email__in=_suppressed(campaign.partner_id))
    if left.exists() or not CampaignContact.objects.filter(campaign=campaign).exists():
        return False
    campaign = _locked(campaign)
    if campaign.sequence_status != SequenceStatus.SENDING:
        return False
    _move(campaign, None, "finish", "marketing.campaign.sequence_finished")
    events.emit("campaign.sequence_finished", campaign)
    return True


@transaction.atomic
def sequences_send_due(*, tenant, now: datetime.datetime | None = None) -> int:
    """The sender's run for one tenant (inside its tenant_context): claim every due step of
    every sending campaign, up to the tenant's rate limit, and send them once this
    transaction commits. Returns how many were claimed."""
    now = now or timezone.now()
    budget = _budget(now)
    outgoing: list[tuple[int, EmailMultiAlternatives]] = []
    campaigns = Campaign.objects.filter(sequence_status=SequenceStatus.SENDING).select_related(
        "kit", "partner", "tenant"
    )
    for campaign in campaigns.order_by("sequence_started_at", "id"):
        if not campaign.kit.email_steps:
            continue
        brand = brand_kit(campaign.partner)
        logo = (
            tenant_url(tenant, landing_path(campaign) + "logo")
            if brand is not None and brand.logo
            else ""
        )
        if budget > 0:
            for contact in _due(campaign, now)[:budget]:
                sent = _claim(contact, now)
                if sent is None:
                    continue
                budget -= 1
                outgoing.append((sent.pk, build_message(campaign, contact, sent.step, brand, logo)))
        _finish_done(campaign)
    if outgoing:
        transaction.on_commit(lambda: _deliver(tenant, outgoing))
    return len(outgoing)
