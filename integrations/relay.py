"""The outbox relay: fan-out of outbox events into webhook deliveries and notifications,
signing and sending, and the delivery log.

The relay (`integrations.tasks.relay_all`, on Celery beat every 10 s, and kicked after each
commit that emits an event: `integrations.services.relay_soon`, registered with
`prm.events.on_outbox_commit`) works tenant by tenant inside `tenant_context()`:

1. fan-out: unrelayed outbox rows are locked `FOR UPDATE SKIP LOCKED` and turned, in one
   set-based statement, into one `WebhookDelivery` per subscribed active endpoint and one
   `Notification` per interested member (prm.notifications), then marked relayed;
2. delivery: one due delivery at a time is locked `FOR UPDATE SKIP LOCKED`, POSTed, logged
   and marked delivered (or rescheduled) in the same transaction. Two relays running at once
   therefore never send one delivery twice; a crash between the POST and the commit sends it
   again, which receivers absorb with the `X-PRM-Event-Id` header (at-least-once).

Signature (see docs/webhooks.md): header `X-PRM-Signature: t=<unix time>,v1=<hex>` where hex
is HMAC-SHA256, keyed with the endpoint's secret, over `<unix time>.<raw body>`.

The outbound HTTP client (`prm.outbound`: resolve once, refuse non-public addresses, connect
to the checked address) stays in the core: it is the one safe way for any app to call a
tenant-chosen URL.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import time

from django.db import connection
from django.utils import timezone

from integrations import services
from integrations.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.states import DELIVERY
from prm import history, outbound
from prm.models import OutboxEvent, Tenant
from prm.notifications import catalogue_values
from prm.tenancy import tenant_context

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-PRM-Signature"
RETRY_FOR = datetime.timedelta(hours=24)
DISABLE_AFTER = datetime.timedelta(hours=24)
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 4 * 3600
TIMEOUT_SECONDS = 10
FAN_OUT_BATCH = 500
DELIVERIES_PER_RUN = 200


# --- Signing and sending ------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def body_of(event: OutboxEvent, tenant: Tenant) -> bytes:
    return json.dumps(
        {
            "id": str(event.event_id),
            "type": event.event_type,
            "created_at": event.created_at.astimezone(datetime.UTC).isoformat(),
            "tenant": tenant.slug,
            "data": event.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, int, str]:
    """POST; returns (status code or None, milliseconds, error text). The host is resolved
    once and the connection goes to an address that passed the check (prm.outbound: no DNS
    rebinding between check and connect); a redirect is not followed but is the answer (a
    failed delivery), so nothing reaches an address that was not checked."""
    started = time.monotonic()
    code, error = None, ""
    try:
        code = outbound.post(
            url,
            body=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_private=services.allow_private(),
        )
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except outbound.Refused as exc:
        error = f"refused: {exc}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = str(exc) or type(exc).__name__
    return code, int((time.monotonic() - started) * 1000), error[:300]


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min ... doubling, at most 4 h between attempts."""
    return datetime.timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    )


# --- The relay ----------------------------------------------------------------------------


