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
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Func, JSONField, OuterRef, Q, QuerySet, Subquery, Value
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm import events, history
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
from prm.urls_util import tenant_base_url, tenant_url

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
                object_type = events.object_type_of(event_type)
                spec = events.PAYLOADS.get(object_type)
                rows.append(
                    f"(%(ce{i})s, %(cg{i})s, %(ca{i})s, %(ct{i})s, %(cl{i})s, %(co{i})s, "
                    f"%(ck{i})s, %(cs{i})s, %(cp{i})s)"
                )
                params.update(
                    {
                        f"ce{i}": event_type,
                        f"cg{i}": group,
                        f"ca{i}": audience,
                        f"ct{i}": str(title),
                        f"cl{i}": language,
                        f"co{i}": object_type,
                        f"ck{i}": spec[0] if spec else "id",
                        f"cs{i}": default_mode(Role.ADMIN, group),
                        f"cp{i}": default_mode(Role.PARTNER_ADMIN, group),
                    }
                )
                i += 1
    params["cat_languages"] = [code for code, _name in settings.LANGUAGES]
    params["cat_default_language"] = settings.LANGUAGE_CODE
    return ", ".join(rows), params


# --- Defaults -----------------------------------------------------------------------------
#
# What a member is told when they never chose (docs/architecture.md, "Notifications"). Staff
# see every partner's events, so what is not theirs to act on now waits for the daily
# summary (listed in the portal at once, e-mailed once a day): partner health (the summary
# has its own at-risk section), certifications, onboarding steps, partner status and tier.
# What needs them (a deal or fund request to review, a new application) comes at once.
# Partner people hear only of their own company's objects, each a decision they wait for:
# at once. Each member can change any of it on the preferences page.
STAFF_DEFAULTS: dict[str, str] = {
    "health": NotificationMode.DIGEST,
    "training": NotificationMode.DIGEST,
    "onboarding": NotificationMode.DIGEST,
    "partners": NotificationMode.DIGEST,
    "leads": NotificationMode.DIGEST,
}
PARTNER_DEFAULTS: dict[str, str] = {
    # New marketing assets are news, not decisions: in the daily summary.
    "marketing": NotificationMode.DIGEST,
}


def default_mode(role: str, group: str) -> str:
    """The mode of `group` for a member of `role` who has not chosen one."""
    table = STAFF_DEFAULTS if role in (Role.ADMIN, Role.CHANNEL_MANAGER) else PARTNER_DEFAULTS
    return str(table.get(group, NotificationMode.IMMEDIATE))


# --- Links: what a notification is about, and whether its reader may open it --------------

# Model label -> `check(member, object_id) -> bool`, registered by the app that owns the
# model in its AppConfig.ready() with its own selector ("may this member see it?").
LINK_CHECKS: dict[str, Callable[[Member, int], bool]] = {}


def link_check_register(object_type: str, check: Callable[[Member, int], bool]) -> None:
    LINK_CHECKS[object_type] = check


def may_see(member: Member, object_type: str, object_id: int | None) -> bool:
    """True when the member may open the object (no check registered: the link was built
    for its recipients, as for rows made before notifications named their object)."""
    check = LINK_CHECKS.get(object_type)
    if check is None or object_id is None:
        return True
    return check(member, object_id)


def safe_path(url: str) -> str:
    """A portal path of this host, never another site ("//evil" or "https://...")."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    return url


# --- Selectors ----------------------------------------------------------------------------


def notifications_for(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(member=member).order_by("-created_at", "-id")


def unread_count(member: Member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


def latest_for(member: Member, limit: int = 5) -> list[Notification]:
    """The newest few, for the bell in the header."""
    return list(notifications_for(member)[:limit])


def by_day(notes: Iterable[Notification], today=None) -> list[tuple[str, list[Notification]]]:
    """Notifications (newest first) grouped by the day they came, in the active time zone:
    "Today", "Yesterday", then the date."""
    today = today or timezone.localdate()
    groups: list[tuple[str, list[Notification]]] = []
    current = None
    for note in notes:
        day = timezone.localtime(note.created_at).date()
        if day != current:
            current = day
            if day == today:
                label = _("Today")
            elif (today - day).days == 1:
                label = _("Yesterday")
            else:
                label = date_format(day, "DATE_FORMAT")
            groups.append((label, []))
        groups[-1][1].append(note)
    return groups


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
    """Every group with the member's mode (their role's default unless they chose)."""
    chosen = dict(NotificationPreference.objects.filter(member=member).values_list("group", "mode"))
    return {group: chosen.get(group, default_mode(member.role, group)) for group in events.GROUPS}


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


@transaction.atomic
def notification_open(*, member: Member, note: Notification) -> str:
    """Mark the member's own notification read and return where its link goes: the
    object's page when the member may still see it, else "" (the caller says it is gone)."""
    if note.member_id != member.pk:
        raise PermissionDenied
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    if not may_see(member, note.object_type, note.object_id):
        return ""
    return safe_path(note.url)


