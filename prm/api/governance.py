"""API for running the tenant itself: its custom host names, whole-tenant export and
deletion, and a member's export of their own personal data. The same capabilities and the
same services as the portal pages (prm/views.py, prm/tenant_data_views.py,
prm/privacy_views.py), so validation and the audit trail are identical."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from prm import privacy, services, tenant_data
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.fields import NamedEnumField
from prm.models import HostStatus, TenantHost
from prm.tenant_data_models import DeletionStatus, ExportStatus, TenantDeletion, TenantExport

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


class TenantExportSerializer(serializers.ModelSerializer):
    status = NamedEnumField(ExportStatus, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    is_downloadable = serializers.BooleanField(read_only=True)

    class Meta:
        model = TenantExport
        fields = [
            "id",
            "status",
            "tables_total",
            "tables_done",
            "percent",
            "rows",
            "size",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "is_downloadable",
        ]
        read_only_fields = fields


class TenantDeletionSerializer(serializers.ModelSerializer):
    status = NamedEnumField(DeletionStatus, read_only=True)

    class Meta:
        model = TenantDeletion
        fields = ["id", "status", "requested_at", "due_at", "cancelled_at"]
        read_only_fields = fields


class TenantDeletionRequestSerializer(serializers.Serializer):
    confirm = serializers.CharField(
        max_length=100,
        allow_blank=True,
        help_text="The tenant's slug, typed exactly: anything else is refused with a 400.",
    )


class PersonalDataExportQueuedSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)


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


# --- Whole-tenant export and deletion -----------------------------------------------------


class TenantExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Exports of the whole tenant as a ZIP of CSV files (built in the background; the
    requesting admin also gets the link by e-mail)."""

    model = TenantExport
    serializer_class = TenantExportSerializer
    required_perm = "tenant_data.manage"
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return TenantExport.objects.all()

    @extend_schema(
        request=None,
        responses={202: TenantExportSerializer},
        summary="Export the whole tenant (queued)",
    )
    def create(self, request):
        with transaction.atomic():
            export = tenant_data.export_request(by=self.member)
        return Response(TenantExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        summary="Download a finished export (until it expires)",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def download(self, request, pk=None):
        if not str(pk).isdigit():
            raise Http404
        export = tenant_data.export_for_download(by=self.member, pk=int(pk))
        if export is None:
            raise Http404
        resp = FileResponse(
            default_storage.open(export.file.name, "rb"),
            as_attachment=True,
            filename=f"{self.tenant.slug}-export-{export.pk}.zip",
            content_type="application/zip",
        )
        resp["Cache-Control"] = "no-store"
        resp["X-Content-Type-Options"] = "nosniff"
        return resp


class TenantDeletionView(TenantAPIView):
    """The tenant's scheduled deletion: it runs when `due_at` passes unless an admin
    cancels it first."""

    required_perm = "tenant_data.manage"

    @extend_schema(
        responses=TenantDeletionSerializer, summary="The pending deletion (404: none pending)"
    )
    def get(self, request):
        deletion = tenant_data.pending_deletion(self.tenant)
        if deletion is None:
            raise Http404
        return Response(TenantDeletionSerializer(deletion).data)

    @extend_schema(
        request=TenantDeletionRequestSerializer,
        responses={201: TenantDeletionSerializer},
        summary="Schedule the deletion of the whole tenant",
        description="`confirm` must be the tenant's slug, exactly. Every tenant admin is told "
        "by e-mail and any of them can cancel until `due_at`.",
    )
    def post(self, request):
        ser = TenantDeletionRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            deletion = tenant_data.deletion_request(
                by=self.member, confirm=ser.validated_data["confirm"]
            )
        return Response(TenantDeletionSerializer(deletion).data, status=status.HTTP_201_CREATED)


class TenantDeletionCancelView(TenantAPIView):
    required_perm = "tenant_data.manage"

    @extend_schema(
        request=None,
        responses=TenantDeletionSerializer,
        summary="Cancel the pending deletion (400: none pending)",
    )
    def post(self, request):
        with transaction.atomic():
            deletion = tenant_data.deletion_cancel(by=self.member)
        return Response(TenantDeletionSerializer(deletion).data)


# --- A member's own personal data ---------------------------------------------------------


class MyDataExportView(TenantAPIView):
    required_perm = "privacy.export_own"

    @extend_schema(
        request=None,
        responses={202: PersonalDataExportQueuedSerializer},
        summary="Export your own personal data (the link arrives by e-mail)",
    )
    def post(self, request):
        with transaction.atomic():
            privacy.export_request(member=self.member)
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter(trailing_slash=True)
router.register("tenant/hosts", TenantHostViewSet, basename="api-tenant-host")
router.register("tenant/exports", TenantExportViewSet, basename="api-tenant-export")

urlpatterns = [
    path("tenant/deletion/", TenantDeletionView.as_view(), name="api-tenant-deletion"),
    path(
        "tenant/deletion/cancel/",
        TenantDeletionCancelView.as_view(),
        name="api-tenant-deletion-cancel",
    ),
    path("me/data-export/", MyDataExportView.as_view(), name="api-me-data-export"),
    *router.urls,
]
