"""API endpoints of the tenancy core: me, tenant settings, members, invitations, API keys,
audit events. Each write validates input, then calls one service."""

from __future__ import annotations

import django_filters
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from prm import selectors, services
from prm.api import serializers as s
from prm.api.base import TenantAPIView, TenantViewSet
from prm.models import ApiKey, AuditEvent, Invitation, Member


class MeView(TenantAPIView):
    required_perm = "portal.use"

    @extend_schema(responses=s.MeSerializer, summary="The calling member and its tenant")
    def get(self, request):
        m = self.member
        return Response(
            s.MeSerializer(
                {
                    "email": m.user.email,
                    "full_name": m.user.full_name,
                    "member": m,
                    "tenant": self.tenant,
                }
            ).data
        )


class TenantView(TenantAPIView):
    required_perm = "tenant.manage"

    @extend_schema(responses=s.TenantSerializer, summary="Tenant settings")
    def get(self, request):
        return Response(s.TenantSerializer(self.tenant).data)

    @extend_schema(
        request=s.TenantSerializer, responses=s.TenantSerializer, summary="Change tenant settings"
    )
    def patch(self, request):
        ser = s.TenantSerializer(self.tenant, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        tenant = services.tenant_update(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(s.TenantSerializer(tenant).data)


class MemberFilter(django_filters.FilterSet):
    role = django_filters.CharFilter()
    is_active = django_filters.BooleanFilter()
    partner = django_filters.NumberFilter(field_name="partner_id")
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="icontains")


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Members of the tenant. Staff see everyone; partner admins see their own company."""

    # Erasure of a person (`members/{id}/erase/`) is tenantdata's: tenantdata/api.py.

    model = Member
    serializer_class = s.MemberSerializer
    required_perms = {
        "list": "members.view",
        "retrieve": "members.view",
        "partial_update": "members.view",
    }
    filterset_class = MemberFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self):
        return selectors.members_visible_to(self.member)

    @extend_schema(
        request=s.MemberUpdateSerializer,
        responses=s.MemberSerializer,
        summary="Change a member's role or deactivate/reactivate them",
    )
    def partial_update(self, request, pk=None):
        member = self.get_object()
        ser = s.MemberUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        if "role" in ser.validated_data:
            member = services.member_change_role(
                by=self.member, member=member, role=ser.validated_data["role"]
            )
        if "is_active" in ser.validated_data:
            member = services.member_set_active(
                by=self.member, member=member, active=ser.validated_data["is_active"]
            )
        return Response(s.MemberSerializer(member).data)


class InvitationViewSet(mixins.ListModelMixin, TenantViewSet):
    """Pending invitations. Admins invite anyone; partner admins invite their colleagues."""

    model = Invitation
    serializer_class = s.InvitationSerializer
    required_perms = {
        "list": "members.view",
        "create": "members.invite",
        "revoke": "members.invite",
    }

    def scoped_queryset(self):
        return selectors.invitations_visible_to(self.member)

    @extend_schema(
        request=s.InvitationCreateSerializer,
        responses={201: s.InvitationSerializer},
        summary="Invite a person by e-mail",
    )
    def create(self, request):
        ser = s.InvitationCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        invitation, _url = services.member_invite(
            tenant=self.tenant, by=self.member, **ser.validated_data
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Revoke a pending invitation")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = self.get_object()
        services.invitation_revoke(tenant=self.tenant, by=self.member, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiKeyViewSet(mixins.ListModelMixin, TenantViewSet):
    """API keys: each member manages their own; admins see and revoke all."""

    model = ApiKey
    serializer_class = s.ApiKeySerializer
    required_perm = "api_keys.own"
    secret_fields = ("key",)  # shown once; never kept for an idempotent replay

    def scoped_queryset(self):
        return selectors.api_keys_visible_to(self.member)

    @extend_schema(
        request=s.ApiKeyCreateSerializer,
        responses={201: s.ApiKeyCreatedSerializer},
        summary="Create an API key for yourself (the key is shown once)",
    )
    def create(self, request):
        ser = s.ApiKeyCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        api_key, key = services.api_key_create(member=self.member, **ser.validated_data)
        data = s.ApiKeySerializer(api_key).data | {"key": key}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ApiKeySerializer, summary="Revoke an API key")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        api_key = services.api_key_revoke(by=self.member, api_key=self.get_object())
        return Response(s.ApiKeySerializer(api_key).data)


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="startswith")
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains")
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The tenant's audit trail (read-only, newest first)."""

    model = AuditEvent
    serializer_class = s.AuditEventSerializer
    required_perm = "audit.view"
    filterset_class = AuditEventFilter

    def scoped_queryset(self):
        return AuditEvent.objects.all()

    def get_object(self):
        try:
            return super().get_object()
        except (ValueError, TypeError):
            raise Http404


@csrf_exempt  # an answer, not a write: a form POST to a missing path is 404, not a CSRF 403
def not_found(request, *args, **kwargs):
    """Paths under /api/v1/ that match no endpoint (e.g. a non-numeric id)."""
    return JsonResponse({"type": "not_found", "detail": "Not found.", "errors": {}}, status=404)