# Marks a seeded event (the demo's history) in its payload: not news for anyone.
HISTORY_KEY = history.HISTORY_KEY


@transaction.atomic
def notifications_seed_history(*, keep: int) -> int:
    """For a tenant whose history was just seeded (the demo): that history is not news.
    Its events are marked relayed without notifying anyone (no webhook endpoint exists yet)
    and as history (`HISTORY_KEY` in the payload): a notice a task queued by the seed makes
    later about one of them (an MDF decision tells the partner's admins after the commit) is
    made read and not e-mailed (see notify). Each member keeps only their `keep` newest unread
    notifications (those the services made directly); the rest are marked read.
    Precondition: inside tenant_context. Returns how many notifications were marked read."""
    OutboxEvent.objects.filter(relayed_at__isnull=True).update(relayed_at=timezone.now())
    OutboxEvent.objects.update(
        payload=Func(F("payload"), Value({HISTORY_KEY: True}, JSONField()), function="jsonb_concat")
    )
    return notifications_mark_history_read(keep=keep)


@transaction.atomic
def notifications_mark_history_read(*, keep: int) -> int:
    """Mark read all but each member's `keep` newest unread notifications. Precondition:
    inside tenant_context."""
    newest = (
        Notification.objects.filter(member_id=OuterRef("member_id"), read_at__isnull=True)
        .order_by("-created_at", "-id")
        .values("pk")[:keep]
    )
    return (
        Notification.objects.filter(read_at__isnull=True)
        .exclude(pk__in=Subquery(newest))
        .update(read_at=timezone.now())
    )


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


def unsubscribe_url(member: Member, group: str, *, base_url: str | None = None) -> str:
    """The one-click link; `base_url` (tenant_base_url of the member's tenant) when the caller
    already has it."""
    token = unsubscribe_token(member, group)
    path = reverse("notification-unsubscribe", args=[token])
    return (base_url + path) if base_url is not None else tenant_url(member.tenant, path)


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


