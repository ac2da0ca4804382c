"""API of webhooks (admins): endpoints, their deliveries, the delivery log and redelivery.
Included from prm/api/urls.py."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from integrations import selectors, services
from integrations.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.states import DELIVERY, ENDPOINT
from prm import events
from prm.api.base import TenantViewSet
from prm.api.fields import AllowedActionsMixin

# --- Serializers (names prefixed Integrations for a unique schema) -----------------------


class IntegrationsWebhookEndpointSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = ENDPOINT
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
            "allowed_actions",
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


class IntegrationsWebhookDeliverySerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = DELIVERY
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
            "allowed_actions",
        ]


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
        return selectors.endpoints()

    def _out(self, endpoint, code=status.HTTP_200_OK):
        context = self.get_serializer_context()
        data = IntegrationsWebhookEndpointSerializer(endpoint, context=context).data
        return Response(data, status=code)

    @extend_schema(
        request=IntegrationsWebhookEndpointInputSerializer,
        responses={201: IntegrationsWebhookEndpointSerializer},
        summary="Register a webhook endpoint",
    )
    def create(self, request):
        ser = IntegrationsWebhookEndpointInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(by=self.member, **ser.validated_data)
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
        endpoint = services.webhook_endpoint_update(
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
        endpoint = services.webhook_endpoint_set_active(
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
        endpoint = services.webhook_endpoint_set_active(
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
        endpoint = services.webhook_endpoint_rotate_secret(
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
        return selectors.deliveries().order_by("-id")

    @extend_schema(
        request=None,
        responses=IntegrationsDeliveryAttemptSerializer(many=True),
        summary="The delivery log: every attempt with its response code and time",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def attempts(self, request, pk=None):
        delivery = self.get_object()
        rows = selectors.attempts_for(delivery)[:200]
        return Response(IntegrationsDeliveryAttemptSerializer(rows, many=True).data)

    @extend_schema(
        request=None,
        responses=IntegrationsWebhookDeliverySerializer,
        summary="Send a delivery again now",
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = services.webhook_redeliver(by=self.member, delivery=self.get_object())
        ser = IntegrationsWebhookDeliverySerializer(delivery, context=self.get_serializer_context())
        return Response(ser.data)


router = SimpleRouter(trailing_slash=True)
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="api-webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="api-webhook-delivery")

urlpatterns = router.urls
