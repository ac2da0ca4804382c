"""API of the integrations area: webhook endpoints, their deliveries and redelivery
(admins), and the caller's own notifications and notification preferences (everyone)."""

from __future__ import annotations

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from prm import events, notifications, webhooks
from prm.api.base import TenantAPIView, TenantViewSet
from prm.models import (
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationMode,
    WebhookDelivery,
    WebhookEndpoint,
)

# --- Serializers (names prefixed Integrations for a unique schema) -----------------------


class IntegrationsWebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=events.EVENT_TYPES), allow_empty=False
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "secret",
            "is_active",
            "disabled_reason",
            "disabled_at",
            "failing_since",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "secret",
            "is_active",
            "disabled_reason",
            "disabled_at",
            "failing_since",
            "created_at",
        ]


class IntegrationsWebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=events.EVENT_TYPES), allow_empty=False
    )


class IntegrationsWebhookEndpointPatchSerializer(IntegrationsWebhookEndpointInputSerializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=events.EVENT_TYPES),
        allow_empty=False,
        required=False,
    )


class IntegrationsDeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["id", "attempted_at", "response_code", "response_ms", "ok", "error"]


class IntegrationsWebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.event_id", read_only=True)
    event_type = serializers.CharField(source="event.event_type", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "response_code",
            "response_ms",
            "error",
            "delivered_at",
            "created_at",
        ]


class IntegrationsNotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event_type", "group", "title", "url", "mode", "created_at", "read_at"]


class IntegrationsMarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class IntegrationsMarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class IntegrationsPreferenceSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=list(events.GROUPS.items()))
    mode = serializers.ChoiceField(choices=NotificationMode.choices)


class IntegrationsPreferencesSerializer(serializers.Serializer):
    """The mode (immediate, digest or off) of each event group."""

    preferences = IntegrationsPreferenceSerializer(many=True)


def _preferences_body(modes: dict[str, str]) -> dict:
    return {"preferences": [{"group": g, "mode": m} for g, m in modes.items()]}


# --- Views --------------------------------------------------------------------------------


class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Webhook endpoints. The signing secret is in every response: admins need it to verify
    signatures (see docs/webhooks.md)."""

    model = WebhookEndpoint
    serializer_class = IntegrationsWebhookEndpointSerializer
    required_perm = "webhooks.manage"
    ordering_fields = ["id", "created_at"]
    secret_fields = ("secret",)  # never kept for an idempotent replay

    def scoped_queryset(self):
        return webhooks.endpoints()

    def _out(self, endpoint, code=status.HTTP_200_OK):
        return Response(IntegrationsWebhookEndpointSerializer(endpoint).data, status=code)

    @extend_schema(
        request=IntegrationsWebhookEndpointInputSerializer,
        responses={201: IntegrationsWebhookEndpointSerializer},
        summary="Register a webhook endpoint",
    )
    def create(self, request):
        ser = IntegrationsWebhookEndpointInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_endpoint_create(by=self.member, **ser.validated_data)
        return self._out(endpoint, status.HTTP_201_CREATED)

    @extend_schema(
        request=IntegrationsWebhookEndpointPatchSerializer,
        responses=IntegrationsWebhookEndpointSerializer,
        summary="Change a webhook endpoint's URL, events or description",
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        ser = IntegrationsWebhookEndpointPatchSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_endpoint_update(
            by=self.member, endpoint=endpoint, **ser.validated_data
        )
        return self._out(endpoint)

    @extend_schema(
        request=None,
        responses=IntegrationsWebhookEndpointSerializer,
        summary="Disable an endpoint (deliveries wait until it is enabled again)",
    )
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        endpoint = webhooks.webhook_endpoint_set_active(
            by=self.member, endpoint=self.get_object(), active=False
        )
        return self._out(endpoint)

    @extend_schema(
        request=None,
        responses=IntegrationsWebhookEndpointSerializer,
        summary="Enable an endpoint again",
    )
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        endpoint = webhooks.webhook_endpoint_set_active(
            by=self.member, endpoint=self.get_object(), active=True
        )
        return self._out(endpoint)

    @extend_schema(
        request=None,
        responses=IntegrationsWebhookEndpointSerializer,
        summary="Replace the signing secret (the answer carries the new one)",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = webhooks.webhook_endpoint_rotate_secret(
            by=self.member, endpoint=self.get_object()
        )
        return self._out(endpoint)


class IntegrationsDeliveryFilter(django_filters.FilterSet):
    endpoint = django_filters.NumberFilter(field_name="endpoint_id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status"]


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Deliveries, newest first; filter with ?endpoint=<id>."""

    model = WebhookDelivery
    serializer_class = IntegrationsWebhookDeliverySerializer
    required_perm = "webhooks.manage"
    filterset_class = IntegrationsDeliveryFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self):
        return WebhookDelivery.objects.select_related("event").order_by("-id")

    @extend_schema(
        request=None,
        responses=IntegrationsDeliveryAttemptSerializer(many=True),
        summary="The delivery log: every attempt with its response code and time",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def attempts(self, request, pk=None):
        delivery = self.get_object()
        rows = webhooks.attempts_for(delivery)[:200]
        return Response(IntegrationsDeliveryAttemptSerializer(rows, many=True).data)

    @extend_schema(
        request=None,
        responses=IntegrationsWebhookDeliverySerializer,
        summary="Send a delivery again now",
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = webhooks.webhook_redeliver(by=self.member, delivery=self.get_object())
        return Response(IntegrationsWebhookDeliverySerializer(delivery).data)


class IntegrationsNotificationFilter(django_filters.FilterSet):
    group = django_filters.ChoiceFilter(choices=list(events.GROUPS.items()))
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["group", "unread"]


class NotificationViewSet(mixins.ListModelMixin, TenantViewSet):
    """The caller's own notifications, newest first; ?unread=true for unread ones only."""

    model = Notification
    serializer_class = IntegrationsNotificationSerializer
    required_perm = "notifications.use"
    filterset_class = IntegrationsNotificationFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self):
        return notifications.notifications_for(self.member)

    @extend_schema(
        request=IntegrationsMarkReadSerializer,
        responses=IntegrationsMarkReadResultSerializer,
        summary="Mark notifications read (all unread ones when no ids are given)",
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        ser = IntegrationsMarkReadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        marked = notifications.notifications_mark_read(
            member=self.member, ids=ser.validated_data.get("ids")
        )
        return Response({"marked": marked, "unread": notifications.unread_count(self.member)})


class NotificationPreferencesView(TenantAPIView):
    """The caller's notification mode per event group."""

    required_perm = "notifications.use"

    @extend_schema(responses=IntegrationsPreferencesSerializer, summary="My preferences")
    def get(self, request):
        return Response(_preferences_body(notifications.preferences_for(self.member)))

    @extend_schema(
        request=IntegrationsPreferencesSerializer,
        responses=IntegrationsPreferencesSerializer,
        summary="Change my preferences (groups left out keep their mode)",
    )
    def put(self, request):
        ser = IntegrationsPreferencesSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        modes = {p["group"]: p["mode"] for p in ser.validated_data["preferences"]}
        modes = notifications.notification_preferences_set(member=self.member, modes=modes)
        return Response(_preferences_body(modes))


router = SimpleRouter(trailing_slash=True)
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="api-webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="api-webhook-delivery")
router.register("notifications", NotificationViewSet, basename="api-notification")

urlpatterns = [
    path(
        "notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    *router.urls,
]