def fan_out(*, tenant) -> int:
    """Turn unrelayed outbox rows into deliveries and notifications (one statement).
    Must run inside tenant_context(tenant). Returns the number of events relayed."""
    values_sql, values_params = catalogue_values()
    with connection.cursor() as cur:
        # values_sql holds placeholders only.
        cur.execute(
            f"""
            WITH ev AS (
                SELECT id, event_type, payload FROM prm_outboxevent
                WHERE tenant_id = %(t)s AND relayed_at IS NULL
                ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
            ), cat (event_type, grp, audience, title, lang, obj_type, id_key, staff_mode,
                    partner_mode) AS (VALUES {values_sql}),
            deliveries AS (
                INSERT INTO prm_webhookdelivery (tenant_id, endpoint_id, event_id, status,
                    attempts, next_attempt_at, error, created_at)
                SELECT %(t)s, e.id, ev.id, 'pending', 0, now(), '', now()
                FROM ev JOIN prm_webhookendpoint e
                  ON e.tenant_id = %(t)s AND e.is_active AND ev.event_type = ANY(e.event_types)
                ON CONFLICT DO NOTHING
            ), evc AS MATERIALIZED (
                -- The payload's ids as plain columns: under row-level security a join qual
                -- with ->> or a text cast in it is not leakproof and cannot use an index.
                SELECT ev.id, ev.event_type, ev.payload, c.grp, c.title, c.lang, c.audience,
                       c.obj_type, c.staff_mode, c.partner_mode,
                       (ev.payload ->> c.id_key)::bigint AS obj_id,
                       (ev.payload ->> 'partner_id')::bigint AS partner_id,
                       (ev.payload ->> 'manager_id')::bigint AS manager_id
                FROM ev JOIN cat c ON c.event_type = ev.event_type
            ), staff AS MATERIALIZED (
                -- Read once a batch, not once an event (the planner cannot know how many
                -- events the CTE above holds).
                SELECT id, user_id, role FROM prm_member
                WHERE tenant_id = %(t)s AND is_active AND role IN ('admin', 'channel_manager')
            ), rcpt AS (
                -- One branch per audience, each an indexed look-up (a single join with the
                -- audiences OR-ed compared every event with every member: 10 s a batch at
                -- 100,000 members).
                SELECT evc.*, m.id AS member_id, m.user_id, m.role
                FROM evc JOIN staff m ON true
                WHERE evc.audience = 'staff'
                UNION ALL
                SELECT evc.*, m.id, m.user_id, m.role
                FROM evc JOIN prm_member m ON m.tenant_id = %(t)s AND m.is_active
                  AND m.id = evc.manager_id
                WHERE evc.audience = 'manager' AND evc.manager_id IS NOT NULL
                UNION ALL
                SELECT evc.*, m.id, m.user_id, m.role
                FROM evc JOIN staff m ON m.role = 'admin'
                WHERE evc.audience = 'manager' AND evc.manager_id IS NULL
                UNION ALL
                SELECT evc.*, m.id, m.user_id, m.role
                FROM evc JOIN prm_member m ON m.tenant_id = %(t)s AND m.is_active
                  AND m.partner_id = evc.partner_id
                WHERE evc.audience = 'partner'
            ), rcptm AS (
                -- Each recipient's mode: their own choice, else the default of their role
                -- (prm.notifications.default_mode).
                SELECT r.*, coalesce(p.mode, CASE WHEN r.role IN ('admin', 'channel_manager')
                                                  THEN r.staff_mode ELSE r.partner_mode END
                       ) AS mode
                FROM rcpt r
                LEFT JOIN prm_notificationpreference p
                  ON p.tenant_id = %(t)s AND p.member_id = r.member_id AND p."group" = r.grp
            ), notes AS (
                -- An event of a seeded history (prm.history) is no news: its notices are
                -- made read and are not e-mailed.
                INSERT INTO prm_notification (tenant_id, member_id, event_id, event_type,
                    "group", title, url, mode, object_type, object_id, read_at, emailed_at)
                SELECT %(t)s, r.member_id, r.id, r.event_type, r.grp,
                       left(r.title || coalesce(': ' || (r.payload ->> 'label'), ''), 200),
                       coalesce(r.payload ->> 'path', ''), r.mode, r.obj_type, r.obj_id,
                       CASE WHEN r.payload ? %(history_key)s THEN now() END,
                       CASE WHEN r.payload ? %(history_key)s THEN now() END
                FROM rcptm r
                JOIN prm_user u ON u.id = r.user_id
                WHERE r.mode <> 'off'
                  AND r.lang = CASE WHEN u.language = ANY(%(cat_languages)s) THEN u.language
                                    ELSE %(cat_default_language)s END
                ON CONFLICT DO NOTHING
            )
            UPDATE prm_outboxevent o SET relayed_at = now() FROM ev WHERE o.id = ev.id
            RETURNING o.id
            """,  # noqa: S608
            {
                "t": tenant.pk,
                "limit": FAN_OUT_BATCH,
                "history_key": history.HISTORY_KEY,
                **values_params,
            },
        )
        return len(cur.fetchall())


def deliver_one(*, tenant, now=None) -> WebhookDelivery | None:
    """Lock one due delivery (skipping rows another relay holds), send it, log the attempt
    and mark the outcome, all in one transaction. Returns None when nothing is due."""
    with tenant_context(tenant):
        now = now or timezone.now()
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
            )
            .order_by("next_attempt_at", "id")
            .first()
        )
        if delivery is None:
            return None
        endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
        event = OutboxEvent.objects.get(pk=delivery.event_id)
        body = body_of(event, tenant)
        timestamp = int(now.timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "PRM-Webhooks/1",
            "X-PRM-Event-Id": str(event.event_id),
            "X-PRM-Event-Type": event.event_type,
            "X-PRM-Delivery-Id": str(delivery.pk),
            SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
        }
        code, ms, error = post(endpoint.url, body, headers)
        ok = code is not None and 200 <= code < 300
        DeliveryAttempt.objects.create(
            tenant_id=tenant.pk,
            delivery=delivery,
            attempted_at=now,
            response_code=code,
            response_ms=ms,
            ok=ok,
            error="" if ok else error,
        )
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_code, delivery.response_ms = code, ms
        delivery.error = "" if ok else error
        if ok:
            move = DELIVERY.check(delivery, None, "deliver")
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                move.target,
                now,
                None,
            )
            if endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            if now - delivery.created_at >= RETRY_FOR:
                move = DELIVERY.check(delivery, None, "give_up")
                delivery.status, delivery.next_attempt_at = move.target, None
            else:
                DELIVERY.check(delivery, None, "retry")
                delivery.next_attempt_at = now + backoff(delivery.attempts)
            if endpoint.failing_since is None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
            elif now - endpoint.failing_since >= DISABLE_AFTER:
                services.webhook_endpoint_disable_failing(endpoint=endpoint, tenant=tenant)
        delivery.save(
            update_fields=[
                "attempts",
                "last_attempt_at",
                "response_code",
                "response_ms",
                "error",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
        return delivery


def relay_tenant(*, tenant, now=None, limit: int = DELIVERIES_PER_RUN) -> dict:
    """Fan out, then deliver what is due (at most `limit` attempts)."""
    with tenant_context(tenant):
        relayed = fan_out(tenant=tenant)
    sent = 0
    while sent < limit and deliver_one(tenant=tenant, now=now) is not None:
        sent += 1
    return {"relayed": relayed, "attempts": sent}