def branding(tenant, *, base_url: str | None = None) -> dict:
    """What every e-mail shows of the tenant: name, colour and (if uploaded) logo. `base_url`
    is tenant_base_url(tenant) when the caller already has it."""
    base = base_url if base_url is not None else tenant_base_url(tenant)
    return {
        "tenant": tenant,
        "brand_colour": tenant.primary_colour or "#1f5fbf",
        "logo_url": base + reverse("branding-logo") if tenant.logo else "",
        "portal_url": base + "/",
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
    base_url: str | None = None,
) -> EmailMultiAlternatives:
    """One branded message with text and HTML bodies (and List-Unsubscribe if optional),
    written in the recipient's language (`language`, else the one their account chose, else
    the default): this is the one place every e-mail is rendered, often in a task where no
    request chose a language. Pass a lazy `subject` (gettext_lazy, prm.i18n.lazy_format) so
    it is translated here too. `base_url`: tenant_base_url(tenant), when the caller has it."""
    context = {**branding(tenant, base_url=base_url), **context, "unsubscribe_url": unsubscribe}
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
    obj=None,
) -> dict[str, int]:
    """Tell `members` about something in `group`, each as their preference says:
    immediate: an in-portal notification and an e-mail once the transaction commits;
    digest: an in-portal notification, e-mailed with the next daily digest;
    off: nothing.
    `event` (see event_for) makes the notification the relay's own row, so nobody sees it
    twice; without an event, `key` (unique per member, e.g. "mdf.claim.submitted:7:<time>")
    makes a repeated call (a task delivered twice) a no-op. Either way each notification is
    e-mailed at most once (its `emailed_at` is claimed first). A notice about a seeded
    history event, or made by a task the seed queued (see prm.history), is made read and
    never e-mailed.
    `obj` (the deal, request, claim ... the notice is about) names it in the title ("Deal
    registration approved: DR-7 Initech · Northwind · USD 50,000.00", its events.PAYLOADS
    label) and is kept as the notification's object; a member who may not see it gets no link.
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
    chosen = dict(
        NotificationPreference.objects.filter(member_id__in=by_pk, group=group).values_list(
            "member_id", "mode"
        )
    )
    people = list(
        Member.objects.select_related("user", "tenant").filter(pk__in=by_pk).order_by("pk")
    )
    if not people:
        return counts
    tenant = people[0].tenant
    base_url = None  # the tenant's canonical address, looked up once for every link
    object_type, object_id, label = _object_of(obj, event)
    mails = []
    for member in people:
        mode = chosen.get(member.pk, default_mode(member.role, group))
        counts[mode] += 1
        if mode == NotificationMode.OFF:
            continue
        # The member's own language, else the default (recipient_language's answer for
        # someone who chose none, without asking the database again).
        language = member.user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            title = str(subject)
            if label and label not in title:
                title = f"{title}: {label}"
            title = title[:200]
        visible = may_see(member, object_type, object_id)
        fields = {
            "event_type": (kind or (event.event_type if event else group))[:60],
            "group": group,
            "title": title,
            "url": path[:300] if visible else "",
            "mode": mode,
            "object_type": object_type,
            "object_id": object_id,
        }
        seeded = history.is_replay() or (event is not None and bool(event.payload.get(HISTORY_KEY)))
        if seeded:
            fields.update(read_at=timezone.now(), emailed_at=timezone.now())
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
            if base_url is None:
                base_url = tenant_base_url(tenant)
            url = base_url + path if path and visible else ""
            ctx = {"member": member, "url": url, **(context or {})}
            mails.append(
                build_message(
                    tenant=tenant,
                    to=[member.user.email],
                    subject=subject,
                    template=template,
                    context=ctx,
                    unsubscribe=unsubscribe_url(member, group, base_url=base_url),
                    language=language,
                    base_url=base_url,
                )
            )
    if mails:

        def send() -> None:
            for mail in mails:
                mail.send()

        transaction.on_commit(send)
    return counts


def _object_of(obj, event: OutboxEvent | None) -> tuple[str, int | None, str]:
    """(model label, id, label for people) of what a notice is about: `obj`, else the
    object its outbox event names."""
    if obj is not None:
        spec = events.PAYLOADS.get(obj._meta.label_lower)
        label = str(spec[2](obj)) if spec else str(obj)
        return obj._meta.label_lower, obj.pk, label
    if event is not None:
        object_type = events.object_type_of(event.event_type)
        spec = events.PAYLOADS.get(object_type)
        object_id = event.payload.get(spec[0]) if spec else None
        return object_type, object_id, str(event.payload.get("label", ""))
    return "", None, ""


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
    to: Iterable[str],
    *,
    group: str,
    subject: str,
    template: str,
    context: dict,
    kind: str = "",
    obj=None,
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
        obj=obj,
    )


# --- Daily digest -------------------------------------------------------------------------


# The staff digest's sections, each `(order, section)` with `section(member)` returning a list
# of `{"title", "items", "count"}`; registered by the apps that own the figures in their
# AppConfig.ready() (deal registration: review queue and expiring protection; analytics:
# partners at risk).
DIGEST_SECTIONS: list[tuple[int, Callable[[Member], list[dict]]]] = []
# The partner people's digest's sections, the same way (community: new unread announcements
# and the events they registered for).
PARTNER_DIGEST_SECTIONS: list[tuple[int, Callable[[Member], list[dict]]]] = []


def digest_section_register(
    order: int, section: Callable[[Member], list[dict]], *, audience: str = "staff"
) -> None:
    """Add a section provider to the staff digest, or with audience="partner" to the partner
    people's digest (idempotent)."""
    sections = PARTNER_DIGEST_SECTIONS if audience == "partner" else DIGEST_SECTIONS
    if (order, section) not in sections:
        sections.append((order, section))
        sections.sort(key=lambda entry: entry[0])


def _staff_sections(member: Member) -> list[dict]:
    """What a channel manager should look at today."""
    return [part for _order, section in DIGEST_SECTIONS for part in section(member)]


def _sections(member: Member) -> list[dict]:
    """The digest's sections for this member: staff's worklist, or a partner person's news."""
    if member.role in (Role.ADMIN, Role.CHANNEL_MANAGER):
        return _staff_sections(member)
    if member.partner_id is None:
        return []
    return [part for _order, section in PARTNER_DIGEST_SECTIONS for part in section(member)]


def digest_wanted(member: Member) -> bool:
    """The digest has its own group: set to off, no digest is sent at all."""
    return not NotificationPreference.objects.filter(
        member=member, group=DIGEST_GROUP, mode=NotificationMode.OFF
    ).exists()


def digest_send(*, tenant, member: Member, now=None) -> bool:
    """E-mail one member their digest: undigested digest-mode notifications of the last day,
    plus (for staff) pending reviews, expiring deals and at-risk partners, (for partner people)
    new unread announcements and their coming events. Marks the
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
            sections = _sections(member)
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
            template="notifications/emails/digest.txt",
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
