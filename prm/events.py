"""Domain events: the catalogue, and `emit()`, which writes one row to the outbox.

Services call `emit()` inside their own transaction, next to `log_action()`, so the event
commits or rolls back with the change that caused it. Nothing talks to Redis here: the relay
(`prm.webhooks.relay`, run by Celery beat every 10 s) picks committed rows up, so an event is
never lost when the broker or every worker is down at commit time.

Set-based services (deal expiry, tier evaluation) insert into `prm_outboxevent` with
INSERT ... SELECT instead; `event_id` and `created_at` have database defaults for them.

Payloads carry ids and the facts a receiver needs (status, amounts as strings with their
currency, ISO 8601 dates); `partner_id` names the partner the event concerns, which is how
notifications find their recipients.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

# event type -> (group, audience, human title). Audience "staff" notifies admins and channel
# managers; "partner" notifies the members of payload["partner_id"].
EVENTS: dict[str, tuple[str, str, Any]] = {
    "deal.submitted": ("deals", "staff", _("Deal registration submitted")),
    "deal.approved": ("deals", "partner", _("Deal registration approved")),
    "deal.rejected": ("deals", "partner", _("Deal registration rejected")),
    "deal.expired": ("deals", "partner", _("Deal protection expired")),
    "deal.won": ("deals", "partner", _("Deal closed won")),
    "deal.lost": ("deals", "partner", _("Deal closed lost")),
    "lead.assigned": ("leads", "partner", _("A lead was offered to you")),
    "mdf.request.approved": ("mdf", "partner", _("Fund request approved")),
    "mdf.request.rejected": ("mdf", "partner", _("Fund request rejected")),
    "mdf.request.returned": ("mdf", "partner", _("Fund request returned for changes")),
    "mdf.claim.approved": ("mdf", "partner", _("Claim approved")),
    "mdf.claim.rejected": ("mdf", "partner", _("Claim rejected")),
    "mdf.claim.info_requested": ("mdf", "partner", _("More information requested on a claim")),
    "mdf.claim.paid": ("mdf", "partner", _("Claim paid")),
    "partner.status_changed": ("partners", "partner", _("Partner status changed")),
    "partner.tier_changed": ("partners", "partner", _("Partner tier changed")),
    # Audience "manager": the partner's channel manager (payload["manager_id"]), else admins.
    "partner.health_at_risk": ("health", "manager", _("Partner at risk")),
    "certification.earned": ("training", "partner", _("Certification earned")),
    "certification.expired": ("training", "partner", _("Certification expired")),
    "application.received": ("applications", "staff", _("Partner application received")),
}
EVENT_TYPES = tuple(EVENTS)

GROUPS: dict[str, Any] = {
    "deals": _("Deal registrations"),
    "leads": _("Leads"),
    "mdf": _("Market development funds"),
    "partners": _("Partner status and tier"),
    "health": _("Partner health"),
    "training": _("Certifications"),
    "applications": _("Partner applications"),
    # Groups of e-mails that are not webhook events (prm.notifications.notify):
    "onboarding": _("Onboarding steps and agreements"),
    # The daily summary itself: "off" stops it; any other choice keeps it.
    "digest": _("Daily summary e-mail"),
}


def group_of(event_type: str) -> str:
    return EVENTS[event_type][0]


def jsonable(payload: dict) -> dict:
    """Decimals, dates, UUIDs and lazy strings as JSON values (Decimal -> string)."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


