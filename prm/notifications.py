"""In-portal notifications, per-member preferences and the daily digest.

Notifications are made by the outbox relay (integrations.relay.fan_out), set-based, from the
same events webhooks receive: staff events go to admins and channel managers, partner events to
the members of the partner named in the payload. Each member chooses, per event group
(prm.events.GROUPS): immediately (listed in the portal at once), in the daily digest
(e-mailed once a day, and listed) or off (nothing is made).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm import events
from prm.audit import log_action
from prm.errors import DomainError
from prm.i18n import recipient_language, recipient_languages
from prm.models import (
    Member,
    Notification,
    NotificationMode,
    NotificationPreference,
    OutboxEvent,
    Tenant,
)
from prm.roles import Role
from prm.tasks import for_each_tenant
from prm.tenancy import system_context, tenant_context
from prm.urls_util import tenant_url

# --- For the relay ------------------------------------------------------------------------


def catalogue_values() -> tuple[str, dict]:
    """The event catalogue as a SQL VALUES list (with its parameters) for fan_out(): one row
    per event type and portal language, so each member's notification title is written in
    their own language (the relay runs in a worker, where no request chose one)."""
    rows, params = [], {}
    i = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for event_type, (group, audience, title) in events.EVENTS.items():
                rows.append(f"(%(ce{i})s, %(cg{i})s, %(ca{i})s, %(ct{i})s, %(cl{i})s)")
                params.update(
                    {
                        f"ce{i}": event_type,
                        f"cg{i}": group,
                        f"ca{i}": audience,
                        f"ct{i}": str(title),
                        f"cl{i}": language,
                    }
                )
                i += 1
    params["cat_languages"] = [code for code, _name in settings.LANGUAGES]
    params["cat_default_language"] = settings.LANGUAGE_CODE
    return ", ".join(rows), params


# --- Selectors ----------------------------------------------------------------------------


def notifications_for(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(member=member).order_by("-created_at", "-id")


def unread_count(member: Member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


def modes_for(group: str) -> list[tuple[str, str]]:
    """The choices that mean something for `group`. The daily summary is a single e-mail:
    it is sent or not, so it offers "send" (stored as immediate) and off, never digest."""
    if group == DIGEST_GROUP:
        return [
            (NotificationMode.IMMEDIATE.value, gettext_lazy("Send")),
            (NotificationMode.OFF.value, NotificationMode.OFF.label),
        ]
    return list(NotificationMode.choices)


def preferences_for(member: Member) -> dict[str, str]:
    """Every group with the member's mode (immediate unless they chose otherwise)."""
    chosen = dict(NotificationPreference.objects.filter(member=member).values_list("group", "mode"))
    return {group: chosen.get(group, NotificationMode.IMMEDIATE) for group in events.GROUPS}


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def notification_preferences_set(*, member: Member, modes: dict[str, str]) -> dict[str, str]:
    """Set the member's own mode per group. Unknown groups or modes are refused."""
    for group, mode in modes.items():
        if group not in events.GROUPS:
            raise DomainError(_("Unknown group."), field=group)
        if mode not in NotificationMode.values:
            raise DomainError(_("Choose immediately, daily digest or off."), field=group)
        if mode not in dict(modes_for(group)):
            raise DomainError(_("Unknown value: %(v)s.") % {"v": mode}, field=group)
    before = preferences_for(member)
    for group, mode in modes.items():
        NotificationPreference.objects.update_or_create(
            tenant_id=member.tenant_id, member=member, group=group, defaults={"mode": mode}
        )
    after = preferences_for(member)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        log_action(
            "notifications.preferences_set",
            obj=member,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return after


@transaction.atomic
def notifications_mark_read(*, member: Member, ids: list[int] | None = None) -> int:
    """Mark the member's own notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(member=member, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- E-mail about events: notify() ---------------------------------------------------------
#
# Every optional e-mail about an event goes through notify(), which applies the member's
# preference for the event's group: immediate (in-portal notification + e-mail now), digest
# (in-portal notification, e-mailed with the next daily digest) or off (nothing at all).
#
# MANDATORY mails do NOT go through notify(): password resets, e-mail verification,
# invitations and welcome links, personal-data and tenant export links, security and
# operational alerts (e.g. a webhook endpoint disabled) and tenant deletion notices. People
# cannot opt out of them, and they carry no unsubscribe link. Their call sites say so.

UNSUBSCRIBE_SALT = "prm.notifications.unsubscribe"
DIGEST_GROUP = "digest"


def unsubscribe_token(member: Member, group: str) -> str:
    """A signed token naming (tenant, member, group). No expiry: an unsubscribe link in an old
    e-mail must keep working; it can only ever turn one group off for one member."""
    return signing.dumps({"t": member.tenant_id, "m": member.pk, "g": group}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(member: Member, group: str) -> str:
    token = unsubscribe_token(member, group)
    return tenant_url(member.tenant, reverse("notification-unsubscribe", args=[token]))


def unsubscribe_read(token: str, *, tenant) -> tuple[Member, str] | None:
    """The member and group a token names, or None when it is tampered with, names another
    tenant, an unknown group or a member who is gone. Precondition: inside tenant_context."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != tenant.pk:
        return None
    if data.get("g") not in events.GROUPS:
        return None
    member = Member.objects.select_related("user").filter(pk=data.get("m")).first()
    if member is None:
        return None
    return member, data["g"]


@transaction.atomic
def notification_unsubscribe(*, member: Member, group: str) -> bool:
    """Turn one group off for the member (the one-click link; no sign-in). Audited with the
    member's user as the actor. Returns False when it was already off."""
    if group not in events.GROUPS:
        raise DomainError(_("Unknown group."), field="group")
    before = preferences_for(member)[group]
    if before == NotificationMode.OFF:
        return False
    NotificationPreference.objects.update_or_create(
        tenant_id=member.tenant_id,
        member=member,
        group=group,
        defaults={"mode": NotificationMode.OFF},
    )
    log_action(
        "notifications.unsubscribed",
        obj=member,
        before={group: before},
        after={group: NotificationMode.OFF.value, "via": "unsubscribe link"},
        actor=member.user,
    )
    return True


def event_for(event_type: str, obj) -> OutboxEvent | None:
    """The latest outbox event of `event_type` about `obj`, so the notification notify()
    makes and the one the relay makes (integrations.relay.fan_out) are the same row."""
    spec = events.PAYLOADS.get(obj._meta.label_lower)
    key = spec[0] if spec else "id"
    return (
        OutboxEvent.objects.filter(event_type=event_type, **{f"payload__{key}": obj.pk})
        .order_by("-id")
        .first()
    )


def branding(tenant) -> dict:
    """What every e-mail shows of the tenant: name, colour and (if uploaded) logo."""
    return {
        "tenant": tenant,
        "brand_colour": tenant.primary_colour or "#1f5fbf",
        "logo_url": tenant_url(tenant, reverse("branding-logo")) if tenant.logo else "",
        "portal_url": tenant_url(tenant, "/"),
    }


def _render(template: str, context: dict) -> tuple[str, str]:
    """Text and HTML bodies. `template` is a .txt template extending emails/base.txt; its
    .html sibling is used when there is one, else emails/base.html shows the text content."""
    text = render_to_string(template, context)
    html_name = template.removesuffix(".txt") + ".html"
    html_template = select_template([html_name, "emails/base.html"])
    content = ""
    if html_template.template.name == "emails/base.html":
        content = render_to_string(template, {**context, "bare": True}).strip()
    html = html_template.render({**context, "content_text": content})
    return text, html


def build_message(
    *,
    tenant,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    unsubscribe: str = "",
    language: str | None = None,
) -> EmailMultiAlternatives:
    """One branded message with text and HTML bodies (and List-Unsubscribe if optional),
    written in the recipient's language (`language`, else the one their account chose, else
    the default): this is the one place every e-mail is rendered, often in a task where no
    request chose a language. Pass a lazy `subject` (gettext_lazy, prm.i18n.lazy_format) so
    it is translated here too."""
    context = {**branding(tenant), **context, "unsubscribe_url": unsubscribe}
    with translation.override(language or recipient_language(to)):
        subject = str(subject)
        text, html = _render(template, context)
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail = EmailMultiAlternatives(
        f"[{tenant.name}] {subject}", text, settings.DEFAULT_FROM_EMAIL, to, headers=headers
    )
    mail.attach_alternative(html, "text/html")
    return mail


def send_mandatory(
    *,
    tenant,
    to: Iterable[str],
    subject: str,
    template: str,
    context: dict,
    language: str | None = None,
    attachments: Callable[[], list[tuple[str, bytes, str]]] | None = None,
) -> int:
    """A MANDATORY mail (invitation, export link, deletion notice, security or operational
    alert, applicant mail): never filtered by preferences, no unsubscribe link, sent once
    the current transaction commits. Rendered now (templates may read tenant rows) in each
    recipient's language (User.language, else `language`, else the default): recipients
    who share a language get one message. Pass a lazy `subject`. `attachments` is called
    once, after the commit (it must not read the database). Returns how many messages."""
    by_language: dict[str, list[str]] = {}
    for email, lang in recipient_languages(to, default=language).items():
        by_language.setdefault(lang, []).append(email)
    messages = [
        build_message(
            tenant=tenant,
            to=emails,
            subject=subject,
            template=template,
            context=context,
            language=lang,
        )
        for lang, emails in by_language.items()
    ]
    if messages:

        def send() -> None:
            files = attachments() if attachments else []
            for message in messages:
                for name, content, mimetype in files:
                    message.attach(name, content, mimetype)
                message.send()

        transaction.on_commit(send)
    return len(messages)


def notify(
    members: Iterable[Member],
    *,
    group: str,
    subject: str,
    template: str,
    context: dict | None = None,
    path: str = "",
    kind: str = "",
    event: OutboxEvent | None = None,
    key: str = "",
) -> dict[str, int]:
    """Tell `members` about something in `group`, each as their preference says:
    immediate: an in-portal notification and an e-mail once the transaction commits;
    digest: an in-portal notification, e-mailed with the next daily digest;
    off: nothing.
    `event` (see event_for) makes the notification the relay's own row, so nobody sees it
    twice; without an event, `key` (unique per member, e.g. "mdf.claim.submitted:7:<time>")
    makes a repeated call (a task delivered twice) a no-op. Either way each notification is
    e-mailed at most once (its `emailed_at` is claimed first).
    Precondition: inside tenant_context (renders and writes tenant rows).
    Returns how many members got each mode."""
    if group not in events.GROUPS:
        raise ValueError(f"unknown notification group {group!r}; add it to prm.events.GROUPS")
    if path.startswith(("http://", "https://")):
        path = urlsplit(path).path  # an absolute portal link: keep the path of this host
    by_pk = {m.pk: m for m in members if m is not None and m.is_active}
    counts = dict.fromkeys(NotificationMode.values, 0)
    if not by_pk:
        return counts
    tenant = Tenant.objects.get(pk=next(iter(by_pk.values())).tenant_id)
    chosen = dict(
        NotificationPreference.objects.filter(member_id__in=by_pk, group=group).values_list(
            "member_id", "mode"
        )
    )
    people = Member.objects.select_related("user").filter(pk__in=by_pk).order_by("pk")
    mails = []
    for member in people:
        mode = chosen.get(member.pk, NotificationMode.IMMEDIATE)
        counts[mode] += 1
        if mode == NotificationMode.OFF:
            continue
        language = member.user.language or None
        with translation.override(language or recipient_language([member.user.email])):
            title = str(subject)[:200]
        fields = {
            "event_type": (kind or (event.event_type if event else group))[:60],
            "group": group,
            "title": title,
            "url": path[:300],
            "mode": mode,
        }
        if event is not None:
            note, _new = Notification.objects.get_or_create(
                tenant_id=tenant.pk, member=member, event=event, defaults=fields
            )
        elif key:
            note, _new = Notification.objects.get_or_create(
                tenant_id=tenant.pk, member=member, key=key[:120], defaults=fields
            )
        else:
            note = Notification.objects.create(tenant_id=tenant.pk, member=member, **fields)
        if mode == NotificationMode.IMMEDIATE and member.user.email and _claim_mail(note):
            url = tenant_url(tenant, path) if path else ""
            ctx = {"member": member, "url": url, **(context or {})}
            mails.append(
                build_message(
                    tenant=tenant,
                    to=[member.user.email],
                    subject=subject,
                    template=template,
                    context=ctx,
                    unsubscribe=unsubscribe_url(member, group),
                    language=language,
                )
            )
    if mails:

        def send() -> None:
            for mail in mails:
                mail.send()

        transaction.on_commit(send)
    return counts


def _claim_mail(note: Notification) -> bool:
    """True for the one caller that may e-mail this notification (a conditional update)."""
    return (
        Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        == 1
    )


def members_with_emails(emails: Iterable[str]) -> list[Member]:
    """Active members of the current tenant with these e-mail addresses (for call sites
    that pick recipients by address)."""
    emails = {e for e in emails if e}
    if not emails:
        return []
    return list(
        Member.objects.select_related("user").filter(is_active=True, user__email__in=emails)
    )


def notify_addresses(
    to: Iterable[str], *, group: str, subject: str, template: str, context: dict, kind: str = ""
) -> dict[str, int]:
    """`notify` for call sites that pick recipients by address: the active members with
    these e-mail addresses, told through their preferences for `group`, linked to
    `context["url"]`. `kind` defaults to "<group>.<template's base name>". (Mandatory mails
    to people who may not be members go through `send_mandatory` instead.)"""
    return notify(
        members_with_emails(to),
        group=group,
        subject=subject,
        template=template,
        context=context,
        path=context.get("url", ""),
        kind=kind or f"{group}." + template.rsplit("/", 1)[-1].removesuffix(".txt"),
    )


# --- Daily digest -------------------------------------------------------------------------


# The staff digest's sections, each `(order, section)` with `section(member)` returning a list
# of `{"title", "items", "count"}`; registered by the apps that own the figures in their
# AppConfig.ready() (deal registration: review queue and expiring protection; analytics:
# partners at risk).
DIGEST_SECTIONS: list[tuple[int, Callable[[Member], list[dict]]]] = []


def digest_section_register(order: int, section: Callable[[Member], list[dict]]) -> None:
    """Add a section provider to the staff digest (idempotent)."""
    if (order, section) not in DIGEST_SECTIONS:
        DIGEST_SECTIONS.append((order, section))
        DIGEST_SECTIONS.sort(key=lambda entry: entry[0])


def _staff_sections(member: Member) -> list[dict]:
    """What a channel manager should look at today."""
    return [part for _order, section in DIGEST_SECTIONS for part in section(member)]


def digest_wanted(member: Member) -> bool:
    """The digest has its own group: set to off, no digest is sent at all."""
    return not NotificationPreference.objects.filter(
        member=member, group=DIGEST_GROUP, mode=NotificationMode.OFF
    ).exists()


def digest_send(*, tenant, member: Member, now=None) -> bool:
    """E-mail one member their digest: undigested digest-mode notifications of the last day,
    plus (for staff) pending reviews, expiring deals and at-risk partners. Marks the
    notifications digested; returns False when there was nothing to say or the member
    turned the digest off."""
    now = now or timezone.now()
    with tenant_context(tenant):
        if not digest_wanted(member):
            return False
        notes = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(member=member, mode=NotificationMode.DIGEST, digested_at__isnull=True)
            .order_by("created_at")[:200]
        )
        language = recipient_language([member.user.email])
        with translation.override(language):  # section titles and reasons: the reader's
            sections = (
                _staff_sections(member) if member.role in (Role.ADMIN, Role.CHANNEL_MANAGER) else []
            )
        if not notes and not any(s["count"] for s in sections):
            return False
        context = {
            "member": member,
            "notifications": notes,
            "sections": sections,
            "portal_url": tenant_url(tenant, "/notifications/"),
            "preferences_url": tenant_url(tenant, "/notifications/preferences/"),
        }
        mail = build_message(
            tenant=tenant,
            to=[member.user.email],
            subject=gettext_lazy("your daily summary"),
            template="integrations/emails/digest.txt",
            context=context,
            unsubscribe=unsubscribe_url(member, DIGEST_GROUP),
            language=language,
        )
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digested_at=now)
        transaction.on_commit(mail.send)
        return True


