"""API of notifications (every member): the caller's own notifications and notification
preferences. Included from prm/api/urls.py."""

from __future__ import annotations

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from prm import events, notifications
from prm.api.base import TenantAPIView, TenantViewSet
from prm.models import Notification, NotificationMode

# --- Serializers (names prefixed Integrations, as before the webhooks moved out: the schema's
# component names stay as API clients know them) ------------------------------------------


class IntegrationsNotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "event_type",
            "group",
            "title",
            "url",
            "object_type",
            "object_id",
            "mode",
            "created_at",
            "read_at",
        ]


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

    @extend_schema(
        request=None,
        responses=IntegrationsMarkReadResultSerializer,
        summary="Mark all my notifications read",
    )
    @action(detail=False, methods=["post"], url_path="mark-all-read")
    def mark_all_read(self, request):
        marked = notifications.notifications_mark_read(member=self.member)
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
router.register("notifications", NotificationViewSet, basename="api-notification")

urlpatterns = [
    path(
        "notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    *router.urls,
]
