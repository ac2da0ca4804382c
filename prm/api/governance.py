"""API for running the tenant itself: its custom host names. The same capability and the
same services as the portal pages (prm/views.py), so validation and the audit trail are
identical. (Whole-tenant export and deletion and personal data: tenantdata/api.py.)"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from prm import services
from prm.api.base import TenantViewSet
from prm.api.fields import NamedEnumField
from prm.models import HostStatus, TenantHost

# --- Serializers --------------------------------------------------------------------------


class VerificationRecordSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, help_text="DNS name of the TXT record.")
    type = serializers.CharField(read_only=True, default="TXT")
    value = serializers.CharField(read_only=True, help_text="The TXT record's exact value.")


class TenantHostSerializer(serializers.ModelSerializer):
    status = NamedEnumField(
        HostStatus,
        read_only=True,
        help_text="A host serves the tenant only while `verified`; it is `pending` until "
        "its verification record is seen in the DNS, `suspended` once the record is gone.",
    )
    verification_record = serializers.SerializerMethodField()

    class Meta:
        model = TenantHost
        fields = [
            "id",
            "host",
            "status",
            "verification_record",
            "is_canonical",
            "check_result",
            "created_at",
            "verified_at",
            "last_checked_at",
        ]
        read_only_fields = [f for f in fields if f != "host"]
        # Uniqueness is the service's to check (a clear "already in use" field error).
        extra_kwargs = {"host": {"validators": []}}

    @extend_schema_field(VerificationRecordSerializer)
    def get_verification_record(self, obj) -> dict:
        return {"name": obj.record_name, "type": "TXT", "value": obj.record_value}


class TenantHostCanonicalSerializer(serializers.Serializer):
    is_canonical = serializers.BooleanField(
        help_text="true: e-mail links use this (verified) host; false: back to "
        "<slug>.<base domain>."
    )


# --- Custom host names --------------------------------------------------------------------


class TenantHostViewSet(mixins.ListModelMixin, TenantViewSet):
    """Custom host names (domains) that serve this tenant, besides <slug>.<base domain>."""

    model = TenantHost
    serializer_class = TenantHostSerializer
    required_perm = "tenant.manage"
    ordering_fields = ["host", "id"]

    def scoped_queryset(self):
        # Host names are looked up before any tenant is known, so this table has no
        # row-level security: filter by the tenant explicitly.
        return TenantHost.objects.filter(tenant=self.tenant)

    @extend_schema(responses={201: TenantHostSerializer}, summary="Add a custom host name")
    def create(self, request):
        ser = TenantHostSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            host = services.tenant_host_add(
                tenant=self.tenant, by=self.member, host=ser.validated_data["host"]
            )
        return Response(TenantHostSerializer(host).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Remove a custom host name")
    def destroy(self, request, pk=None):
        host = self.get_object()
        with transaction.atomic():
            services.tenant_host_remove(tenant=self.tenant, by=self.member, host_id=host.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: TenantHostSerializer},
        summary="Look up the host's verification record now",
        description="The outcome is in `status` and `check_result` (a missing record is "
        "not an error; publish it and try again).",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        host = self.get_object()
        with transaction.atomic():
            host = services.tenant_host_verify(tenant=self.tenant, by=self.member, host_id=host.pk)
        return Response(TenantHostSerializer(host).data)

    @extend_schema(
        request=TenantHostCanonicalSerializer,
        responses={200: TenantHostSerializer},
        summary="Make a verified host the one e-mail links use (or stop)",
    )
    @action(detail=True, methods=["post"])
    def canonical(self, request, pk=None):
        host = self.get_object()
        ser = TenantHostCanonicalSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            host = services.tenant_host_set_canonical(
                tenant=self.tenant,
                by=self.member,
                host_id=host.pk,
                canonical=ser.validated_data["is_canonical"],
            )
        return Response(TenantHostSerializer(host).data)


router = SimpleRouter(trailing_slash=True)
router.register("tenant/hosts", TenantHostViewSet, basename="api-tenant-host")

urlpatterns = router.urls
