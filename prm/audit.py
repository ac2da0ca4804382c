"""The audit trail: `log_action()` is called by every service that changes state.

Who and from where (user, IP, user agent) come from an audit context that the request
middleware and the Celery task base class set, so services do not pass the request around.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django_scopes import get_scope

from prm.models import AuditEvent

SECRET_KEYS = re.compile(r"pass(word)?|secret|token|key_hash|api_?key|otp|recovery", re.I)
MASK = "********"


@dataclass(frozen=True)
class AuditContext:
    user_id: int | None = None
    actor_label: str = ""
    ip: str | None = None
    user_agent: str = ""


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "audit_context", default=AuditContext(actor_label="system")
)


@contextlib.contextmanager
def audit_context(**kwargs: Any) -> Iterator[AuditContext]:
    ctx = AuditContext(**kwargs)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def current_context() -> AuditContext:
    return _context.get()


def mask(value: Any) -> Any:
    """JSON-safe copy of value with secrets masked (recursively, by key name)."""
    if isinstance(value, dict):
        return {
            str(k): (MASK if SECRET_KEYS.search(str(k)) and v not in (None, "") else mask(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set):
        return [mask(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of obj, ready for before/after (FKs as ids)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)
    return mask(out)


def log_action(
    action: str,
    *,
    tenant=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
) -> AuditEvent:
    """Append one audit event. `actor` overrides the context's user (e.g. at sign-in)."""
    ctx = current_context()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)[:200]
        if tenant is None and hasattr(obj, "tenant_id"):
            tenant = obj.tenant
    if tenant is None:
        # Inside a tenant context every event belongs to that tenant (RLS insists on it).
        tenant = get_scope().get("tenant")
    actor_id = actor.pk if actor is not None else ctx.user_id
    label = getattr(actor, "email", "") if actor is not None else ctx.actor_label
    event = AuditEvent(
        tenant=tenant,
        actor_id=actor_id,
        actor_label=label or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label[:200],
        before=mask(before) if before is not None else None,
        after=mask(after) if after is not None else None,
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300],
    )
    if tenant is None:
        _insert_without_returning(event)
    else:
        event.save(force_insert=True)
    return event


def _insert_without_returning(event: AuditEvent) -> None:
    """An event that belongs to no tenant (sign-in on the bare domain, a deleted tenant).

    The row policy lets the app role INSERT such rows but gives it no SELECT on them (they
    may name people of any tenant; operators read them as superuser). Django's
    INSERT ... RETURNING id would need that SELECT and fail, so the row is inserted without
    RETURNING and the returned event has no primary key."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    AuditEvent.objects.with_scopes_disabled()._insert([event], fields=fields, returning_fields=None)


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
