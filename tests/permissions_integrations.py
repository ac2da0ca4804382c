"""Permission rows for the integrations area: webhooks (admins) and notifications (every
member). The objects they point at are built lazily, once per world."""

from __future__ import annotations

from types import SimpleNamespace

from tests.factories import NotificationFactory, OutboxEventFactory, WebhookDeliveryFactory
from tests.permissions import EVERYONE, Endpoint

ADMIN = {"admin"}

# The one-click unsubscribe link in e-mails: the signed token is the credential.
PUBLIC_URL_NAMES = {"notification-unsubscribe"}


def integration_objects(world) -> SimpleNamespace:
    existing = getattr(world, "_integrations", None)
    if existing is not None:
        return existing
    from integrations import services
    from prm.tenancy import tenant_context

    with tenant_context(world.tenant):
        endpoint = services.webhook_endpoint_create(
            by=world.admin, url="https://hooks.example.com/prm", event_types=["deal.approved"]
        )
        event = OutboxEventFactory(
            tenant=world.tenant, event_type="deal.approved", payload={"deal_id": 1}
        )
        delivery = WebhookDeliveryFactory(
            tenant=world.tenant, endpoint=endpoint, event=event, next_attempt_at=None
        )
        notification = NotificationFactory(
            tenant=world.tenant, member=world.partner_user, url="/notifications/"
        )
    world._integrations = SimpleNamespace(
        endpoint=endpoint, delivery=delivery, notification=notification
    )
    return world._integrations


def _o(world):
    return integration_objects(world)


def _pair(url):
    return {"url": lambda w: url(_o(w)), "stranger_url": lambda w, s: url(_o(s))}


def notification_modes(world) -> dict[str, str]:
    """The preferences form filled in: every group in the digest, the summary e-mail sent."""
    from prm.events import GROUPS
    from prm.notifications import DIGEST_GROUP

    return {g: "immediate" if g == DIGEST_GROUP else "digest" for g in GROUPS}


