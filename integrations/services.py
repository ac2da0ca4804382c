"""Writes of the integrations area: webhook endpoints (admins), redelivery, and the relay's
own change to an endpoint (disabling one that has failed for a day).

Every move of an endpoint or a delivery is checked against its machine
(integrations.states) and audited.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.states import DELIVERY, ENDPOINT
from prm import events, outbound
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.i18n import lazy_format
from prm.models import Member
from prm.notifications import send_mandatory
from prm.roles import Role, has_perm

log = logging.getLogger(__name__)

# The Celery names of the relay's tasks (integrations.tasks). They predate the app and stay as
# they are, so beat entries, routes and messages already queued still resolve.
RELAY_ALL_TASK = "prm.webhooks.relay_all"
RELAY_TENANT_TASK = "prm.webhooks.relay_tenant"


def relay_soon(tenant_id: int) -> None:
    """Ask a worker to relay now rather than at the next beat; harmless if the broker is
    down (the outbox row waits for the beat). Registered with prm.events.on_outbox_commit."""
    try:
        # The task object registered under its name (integrations.tasks imports this module).
        current_app.tasks[RELAY_TENANT_TASK].apply_async(kwargs={"tenant_id": tenant_id})
    except Exception:  # noqa: BLE001 - the broker being down must not fail a committed change
        log.warning("relay kick for tenant %s not queued; the beat will pick it up", tenant_id)


# --- URLs ---------------------------------------------------------------------------------


def allow_private() -> bool:
    return bool(getattr(settings, "PRM_WEBHOOKS_ALLOW_PRIVATE", False))


def _refused_address(host: str) -> str | None:
    """The first address `host` resolves to that is not public, or None if all are public.
    Raises DomainError when the name does not resolve."""
    try:
        return outbound.refused_address(outbound.resolve(host, 443))
    except (OSError, UnicodeError):
        raise DomainError(_("The host name does not resolve."), field="url")


def validate_url(url: str) -> str:
    """HTTPS only, and (unless PRM_WEBHOOKS_ALLOW_PRIVATE, set in local and test settings)
    no host resolving to a private, loopback, link-local or otherwise non-public address."""
    url = (url or "").strip()
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if allow_private() else ("https",)
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise DomainError(_("Enter an HTTPS URL."), field="url")
    if parts.username or parts.password:
        raise DomainError(_("Credentials do not belong in the URL."), field="url")
    if len(url) > 500:
        raise DomainError(_("The URL is too long."), field="url")
    if not allow_private() and _refused_address(parts.hostname):
        raise DomainError(
            _("This URL points to a private, loopback or link-local address."), field="url"
        )
    return url


def _validate_event_types(values) -> list[str]:
    values = sorted(set(values or []))
    if not values:
        raise DomainError(_("Choose at least one event."), field="event_types")
    unknown = [v for v in values if v not in events.EVENTS]
    if unknown:
        raise DomainError(
            _("Unknown events: %(e)s.") % {"e": ", ".join(unknown)}, field="event_types"
        )
    return values


# --- Endpoint services --------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@transaction.atomic
def webhook_endpoint_create(
    *, by: Member, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    if by is None or not has_perm(by.role, "webhooks.manage"):
        raise PermissionDenied()
    endpoint = WebhookEndpoint.objects.create(
        tenant_id=by.tenant_id,
        url=validate_url(url),
        event_types=_validate_event_types(event_types),
        description=(description or "").strip()[:200],
        secret=new_secret(),
        created_by=by,
    )
    log_action(
        "webhook.created",
        obj=endpoint,
        after={"url": endpoint.url, "event_types": endpoint.event_types},
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *,
    by: Member,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    ENDPOINT.check(endpoint, by, "edit")
    before = {"url": endpoint.url, "event_types": endpoint.event_types}
    if url is not None:
        endpoint.url = validate_url(url)
    if event_types is not None:
        endpoint.event_types = _validate_event_types(event_types)
    if description is not None:
        endpoint.description = description.strip()[:200]
    endpoint.save(update_fields=["url", "event_types", "description"])
    log_action(
        "webhook.updated",
        obj=endpoint,
        before=before,
        after={"url": endpoint.url, "event_types": endpoint.event_types},
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_set_active(
    *, by: Member | None, endpoint: WebhookEndpoint, active: bool, reason: str = ""
) -> WebhookEndpoint:
    """Disable (deliveries wait) or re-enable (they resume, the failure clock restarts).
    `by=None` is the relay disabling an endpoint that has failed for a day. Asking for the
    state the endpoint is already in changes nothing (an API retry is harmless)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    name = "enable" if active else ("disable" if by is not None else "disable_failing")
    if by is not None and not ENDPOINT[name].may(endpoint, by):
        raise PermissionDenied()
    if endpoint.is_active == active:
        return endpoint
    ENDPOINT.check(endpoint, by, name)
    now = timezone.now()
    endpoint.is_active = active
    endpoint.disabled_at = None if active else now
    endpoint.disabled_reason = "" if active else (reason or _("Disabled by an admin."))[:300]
    endpoint.failing_since = None
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "failing_since"])
    log_action(
        "webhook.enabled" if active else "webhook.disabled",
        obj=endpoint,
        after={"reason": endpoint.disabled_reason},
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, by: Member, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    ENDPOINT.check(endpoint, by, "rotate_secret")
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    log_action("webhook.secret_rotated", obj=endpoint)
    return endpoint


def webhook_endpoint_disable_failing(*, endpoint: WebhookEndpoint, tenant) -> None:
    """The relay's move: an endpoint whose every delivery failed for a day is disabled, and
    the tenant's admins are told by e-mail."""
    webhook_endpoint_set_active(
        by=None,
        endpoint=endpoint,
        active=False,
        reason=_("Every delivery failed for 24 hours."),
    )
    emails = list(
        Member.objects.filter(role=Role.ADMIN, is_active=True).values_list("user__email", flat=True)
    )
    # MANDATORY mail (operational alert to admins): bypasses notification preferences.
    send_mandatory(
        tenant=tenant,
        to=emails,
        subject=lazy_format(gettext_lazy("Webhook disabled: %(u)s"), u=endpoint.url),
        template="integrations/emails/webhook_disabled.txt",
        context={"url": endpoint.url},
    )


@transaction.atomic
def webhook_redeliver(*, by: Member, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue one more attempt now, whatever the delivery's state. The retry window starts
    again from this request."""
    delivery = WebhookDelivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
    DELIVERY.check(delivery, by, "redeliver")
    delivery.status = DELIVERY["redeliver"].target
    delivery.next_attempt_at = timezone.now()
    delivery.created_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at", "created_at"])
    log_action("webhook.redelivery_requested", obj=delivery, after={"event": delivery.event_id})
    tenant_id = delivery.tenant_id
    transaction.on_commit(lambda: relay_soon(tenant_id))
    return delivery
