"""Reads of the integrations area. Every caller holds `webhooks.manage` (the views and API
check it); the tenant comes from the tenant context."""

from __future__ import annotations

from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint


def endpoints():
    return WebhookEndpoint.objects.all().order_by("-created_at")


def deliveries():
    return WebhookDelivery.objects.select_related("endpoint", "event")


def deliveries_for(endpoint: WebhookEndpoint):
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .order_by("-created_at", "-id")
    )


def attempts_for(delivery: WebhookDelivery):
    return DeliveryAttempt.objects.filter(delivery=delivery).order_by("-attempted_at", "-id")