ENDPOINTS = [
    # --- Portal
    Endpoint("webhook-list", lambda w: "/integrations/webhooks/", ADMIN),
    Endpoint(
        "webhook-list",
        lambda w: "/integrations/webhooks/",
        ADMIN,
        method="post",
        data=lambda w: {"url": "https://hooks.example.com/new", "event_types": ["deal.won"]},
    ),
    Endpoint(
        "webhook-detail",
        allowed=ADMIN,
        **_pair(lambda o: f"/integrations/webhooks/{o.endpoint.pk}/"),
    ),
    Endpoint(
        "webhook-detail",
        allowed=ADMIN,
        method="post",
        data=lambda w: {"url": "https://hooks.example.com/edited", "event_types": ["deal.won"]},
        **_pair(lambda o: f"/integrations/webhooks/{o.endpoint.pk}/"),
    ),
    # One URL per action (integrations.states.ENDPOINT / DELIVERY).
    Endpoint(
        "webhook-disable",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/integrations/webhooks/{o.endpoint.pk}/disable/"),
    ),
    Endpoint(
        "webhook-enable",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/integrations/webhooks/{o.endpoint.pk}/enable/"),
    ),
    Endpoint(
        "webhook-rotate-secret",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/integrations/webhooks/{o.endpoint.pk}/rotate-secret/"),
    ),
    # Irreversible actions: a GET of the action URL is its confirmation page (prm/confirm.py)
    Endpoint(
        "webhook-disable",
        allowed=ADMIN,
        **_pair(lambda o: f"/integrations/webhooks/{o.endpoint.pk}/disable/"),
    ),
    Endpoint(
        "webhook-rotate-secret",
        allowed=ADMIN,
        **_pair(lambda o: f"/integrations/webhooks/{o.endpoint.pk}/rotate-secret/"),
    ),
    Endpoint(
        "webhook-delivery",
        allowed=ADMIN,
        **_pair(lambda o: f"/integrations/deliveries/{o.delivery.pk}/"),
    ),
    Endpoint(
        "webhook-redeliver",
        allowed=ADMIN,
        method="post",
        **_pair(lambda o: f"/integrations/deliveries/{o.delivery.pk}/redeliver/"),
    ),
    Endpoint("notification-list", lambda w: "/notifications/", EVERYONE),
    Endpoint(
        "notification-mark-all-read",
        lambda w: "/notifications/mark-all-read/",
        EVERYONE,
        method="post",
        expect={302},
    ),
    # A notification is one member's own: the world's is the partner user's, so the others
    # get 404 like a missing object (tests/prm/test_notification_links.py covers each case).
    Endpoint(
        "notification-open",
        allowed=EVERYONE,
        expect={302, 404},
        **_pair(lambda o: f"/notifications/{o.notification.pk}/open/"),
    ),
    Endpoint("notification-preferences", lambda w: "/notifications/preferences/", EVERYONE),
    Endpoint(
        "notification-preferences",
        lambda w: "/notifications/preferences/",
        EVERYONE,
        method="post",
        data=notification_modes,
        expect={302},
    ),
    # --- API
    Endpoint("api-webhook-endpoint-list", lambda w: "/api/v1/webhook-endpoints/", ADMIN, api=True),
    Endpoint(
        "api-webhook-endpoint-list",
        lambda w: "/api/v1/webhook-endpoints/",
        ADMIN,
        api=True,
        method="post",
        data=lambda w: {"url": "https://hooks.example.com/api", "event_types": ["deal.lost"]},
    ),
    Endpoint(
        "api-webhook-endpoint-detail",
        allowed=ADMIN,
        api=True,
        **_pair(lambda o: f"/api/v1/webhook-endpoints/{o.endpoint.pk}/"),
    ),
    Endpoint(
        "api-webhook-endpoint-detail",
        allowed=ADMIN,
        api=True,
        method="patch",
        data=lambda w: {"description": "CRM"},
        **_pair(lambda o: f"/api/v1/webhook-endpoints/{o.endpoint.pk}/"),
    ),
    Endpoint(
        "api-webhook-endpoint-disable",
        allowed=ADMIN,
        api=True,
        method="post",
        **_pair(lambda o: f"/api/v1/webhook-endpoints/{o.endpoint.pk}/disable/"),
    ),
    Endpoint(
        "api-webhook-endpoint-enable",
        allowed=ADMIN,
        api=True,
        method="post",
        **_pair(lambda o: f"/api/v1/webhook-endpoints/{o.endpoint.pk}/enable/"),
    ),
    Endpoint(
        "api-webhook-endpoint-rotate-secret",
        allowed=ADMIN,
        api=True,
        method="post",
        **_pair(lambda o: f"/api/v1/webhook-endpoints/{o.endpoint.pk}/rotate-secret/"),
    ),
    Endpoint("api-webhook-delivery-list", lambda w: "/api/v1/webhook-deliveries/", ADMIN, api=True),
    Endpoint(
        "api-webhook-delivery-detail",
        allowed=ADMIN,
        api=True,
        **_pair(lambda o: f"/api/v1/webhook-deliveries/{o.delivery.pk}/"),
    ),
    Endpoint(
        "api-webhook-delivery-attempts",
        allowed=ADMIN,
        api=True,
        **_pair(lambda o: f"/api/v1/webhook-deliveries/{o.delivery.pk}/attempts/"),
    ),
    Endpoint(
        "api-webhook-delivery-redeliver",
        allowed=ADMIN,
        api=True,
        method="post",
        **_pair(lambda o: f"/api/v1/webhook-deliveries/{o.delivery.pk}/redeliver/"),
    ),
    Endpoint("api-notification-list", lambda w: "/api/v1/notifications/", EVERYONE, api=True),
    Endpoint(
        "api-notification-mark-read",
        lambda w: "/api/v1/notifications/mark-read/",
        EVERYONE,
        api=True,
        method="post",
    ),
    Endpoint(
        "api-notification-mark-all-read",
        lambda w: "/api/v1/notifications/mark-all-read/",
        EVERYONE,
        api=True,
        method="post",
    ),
    Endpoint(
        "api-notification-preferences",
        lambda w: "/api/v1/notification-preferences/",
        EVERYONE,
        api=True,
    ),
    Endpoint(
        "api-notification-preferences",
        lambda w: "/api/v1/notification-preferences/",
        EVERYONE,
        api=True,
        method="put",
        data=lambda w: {"preferences": [{"group": "deals", "mode": "digest"}]},
    ),
]
