"""Payouts API under /api/v1/incentives/: the partner's payee details, the payee review,
payout batches (prepare, approve, second approval, cancel, export, mark paid), paid lines
with their remittance advice, statements (PDF, CSV, writing a month), payout settings. The
same capabilities and the same rules as the portal (incentives/views_payouts.py); each write
validates its input, then calls one service. IBANs are masked except for the vendor's admins
and the partner's own admins."""

from __future__ import annotations

import io

from django.http import FileResponse, HttpResponse
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from incentives import payout_files
from incentives import selectors_payouts as sel
from incentives.models_payouts import (
    HoldReason,
    PayeeDetails,
    PayoutBatch,
    PayoutHold,
    PayoutLine,
    Statement,
)
from incentives.services import payouts as svc
from incentives.services.statements import statements_request
from incentives.states_payouts import BATCH, PAYEE
from partners.models import Partner
from prm.api.base import TenantAPIView, TenantViewSet
from prm.csv_export import csv_response
from prm.portal import require_action

# --- Serializers ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class _MaskedIban(serializers.Field):
    """The IBAN in full for the vendor's admins and the partner's own admins, else masked."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        member = self.context.get("member")
        if member is not None and sel.sees_full_iban(member, obj.partner_id):
            return obj.iban
        return obj.masked_iban


class PayeeDetailsSerializer(serializers.ModelSerializer):
    iban = _MaskedIban(help_text="Masked except for admins and the partner's own admins.")
    tax_form = serializers.CharField(source="tax_form_name", read_only=True)

    class Meta:
        model = PayeeDetails
        fields = [
            "id",
            "partner",
            "account_holder",
            "iban",
            "bic",
            "address",
            "currency",
            "tax_form",
            "status",
            "decision_reason",
            "submitted_at",
            "reviewed_at",
        ]
        read_only_fields = fields


class PayeeWriteSerializer(serializers.Serializer):
    account_holder = serializers.CharField(max_length=70)
    iban = serializers.CharField(max_length=42)
    bic = serializers.CharField(max_length=14, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=500)
    currency = serializers.CharField(max_length=3)
    tax_form = serializers.FileField(required=False, allow_null=True, default=None)


class PayeeRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PayoutHoldSerializer(serializers.ModelSerializer):
    reason = serializers.ChoiceField(choices=HoldReason.choices, read_only=True)
    currency = serializers.CharField(source="batch.currency", read_only=True)

    class Meta:
        model = PayoutHold
        fields = ["partner", "amount", "currency", "reason"]
        read_only_fields = fields


class PayoutLineSerializer(serializers.ModelSerializer):
    iban = _MaskedIban()
    batch_number = serializers.CharField(source="batch.number", read_only=True)
    paid_at = serializers.DateTimeField(source="batch.paid_at", read_only=True)

    class Meta:
        model = PayoutLine
        fields = [
            "id",
            "batch",
            "batch_number",
            "partner",
            "amount",
            "currency",
            "account_holder",
            "iban",
            "bic",
            "paid_at",
        ]
        read_only_fields = fields


class PayoutBatchSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    lines = PayoutLineSerializer(many=True, read_only=True)
    holds = PayoutHoldSerializer(many=True, read_only=True)

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "number",
            "currency",
            "period_start",
            "period_end",
            "status",
            "total",
            "needs_second_approval",
            "note",
            "created_at",
            "created_by",
            "approved_at",
            "approved_by",
            "second_approved_at",
            "second_approved_by",
            "exported_at",
            "paid_at",
            "payment_reference",
            "cancelled_reason",
            "lines",
            "holds",
        ]
        read_only_fields = fields


class PayoutBatchCreateSerializer(serializers.Serializer):
    currency = serializers.CharField(max_length=3)
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PayoutReferenceSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)


class PayoutCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class StatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = [
            "id",
            "partner",
            "month",
            "currency",
            "opening",
            "earned",
            "approved",
            "paid",
            "reversed",
            "closing",
            "generated_at",
        ]
        read_only_fields = fields


class StatementMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="Any day of the month (YYYY-MM-DD).")


class PayoutSettingsSerializer(serializers.Serializer):
    minimum_payout = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    second_approval_above = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    payer_name = serializers.CharField(max_length=70, required=False, allow_blank=True, default="")
    payer_iban = serializers.CharField(max_length=42, required=False, allow_blank=True, default="")
    payer_bic = serializers.CharField(max_length=14, required=False, allow_blank=True, default="")


# --- Views ------------------------------------------------------------------------------------


def _pdf(data: bytes, filename: str) -> FileResponse:
    resp = FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


class PayoutsViewSet(TenantViewSet):
    lookup_value_regex = r"\d+"

    def get_serializer_context(self):
        return super().get_serializer_context() | {"member": self.member}


class OwnPayeeView(TenantAPIView):
    """The partner's own payee details (partner admins): read them, or save them (they go
    back to review). multipart/form-data with the tax form; JSON keeps the one on file."""

    required_perm = "incentives.payee"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(tags=["incentives"], responses=PayeeDetailsSerializer)
    def get(self, request):
        payee = sel.payee_of(self.member.partner_id)
        if payee is None:
            raise NotFound("No payee details yet.")
        return Response(PayeeDetailsSerializer(payee, context={"member": self.member}).data)

    @extend_schema(
        tags=["incentives"],
        request={
            "multipart/form-data": PayeeWriteSerializer,
            "application/json": PayeeWriteSerializer,
        },
        responses=PayeeDetailsSerializer,
        summary="Save the payee details (they wait for review again)",
    )
    def put(self, request):
        ser = PayeeWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        partner = Partner.objects.get(pk=self.member.partner_id)
        payee = svc.payee_save(partner=partner, by=self.member, **ser.validated_data)
        return Response(PayeeDetailsSerializer(payee, context={"member": self.member}).data)


@extend_schema(tags=["incentives"])
class PayeeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PayoutsViewSet):
    """Partners' payee details, for review by the vendor's admins (finance)."""

    model = PayeeDetails
    serializer_class = PayeeDetailsSerializer
    required_perm = "incentives.finance"
    ordering_fields = ["id", "submitted_at"]

    def scoped_queryset(self):
        return sel.payees_visible_to(self.member).order_by("id")

    def _out(self, payee):
        return Response(self.get_serializer(payee).data)

    @extend_schema(request=None, responses=PayeeDetailsSerializer, summary="Approve")
    @action(detail=True, methods=["post"], url_path="approve", url_name="approve")
    def approve(self, request, pk=None):
        payee = self.get_object()
        require_action(PAYEE, payee, self.member, "approve")
        return self._out(svc.payee_approve(payee=payee, by=self.member))

    @extend_schema(
        request=PayeeRejectSerializer, responses=PayeeDetailsSerializer, summary="Reject"
    )
    @action(detail=True, methods=["post"], url_path="reject", url_name="reject")
    def reject(self, request, pk=None):
        payee = self.get_object()
        require_action(PAYEE, payee, self.member, "reject")
        ser = PayeeRejectSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._out(svc.payee_reject(payee=payee, by=self.member, **ser.validated_data))


@extend_schema(tags=["incentives"])
class PayoutBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PayoutsViewSet):
    """Payout batches: channel managers and admins prepare and approve; admins give the
    second approval, export, mark paid and cancel."""

    model = PayoutBatch
    serializer_class = PayoutBatchSerializer
    ordering_fields = ["id", "created_at"]
    required_perms = {
        "list": "incentives.payouts",
        "retrieve": "incentives.payouts",
        "create": "incentives.payouts",
        "approve": "incentives.payouts",
        "approve_second": "incentives.finance",
        "cancel": "incentives.finance",
        "mark_paid": "incentives.finance",
        "export_csv": "incentives.finance",
        "export_sepa": "incentives.finance",
    }

    def scoped_queryset(self):
        return sel.batches().prefetch_related("lines", "holds").order_by("-id")

    def _out(self, batch, code=status.HTTP_200_OK):
        return Response(
            self.get_serializer(self.scoped_queryset().get(pk=batch.pk)).data, status=code
        )

    @extend_schema(
        request=PayoutBatchCreateSerializer,
        responses={201: PayoutBatchSerializer},
        summary="Prepare a batch of the approved, unpaid earnings of one currency",
    )
    def create(self, request):
        ser = PayoutBatchCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        batch = svc.batch_create(tenant=self.tenant, by=self.member, **ser.validated_data)
        return self._out(batch, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=PayoutBatchSerializer,
        summary="Approve (final at or below the threshold, else the first of two)",
    )
    @action(detail=True, methods=["post"], url_path="approve", url_name="approve")
    def approve(self, request, pk=None):
        batch = self.get_object()
        name = "approve_first" if batch.needs_second_approval else "approve"
        require_action(BATCH, batch, self.member, name)
        return self._out(svc.batch_approve(batch=batch, by=self.member))

    @extend_schema(
        request=None,
        responses=PayoutBatchSerializer,
        summary="Give the second approval (another admin than the first approver)",
    )
    @action(detail=True, methods=["post"], url_path="second-approval", url_name="second")
    def approve_second(self, request, pk=None):
        batch = self.get_object()
        require_action(BATCH, batch, self.member, "approve_second")
        return self._out(svc.batch_approve_second(batch=batch, by=self.member))

    @extend_schema(request=PayoutCancelSerializer, responses=PayoutBatchSerializer)
    @action(detail=True, methods=["post"], url_path="cancel", url_name="cancel")
    def cancel(self, request, pk=None):
        batch = self.get_object()
        require_action(BATCH, batch, self.member, "cancel")
        ser = PayoutCancelSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._out(svc.batch_cancel(batch=batch, by=self.member, **ser.validated_data))

    @extend_schema(
        request=PayoutReferenceSerializer,
        responses=PayoutBatchSerializer,
        summary="Mark paid (every earning of the batch becomes paid; partners are told)",
    )
    @action(detail=True, methods=["post"], url_path="paid", url_name="paid")
    def mark_paid(self, request, pk=None):
        batch = self.get_object()
        require_action(BATCH, batch, self.member, "mark_paid")
        ser = PayoutReferenceSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._out(svc.batch_mark_paid(batch=batch, by=self.member, **ser.validated_data))

    @extend_schema(
        request=None,
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        summary="The payment list as CSV (any currency)",
    )
    @action(detail=True, methods=["post"], url_path="export/csv", url_name="export-csv")
    def export_csv(self, request, pk=None):
        batch = self.get_object()
        require_action(BATCH, batch, self.member, "export")
        svc.batch_mark_exported(batch=batch, by=self.member, kind="csv")
        return csv_response(
            f"payout-{batch.number}",
            payout_files.batch_csv_header(),
            payout_files.batch_csv_rows(batch),
        )

    @extend_schema(
        request=None,
        responses={(200, "application/xml"): OpenApiTypes.BINARY},
        summary="The SEPA credit transfer file (pain.001.001.03; euro batches only)",
    )
    @action(detail=True, methods=["post"], url_path="export/sepa", url_name="export-sepa")
    def export_sepa(self, request, pk=None):
        batch = self.get_object()
        require_action(BATCH, batch, self.member, "export")
        xml = payout_files.batch_sepa_xml(batch)
        svc.batch_mark_exported(batch=batch, by=self.member, kind="sepa")
        resp = HttpResponse(xml, content_type="application/xml")
        resp["Content-Disposition"] = f'attachment; filename="payout-{batch.number}-pain001.xml"'
        resp["Cache-Control"] = "private, no-store"
        return resp


@extend_schema(tags=["incentives"])
class PayoutLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PayoutsViewSet):
    """What each partner was paid: staff see every line, partner people their company's
    lines of paid batches, each with its remittance advice."""

    model = PayoutLine
    serializer_class = PayoutLineSerializer
    required_perm = "incentives.statements"
    ordering_fields = ["id"]

    def scoped_queryset(self):
        return sel.lines_visible_to(self.member).order_by("-id")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path="remittance",
        pagination_class=None,
        filter_backends=[],
    )
    def remittance(self, request, pk=None):
        line = self.get_object()
        if line.batch.status != "paid":
            raise NotFound("Only a paid line has a remittance advice.")
        return _pdf(
            payout_files.remittance_pdf(line), f"remittance-{line.batch.number}-{line.pk}.pdf"
        )


@extend_schema(tags=["incentives"])
class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PayoutsViewSet):
    """Monthly statements: staff see every partner's, partner people their company's."""

    model = Statement
    serializer_class = StatementSerializer
    ordering_fields = ["id", "month"]
    required_perms = {
        "list": "incentives.statements",
        "retrieve": "incentives.statements",
        "pdf": "incentives.statements",
        "csv": "incentives.statements",
        "generate": "incentives.payouts",
    }

    def scoped_queryset(self):
        return sel.statements_visible_to(self.member).order_by("-month", "id")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="pdf", pagination_class=None, filter_backends=[])
    def pdf(self, request, pk=None):
        st = self.get_object()
        return _pdf(
            payout_files.statement_pdf(st),
            f"statement-{st.month:%Y-%m}-{st.currency}-{st.partner_id}.pdf",
        )

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="csv", pagination_class=None, filter_backends=[])
    def csv(self, request, pk=None):
        st = self.get_object()
        return csv_response(
            f"statement-{st.month:%Y-%m}-{st.currency}-{st.partner_id}",
            payout_files.statement_csv_header(),
            payout_files.statement_csv_rows(st),
        )

    @extend_schema(
        request=StatementMonthSerializer,
        responses={202: StatementMonthSerializer},
        summary="Write a begun month's statements of every partner (queued)",
    )
    @action(detail=False, methods=["post"], url_path="generate", url_name="generate")
    def generate(self, request):
        ser = StatementMonthSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        month = statements_request(
            tenant=self.tenant, month=ser.validated_data["month"], by=self.member
        )
        return Response({"month": month.isoformat()}, status=status.HTTP_202_ACCEPTED)


class PayoutSettingsView(TenantAPIView):
    """The minimum payout, the second-approval threshold and the paying account (admins)."""

    required_perm = "incentives.finance"

    def _data(self):
        s = svc.payout_settings(self.tenant.pk)
        return {
            "minimum_payout": s.minimum_payout,
            "second_approval_above": s.second_approval_above,
            "payer_name": s.payer_name,
            "payer_iban": s.payer_iban,
            "payer_bic": s.payer_bic,
        }

    @extend_schema(tags=["incentives"], responses=PayoutSettingsSerializer)
    def get(self, request):
        return Response(PayoutSettingsSerializer(self._data()).data)

    @extend_schema(
        tags=["incentives"], request=PayoutSettingsSerializer, responses=PayoutSettingsSerializer
    )
    def put(self, request):
        ser = PayoutSettingsSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        svc.payout_settings_set(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(PayoutSettingsSerializer(self._data()).data)


router = SimpleRouter(trailing_slash=True)
router.register("incentives/payees", PayeeViewSet, basename="api-incentives-payee")
router.register("incentives/payouts", PayoutBatchViewSet, basename="api-incentives-payout")
router.register("incentives/payout-lines", PayoutLineViewSet, basename="api-incentives-payout-line")
router.register("incentives/statements", StatementViewSet, basename="api-incentives-statement")

urlpatterns = [
    path("incentives/payee/", OwnPayeeView.as_view(), name="api-incentives-own-payee"),
    path(
        "incentives/payout-settings/",
        PayoutSettingsView.as_view(),
        name="api-incentives-payout-settings",
    ),
    path("", include(router.urls)),
]