def digest_recipients(*, tenant) -> list[Member]:
    """Staff (the digest is their daily worklist) and anyone with a group set to digest,
    less those who turned the digest itself off."""
    with tenant_context(tenant):
        digest_ids = NotificationPreference.objects.filter(
            mode=NotificationMode.DIGEST
        ).values_list("member_id", flat=True)
        off_ids = NotificationPreference.objects.filter(
            group=DIGEST_GROUP, mode=NotificationMode.OFF
        ).values_list("member_id", flat=True)
        return list(
            Member.objects.select_related("user")
            .filter(is_active=True)
            .filter(Q(role__in=[Role.ADMIN, Role.CHANNEL_MANAGER]) | Q(pk__in=digest_ids))
            .exclude(pk__in=off_ids)
        )


@shared_task(name="prm.notifications.digest_tenant", ignore_result=True, time_limit=600)
def digest_tenant(*, tenant_id: int) -> int:
    with system_context():
        tenant = Tenant.objects.get(pk=tenant_id)
    sent = 0
    for member in digest_recipients(tenant=tenant):
        sent += digest_send(tenant=tenant, member=member)
    return sent


@shared_task(name="prm.notifications.digest_all", ignore_result=True, time_limit=60)
def digest_all() -> int:
    return for_each_tenant(digest_tenant)