# Model label -> (id key, fields, label, portal path). Missing fields are skipped, so the
# payload follows the model without breaking when a field is renamed elsewhere.
PAYLOADS: dict[str, tuple[str, tuple[str, ...], Any, Any]] = {
    "dealreg.deal": (
        "deal_id",
        (
            "partner_id", "status", "customer_name", "customer_domain", "amount", "currency",
            "expected_close_date", "protected_until", "decision_reason", "won_amount",
            "closed_at", "lost_reason", "external_id",
        ),
        lambda o: f"DR-{o.pk} {o.customer_name}",
        lambda o: f"/deals/{o.pk}/",
    ),
    "dealreg.leadoffer": (
        "offer_id",
        ("lead_id", "partner_id", "status", "score", "respond_by"),
        lambda o: o.lead.company,
        lambda o: "/leads/inbox/",
    ),
    "mdf.fundrequest": (
        "request_id",
        (
            "partner_id", "program_id", "status", "title", "activity_type", "requested_amount",
            "approved_amount", "currency", "decision_reason",
        ),
        lambda o: o.title,
        lambda o: f"/mdf/requests/{o.pk}/",
    ),
    "mdf.claim": (
        "claim_id",
        (
            "partner_id", "request_id", "status", "amount_claimed", "approved_amount",
            "currency", "payment_reference", "paid_on", "decision_reason",
        ),
        lambda o: f"{o.request.title}",
        lambda o: f"/mdf/claims/{o.pk}/",
    ),
    "partners.partner": (
        "partner_id",
        ("name", "status", "status_reason", "tier_id", "partner_type"),
        lambda o: o.name,
        lambda o: "/company/",
    ),
    "training.certificate": (
        "certificate_id",
        (
            "certification_id", "member_id", "holder_name", "status", "issued_at",
            "expires_at", "renewals",
        ),
        lambda o: f"{o.certification.name}: {o.holder_name}",
        lambda o: "/learning/certificates/",
    ),
    "onboarding.application": (
        "application_id",
        ("company_name", "partner_type", "country", "status", "fit_score", "website"),
        lambda o: o.company_name,
        lambda o: f"/applications/{o.pk}/",
    ),
}  # fmt: skip

_MISSING = object()


def payload_of(obj) -> dict:
    """The event payload for a model instance (PAYLOADS, or ids and a label by default)."""
    spec = PAYLOADS.get(obj._meta.label_lower)
    if spec is None:
        out = {"object_type": obj._meta.label_lower, "id": obj.pk, "label": str(obj)[:200]}
        partner_id = getattr(obj, "partner_id", None)
        if partner_id is not None:
            out["partner_id"] = partner_id
        return out
    id_key, fields, label, path = spec
    out = {id_key: obj.pk}
    for name in fields:
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING:
            out[name] = value
    out["label"] = str(label(obj))[:200]
    out["path"] = path(obj)
    return out


def emit(event_type: str, payload, tenant=None, **extra) -> None:
    """Write one event to the outbox in the caller's transaction.

    `payload` is a dict or a model instance (then `payload_of()` builds it and the tenant is
    the instance's); `extra` keys are added to it. Precondition: inside
    `tenant_context(tenant)` (RLS refuses rows of another tenant). Unknown event types raise,
    so a typo cannot silently create an event nobody subscribes to.
    """
    from prm.models import OutboxEvent

    if event_type not in EVENTS:
        raise ValueError(f"unknown event type {event_type!r}; add it to prm.events.EVENTS")
    if not isinstance(payload, dict):
        tenant = tenant if tenant is not None else payload.tenant_id
        payload = payload_of(payload)
    tenant_id = getattr(tenant, "pk", tenant)
    OutboxEvent.objects.create(
        tenant_id=tenant_id, event_type=event_type, payload=jsonable({**payload, **extra})
    )
    transaction.on_commit(lambda: _kick(tenant_id))


def _kick(tenant_id: int) -> None:
    from prm.webhooks import kick

    kick(tenant_id)


def outbox_sql(event_type: str, payload_sql: str, source: str) -> str:
    """SQL that inserts one outbox row per row of `source` (a CTE or table name), for
    set-based services. `payload_sql` is a jsonb expression over the source's columns; the
    tenant is the transaction's tenant (the RLS setting)."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown event type {event_type!r}")
    # event_type is from the catalogue; payload_sql and source are code, never input.
    return (
        "INSERT INTO prm_outboxevent (tenant_id, event_type, payload) "  # noqa: S608
        "SELECT NULLIF(current_setting('prm.tenant_id', true), '')::bigint, "
        f"'{event_type}', {payload_sql} FROM {source}"
    )


def ready() -> None:
    """Capabilities and menu entries of the integrations area (called from PrmConfig.ready)."""
    from prm import context_processors, notifications, roles, webhooks  # noqa: F401 (tasks)
    from prm.roles import Role

    roles.register(
        {
            "webhooks.manage": {Role.ADMIN},
            "notifications.use": set(roles.ALL_ROLES),
        }
    )
    context_processors.NAV.extend(
        [
            (96, _("Webhooks"), "webhook-list", "webhooks.manage"),
            (98, _("Notifications"), "notification-list", "notifications.use"),
        ]
    )
