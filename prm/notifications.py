"""In-portal notifications, per-member preferences and the daily digest.

Notifications are made by the outbox relay (prm.webhooks.fan_out), set-based, from the same
events webhooks receive: staff events go to admins and channel managers, partner events to
the members of the partner named in the payload. Each member chooses, per event group
(prm.events.GROUPS): immediately (listed in the portal at once), in the daily digest
(e-mailed once a day, and listed) or off (nothing is made).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from prm import events
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import (
    Member,
    Notification,
    NotificationMode,
    NotificationPreference,
    Tenant,
)
from prm.roles import Role
from prm.tenancy import system_context, tenant_context
from prm.urls_util import tenant_url

# --- For the relay ------------------------------------------------------------------------


def catalogue_values() -> tuple[str, dict]:
    """The event catalogue as a SQL VALUES list (with its parameters) for fan_out()."""
    rows, params = [], {}
    for i, (event_type, (group, audience, title)) in enumerate(events.EVENTS.items()):
        rows.append(f"(%(ce{i})s, %(cg{i})s, %(ca{i})s, %(ct{i})s)")
        params.update(
            {f"ce{i}": event_type, f"cg{i}": group, f"ca{i}": audience, f"ct{i}": str(title)}
        )
    return ", ".join(rows), params


# --- Selectors ----------------------------------------------------------------------------


def notifications_for(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(member=member).order_by("-created_at", "-id")


def unread_count(member: Member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


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


# --- Daily digest -------------------------------------------------------------------------


def _staff_sections(member: Member) -> list[dict]:
    """What a channel manager should look at today."""
    from dealreg.selectors import expiring_soon, review_queue

    sections = []
    pending = review_queue().filter(partner__owner=member)
    if member.role == Role.ADMIN or not pending.exists():
        pending = review_queue()
    sections.append(
        {
            "title": _("Deal registrations waiting for review"),
            "items": [f"DR-{d.pk} {d.customer_name} ({d.partner.name})" for d in pending[:20]],
            "count": pending.count(),
        }
    )
    expiring = expiring_soon(days=7)
    sections.append(
        {
            "title": _("Deal protection ending within 7 days"),
            "items": [
                f"DR-{d.pk} {d.customer_name} ({d.partner.name}), {d.protected_until}"
                for d in expiring[:20]
            ],
            "count": expiring.count(),
        }
    )
    try:
        from analytics.models import RiskEpisode
    except ImportError:  # pragma: no cover - analytics is optional for this digest
        return sections
    at_risk = RiskEpisode.objects.filter(ended_on__isnull=True).select_related("partner")
    sections.append(
        {
            "title": _("Partners at risk"),
            "items": [f"{e.partner.name}: {e.reason}" for e in at_risk[:20]],
            "count": at_risk.count(),
        }
    )
    return sections


def digest_send(*, tenant, member: Member, now=None) -> bool:
    """E-mail one member their digest: undigested digest-mode notifications of the last day,
    plus (for staff) pending reviews, expiring deals and at-risk partners. Marks the
    notifications digested; returns False when there was nothing to say."""
    now = now or timezone.now()
    with tenant_context(tenant):
        notes = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(member=member, mode=NotificationMode.DIGEST, digested_at__isnull=True)
            .order_by("created_at")[:200]
        )
        sections = (
            _staff_sections(member) if member.role in (Role.ADMIN, Role.CHANNEL_MANAGER) else []
        )
        if not notes and not any(s["count"] for s in sections):
            return False
        context = {
            "tenant": tenant,
            "member": member,
            "notifications": notes,
            "sections": sections,
            "portal_url": tenant_url(tenant, "/notifications/"),
            "preferences_url": tenant_url(tenant, "/notifications/preferences/"),
        }
        subject = _("%(t)s: your daily summary") % {"t": tenant.name}
        text = render_to_string("integrations/emails/digest.txt", context)
        html = render_to_string("integrations/emails/digest.html", context)
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digested_at=now)
        to = member.user.email

        def send():
            mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
            mail.attach_alternative(html, "text/html")
            mail.send()

        transaction.on_commit(send)
        return True


def digest_recipients(*, tenant) -> list[Member]:
    """Staff (the digest is their daily worklist) and anyone with a group set to digest."""
    with tenant_context(tenant):
        digest_ids = NotificationPreference.objects.filter(
            mode=NotificationMode.DIGEST
        ).values_list("member_id", flat=True)
        return list(
            Member.objects.select_related("user")
            .filter(is_active=True)
            .filter(Q(role__in=[Role.ADMIN, Role.CHANNEL_MANAGER]) | Q(pk__in=digest_ids))
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
    with system_context():
        ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in ids:
        digest_tenant.delay(tenant_id=tenant_id)
    return len(ids)
