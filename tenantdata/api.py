"""API of tenant data: whole-tenant export and deletion (tenant admins), a member's export
of their own personal data, and erasure of a person. The same capabilities, services and
state machines (tenantdata.states) as the portal pages (tenantdata/views.py), so
validation, `allowed_actions` and the audit trail are identical."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from prm import selectors
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.fields import AllowedActionsMixin, NamedEnumField
from tenantdata import privacy
from tenantdata import services as tenant_data
from tenantdata.models import DeletionStatus, ExportStatus, TenantDeletion, TenantExport
from tenantdata.states import DELETION_MACHINE, EXPORT_MACHINE

# --- Serializers --------------------------------------------------------------------------


class TenantExportSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = EXPORT_MACHINE
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
            "allowed_actions",
        ]
        read_only_fields = fields


class TenantDeletionSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = DELETION_MACHINE
    status = NamedEnumField(DeletionStatus, read_only=True)

    class Meta:
        model = TenantDeletion
        fields = ["id", "status", "requested_at", "due_at", "cancelled_at", "allowed_actions"]
        read_only_fields = fields


class TenantDeletionRequestSerializer(serializers.Serializer):
    confirm = serializers.CharField(
        max_length=100,
        allow_blank=True,
        help_text="The tenant's slug, typed exactly: anything else is refused with a 400.",
    )


class PersonalDataExportQueuedSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)


class EraseSerializer(serializers.Serializer):
    confirm = serializers.CharField(
        max_length=254,
        allow_blank=True,
        help_text="The person's e-mail address, typed exactly: anything else is a 400.",
    )


class ErasedSerializer(serializers.Serializer):
    audit_rows = serializers.IntegerField(help_text="Audit events pseudonymised.")
    api_keys = serializers.IntegerField(help_text="API keys deleted.")
    invitations = serializers.IntegerField(help_text="Invitations pseudonymised.")


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
        return Response(
            TenantExportSerializer(export, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

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
        return Response(TenantDeletionSerializer(deletion, context={"request": request}).data)

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
        return Response(
            TenantDeletionSerializer(deletion, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


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
        return Response(TenantDeletionSerializer(deletion, context={"request": request}).data)


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


class MemberEraseView(TenantAPIView):
    """Erasure of a person, beside the core's member endpoints (`/members/{id}/...`)."""

    required_perm = "privacy.erase"

    @extend_schema(
        request=EraseSerializer,
        responses=ErasedSerializer,
        summary="Erase a person's personal data in this tenant (cannot be undone)",
        description="`confirm` must be the person's e-mail address, exactly.",
        operation_id="members_erase_create",
        tags=["members"],
        parameters=[
            OpenApiParameter(
                "id",
                int,
                OpenApiParameter.PATH,
                description="A unique integer value identifying this member.",
            )
        ],
    )
    def post(self, request, pk: int):
        member = get_object_or_404(selectors.members_visible_to(self.member), pk=pk)
        ser = EraseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        counts = privacy.person_erase_confirmed(
            by=self.member, member=member, confirm=ser.validated_data["confirm"]
        )
        return Response(ErasedSerializer(counts).data)


router = SimpleRouter(trailing_slash=True)
router.register("tenant/exports", TenantExportViewSet, basename="api-tenant-export")

urlpatterns = [
    path("tenant/deletion/", TenantDeletionView.as_view(), name="api-tenant-deletion"),
    path(
        "tenant/deletion/cancel/",
        TenantDeletionCancelView.as_view(),
        name="api-tenant-deletion-cancel",
    ),
    path("me/data-export/", MyDataExportView.as_view(), name="api-me-data-export"),
    path("members/<int:pk>/erase/", MemberEraseView.as_view(), name="api-member-erase"),
    *router.urls,
]
