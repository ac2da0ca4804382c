"""MDF API under /api/v1/mdf/: programs, allocations, balances, requests, claims (multipart
uploads), their decisions (approve / reject / return / request-info / pay), exchange rates,
the ledger and ROI. The same capabilities as the portal; each write validates its input, then
calls one service."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mdf import selectors, services, tasks
from mdf.files import MAX_PROOF_BYTES
from mdf.models import (
    ALLOCATION_KINDS,
    ActivityRule,
    ActivityType,
    Claim,
    ClaimStatus,
    ExchangeRate,
    FundRequest,
    LedgerEntry,
    LedgerKind,
    Period,
    Program,
    ProofDocument,
    ProofKind,
    RequestStatus,
)
from partners.models import Partner
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.fields import NamedEnumField, TenantPrimaryKeyField
from prm.api.parsers import JSONParser
from prm.audit import log_action
from prm.roles import has_perm
from prm.tasks import dispatch

MONEY = {"max_digits": 14, "decimal_places": 2}

# --- Serializers --------------------------------------------------------------------------


class EnumField(NamedEnumField):
    prefix = "Mdf"


class RuleSerializer(serializers.ModelSerializer):
    activity_type = EnumField(ActivityType)
    required_proofs = serializers.ListField(child=EnumField(ProofKind), required=False)

    class Meta:
        model = ActivityRule
        fields = ["activity_type", "max_reimbursable_pct", "required_proofs", "claim_deadline_days"]


class ProgramSerializer(serializers.ModelSerializer):
    rules = RuleSerializer(many=True, read_only=True)
    period = EnumField(Period, read_only=True)
    expires_on = serializers.DateField(read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "period",
            "start_date",
            "end_date",
            "currency",
            "budget",
            "grace_days",
            "expiry_warning_days",
            "second_approval_threshold",
            "expires_on",
            "expired_at",
            "rules",
        ]
        read_only_fields = fields


class ProgramCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    period = EnumField(Period)
    start_date = serializers.DateField()
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217, e.g. USD")
    budget = serializers.DecimalField(min_value=Decimal("0"), **MONEY)
    grace_days = serializers.IntegerField(min_value=0, max_value=365, default=30)
    expiry_warning_days = serializers.IntegerField(
        min_value=Decimal("0"), max_value=365, default=14
    )
    second_approval_threshold = serializers.DecimalField(
        min_value=Decimal("0"), required=False, allow_null=True, **MONEY
    )


class ProgramUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    budget = serializers.DecimalField(min_value=Decimal("0"), required=False, **MONEY)
    grace_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    expiry_warning_days = serializers.IntegerField(
        min_value=Decimal("0"), max_value=365, required=False
    )
    second_approval_threshold = serializers.DecimalField(
        min_value=Decimal("0"), required=False, allow_null=True, **MONEY
    )


class RuleSetSerializer(serializers.Serializer):
    activity_type = EnumField(ActivityType)
    max_reimbursable_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )
    required_proofs = serializers.ListField(
        child=EnumField(ProofKind), required=False, default=list
    )
    claim_deadline_days = serializers.IntegerField(
        min_value=Decimal("0"), max_value=730, default=60
    )


class AllocationResultSerializer(serializers.Serializer):
    partners = serializers.IntegerField()
    total = serializers.DecimalField(**MONEY)


class QueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = EnumField(LedgerKind, read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "program",
            "partner",
            "kind",
            "amount",
            "request",
            "claim",
            "memo",
            "created_at",
        ]
        read_only_fields = fields


class AllocationCreateSerializer(serializers.Serializer):
    program = TenantPrimaryKeyField(Program)
    partner = TenantPrimaryKeyField(Partner)
    amount = serializers.DecimalField(
        help_text="Negative to take unused funds back (an adjustment).", **MONEY
    )
    memo = serializers.CharField(max_length=300, required=False, default="")


class BalanceSerializer(serializers.Serializer):
    program = serializers.IntegerField(source="program_id")
    program_name = serializers.CharField(source="program__name")
    currency = serializers.CharField(source="program__currency")
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner__name")
    allocated = serializers.DecimalField(max_digits=16, decimal_places=2)
    committed = serializers.DecimalField(max_digits=16, decimal_places=2)
    claimed = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    expired = serializers.DecimalField(max_digits=16, decimal_places=2)
    available = serializers.DecimalField(max_digits=16, decimal_places=2)


REQUEST_INPUT = [
    "activity_type",
    "title",
    "description",
    "start_date",
    "end_date",
    "planned_cost",
    "requested_amount",
    "expected_leads",
    "expected_pipeline",
    "target_audience",
]


class RequestSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status = EnumField(RequestStatus, read_only=True)
    activity_type = EnumField(ActivityType, read_only=True)
    currency = serializers.CharField(source="program.currency", read_only=True)

    class Meta:
        model = FundRequest
        fields = [
            "id",
            "number",
            "program",
            "partner",
            "status",
            *REQUEST_INPUT,
            "currency",
            "approved_amount",
            "campaign_code",
            "claim_deadline",
            "decision_reason",
            "decided_at",
            "submitted_at",
        ]
        read_only_fields = fields


class RequestCreateSerializer(serializers.ModelSerializer):
    program = TenantPrimaryKeyField(Program)
    activity_type = EnumField(ActivityType)

    class Meta:
        model = FundRequest
        fields = ["program", *REQUEST_INPUT]


class RequestUpdateSerializer(serializers.ModelSerializer):
    activity_type = EnumField(ActivityType, required=False)

    class Meta:
        model = FundRequest
        fields = REQUEST_INPUT
        extra_kwargs = {f: {"required": False} for f in REQUEST_INPUT}


class ApproveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Less than asked is a partial approval; omitted approves in full.",
        **MONEY,
    )
    reason = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class DocumentSerializer(serializers.ModelSerializer):
    kind = EnumField(ProofKind, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ProofDocument
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return f"/mdf/documents/{obj.pk}/"


CLAIM_INPUT = [
    "activity_start",
    "activity_end",
    "actual_cost",
    "amount_claimed",
    "currency",
    "leads",
    "attendees",
    "impressions",
    "notes",
]


class ClaimSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status = EnumField(ClaimStatus, read_only=True)
    program_currency = serializers.CharField(source="program.currency", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    remittance_url = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "number",
            "request",
            "program",
            "partner",
            "status",
            *CLAIM_INPUT,
            "program_currency",
            "info_request",
            "approved_amount",
            "exchange_rate",
            "approved_amount_program",
            "decision_reason",
            "submitted_at",
            "decided_at",
            "payment_reference",
            "paid_on",
            "documents",
            "remittance_url",
        ]
        read_only_fields = fields

    def get_remittance_url(self, obj) -> str | None:
        return f"/mdf/claims/{obj.pk}/remittance.pdf" if obj.status == ClaimStatus.PAID else None


class _ClaimFieldsSerializer(serializers.Serializer):
    activity_start = serializers.DateField()
    activity_end = serializers.DateField()
    actual_cost = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    amount_claimed = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    leads = serializers.IntegerField(min_value=0, default=0)
    attendees = serializers.IntegerField(min_value=0, default=0)
    impressions = serializers.IntegerField(min_value=0, default=0)
    notes = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


def _proof_file():
    return serializers.FileField(
        max_length=255,
        allow_empty_file=False,
        help_text="PDF, PNG or JPEG (checked from its bytes), at most 10 MB.",
    )


class ClaimCreateSerializer(_ClaimFieldsSerializer):
    request = TenantPrimaryKeyField(FundRequest)
    documents = serializers.ListField(child=_proof_file(), required=False, default=list)
    document_kinds = serializers.ListField(
        child=EnumField(ProofKind),
        required=False,
        default=list,
        help_text="What each file in `documents` proves, in the same order.",
    )

    def validate(self, attrs):
        if len(attrs["documents"]) != len(attrs["document_kinds"]):
            raise serializers.ValidationError(
                {"document_kinds": ["Give one kind for each document."]}
            )
        for f in attrs["documents"]:
            if f.size > MAX_PROOF_BYTES:
                raise serializers.ValidationError({"documents": ["A file is larger than 10 MB."]})
        return attrs


class ClaimUpdateSerializer(_ClaimFieldsSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False
            f.default = serializers.empty


class DocumentUploadSerializer(serializers.Serializer):
    kind = EnumField(ProofKind)
    file = _proof_file()


class PaySerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=100)
    paid_on = serializers.DateField()


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "from_currency", "to_currency", "rate", "valid_from", "created_at"]
        read_only_fields = ["id", "created_at"]
        # Uniqueness is the service's business (it updates the rate of an existing day).
        validators: list = []


class RateImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="CSV, UTF-8, at most 500 KB.")
    csv = serializers.CharField(required=False, max_length=500_000, help_text="CSV text.")
    dry_run = serializers.BooleanField(default=True)

    def validate(self, attrs):
        f = attrs.get("file")
        if f is not None:
            if f.size > 500_000:
                raise serializers.ValidationError({"file": ["The file is larger than 500 KB."]})
            try:
                attrs["csv"] = f.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise serializers.ValidationError({"file": ["Save the file as UTF-8 CSV."]})
        if not attrs.get("csv"):
            raise serializers.ValidationError({"file": ["Send a CSV file or csv text."]})
        return attrs


class RateImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    from_currency = serializers.CharField()
    to_currency = serializers.CharField()
    rate = serializers.CharField()
    valid_from = serializers.CharField()
    action = serializers.CharField(help_text="create, update, unchanged or error")
    error = serializers.CharField()


class RateImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    rows = RateImportRowSerializer(many=True)


class RoiSerializer(serializers.Serializer):
    level = serializers.CharField(help_text="program, partner, activity_type or request")
    program_id = serializers.IntegerField()
    program_name = serializers.CharField()
    currency = serializers.CharField()
    partner_id = serializers.IntegerField(allow_null=True)
    partner_name = serializers.CharField(allow_null=True)
    activity_type = serializers.CharField(allow_null=True)
    request_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    campaign_code = serializers.CharField(allow_null=True)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    pipeline = serializers.DecimalField(max_digits=16, decimal_places=2)
    won = serializers.DecimalField(max_digits=16, decimal_places=2)
    roi = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


# --- Filters ------------------------------------------------------------------------------


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    program = django_filters.NumberFilter(field_name="program_id")
    partner = django_filters.NumberFilter(field_name="partner_id")

    class Meta:
        model = FundRequest
        fields: list[str] = []


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    program = django_filters.NumberFilter(field_name="program_id")
    partner = django_filters.NumberFilter(field_name="partner_id")
    request = django_filters.NumberFilter(field_name="request_id")

    class Meta:
        model = Claim
        fields: list[str] = []


class LedgerFilter(django_filters.FilterSet):
    program = django_filters.NumberFilter(field_name="program_id")
    partner = django_filters.NumberFilter(field_name="partner_id")
    kind = django_filters.ChoiceFilter(choices=LedgerKind.choices)
    request = django_filters.NumberFilter(field_name="request_id")
    claim = django_filters.NumberFilter(field_name="claim_id")

    class Meta:
        model = LedgerEntry
        fields: list[str] = []


class RateFilter(django_filters.FilterSet):
    from_currency = django_filters.CharFilter()
    to_currency = django_filters.CharFilter()

    class Meta:
        model = ExchangeRate
        fields: list[str] = []


# --- Views --------------------------------------------------------------------------------


class _MdfViewSet(TenantViewSet):
    lookup_value_regex = r"\d+"


@extend_schema(tags=["mdf"])
class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _MdfViewSet):
    """MDF programs: periods, budgets and the activity types they fund."""

    model = Program
    serializer_class = ProgramSerializer
    required_perms = {
        "list": "mdf.view",
        "retrieve": "mdf.view",
        "create": "mdf.admin",
        "partial_update": "mdf.admin",
        "set_rule": "mdf.admin",
        "allocate_by_tier": "mdf.admin",
        "accrue": "mdf.admin",
    }
    ordering_fields = ["id", "start_date", "name"]

    def scoped_queryset(self):
        return Program.objects.prefetch_related("rules")

    @extend_schema(
        request=ProgramCreateSerializer,
        responses={201: ProgramSerializer},
        summary="Create a program",
    )
    def create(self, request):
        ser = ProgramCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        program = services.program_create(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(ProgramSerializer(program).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProgramUpdateSerializer,
        responses=ProgramSerializer,
        summary="Change a program's name, budget, grace period or approval threshold",
    )
    def partial_update(self, request, pk=None):
        program = self.get_object()
        ser = ProgramUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        program = services.program_update(program=program, by=self.member, **ser.validated_data)
        return Response(ProgramSerializer(program).data)

    @extend_schema(
        request=RuleSetSerializer,
        responses=ProgramSerializer,
        summary="Make an activity type eligible (or change its rule)",
    )
    @action(detail=True, methods=["post"], url_path="rules")
    def set_rule(self, request, pk=None):
        program = self.get_object()
        ser = RuleSetSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.rule_set(program=program, by=self.member, **ser.validated_data)
        return Response(ProgramSerializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses=AllocationResultSerializer,
        summary="Allocate every active partner its tier's MDF allocation",
    )
    @action(detail=True, methods=["post"], url_path="allocate-by-tier")
    def allocate_by_tier(self, request, pk=None):
        result = services.program_allocate_by_tier(program=self.get_object(), by=self.member)
        return Response(AllocationResultSerializer(result).data)

    @extend_schema(
        request=None,
        responses={202: QueuedSerializer},
        summary="Queue the accrual (tier % of won revenue in the period)",
    )
    @action(detail=True, methods=["post"])
    def accrue(self, request, pk=None):
        program = self.get_object()
        log_action("mdf.allocation.accrual_queued", obj=program)
        dispatch(tasks.accrue_program, tenant=self.tenant, program_id=program.pk)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["mdf"])
class AllocationViewSet(mixins.ListModelMixin, _MdfViewSet):
    """Allocation entries of the ledger (allocations, accruals, adjustments)."""

    model = LedgerEntry
    serializer_class = LedgerEntrySerializer
    required_perms = {"list": "mdf.review", "create": "mdf.admin"}
    filterset_class = LedgerFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self):
        return LedgerEntry.objects.filter(kind__in=ALLOCATION_KINDS)

    @extend_schema(
        request=AllocationCreateSerializer,
        responses={201: LedgerEntrySerializer},
        summary="Allocate funds to a partner (negative: take unused funds back)",
    )
    def create(self, request):
        ser = AllocationCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        entry = services.allocation_add(by=self.member, **ser.validated_data)
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["mdf"])
class LedgerViewSet(mixins.ListModelMixin, _MdfViewSet):
    """The append-only ledger, newest first."""

    model = LedgerEntry
    serializer_class = LedgerEntrySerializer
    required_perm = "mdf.admin"
    filterset_class = LedgerFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self):
        return LedgerEntry.objects.all()


class BalanceView(TenantAPIView):
    """Derived balances per program and partner. Partner people see their own company's."""

    required_perm = "mdf.view"

    @extend_schema(
        tags=["mdf"],
        responses=BalanceSerializer(many=True),
        parameters=[
            OpenApiParameter("program", OpenApiTypes.INT, description="Only this program"),
            OpenApiParameter("partner", OpenApiTypes.INT, description="Only this partner"),
        ],
        summary="Balances (allocated, committed, claimed, paid, expired, available)",
    )
    def get(self, request):
        filters = {}
        for name in ("program", "partner"):
            value = request.query_params.get(name)
            if value:
                if not value.isdigit():
                    raise serializers.ValidationError({name: ["Enter a whole number."]})
                filters[name] = int(value)
        if not has_perm(self.member.role, "mdf.review"):
            if filters.get("partner", self.member.partner_id) != self.member.partner_id:
                return Response([])
            filters["partner"] = self.member.partner_id
        return Response(BalanceSerializer(selectors.balances(**filters), many=True).data)


@extend_schema(tags=["mdf"])
class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _MdfViewSet):
    """Fund requests. Partner people see and submit their company's; staff decide."""

    model = FundRequest
    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    ordering_fields = ["id", "submitted_at"]
    required_perms = {
        "list": "mdf.view",
        "retrieve": "mdf.view",
        "create": "mdf.use",
        "partial_update": "mdf.use",
        "cancel": "mdf.view",
        "approve": "mdf.review",
        "reject": "mdf.review",
        "return_for_changes": "mdf.review",
    }

    def scoped_queryset(self):
        return selectors.requests_visible_to(self.member)

    @extend_schema(
        request=RequestCreateSerializer,
        responses={201: RequestSerializer},
        summary="Request funds for an activity",
    )
    def create(self, request):
        ser = RequestCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        req = services.request_submit(program=data.pop("program"), by=self.member, **data)
        return Response(RequestSerializer(req).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RequestUpdateSerializer,
        responses=RequestSerializer,
        summary="Change a submitted or returned request (a returned one is resubmitted)",
    )
    def partial_update(self, request, pk=None):
        req = self.get_object()
        ser = RequestUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        req = services.request_update(request=req, by=self.member, **ser.validated_data)
        return Response(RequestSerializer(req).data)

    def _move(self, to: str, **kwargs):
        req = services.request_transition(
            request=self.get_object(), to=to, by=self.member, **kwargs
        )
        return Response(RequestSerializer(req).data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ApproveSerializer,
        responses=RequestSerializer,
        summary="Approve in full or in part (commits the funds, issues the campaign code)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        ser = ApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(RequestStatus.APPROVED, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=RequestSerializer,
        summary="Reject with a reason",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(RequestStatus.REJECTED, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=RequestSerializer,
        summary="Return to the partner for changes",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_changes(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(RequestStatus.RETURNED, **ser.validated_data)

    @extend_schema(
        request=CancelSerializer,
        responses=RequestSerializer,
        summary="Cancel (releases committed funds)",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        ser = CancelSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(RequestStatus.CANCELLED, **ser.validated_data)


@extend_schema(tags=["mdf"])
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _MdfViewSet):
    """Claims with proof of performance. Create and add documents as multipart/form-data
    (JSON works for a claim without files)."""

    model = Claim
    serializer_class = ClaimSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = ClaimFilter
    ordering_fields = ["id", "submitted_at"]
    required_perms = {
        "list": "mdf.view",
        "retrieve": "mdf.view",
        "create": "mdf.use",
        "documents": "mdf.use",
        "resubmit": "mdf.use",
        "approve": "mdf.review",
        "reject": "mdf.review",
        "request_info": "mdf.review",
        "pay": "mdf.admin",
    }

    def scoped_queryset(self):
        return selectors.claims_visible_to(self.member).prefetch_related("documents")

    def _claim(self):
        return self.get_object()

    def _out(self, claim, code=status.HTTP_200_OK):
        claim = self.scoped_queryset().get(pk=claim.pk)
        return Response(ClaimSerializer(claim).data, status=code)

    @extend_schema(
        request={
            "multipart/form-data": ClaimCreateSerializer,
            "application/json": ClaimCreateSerializer,
        },
        responses={201: ClaimSerializer},
        summary="Claim an approved request, with proof files",
    )
    def create(self, request):
        ser = ClaimCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        docs = list(zip(data.pop("document_kinds"), data.pop("documents"), strict=True))
        req = data.pop("request")
        if not selectors.requests_visible_to(self.member).filter(pk=req.pk).exists():
            raise serializers.ValidationError({"request": ["Invalid pk - object does not exist."]})
        claim = services.claim_submit(request=req, by=self.member, documents=docs, **data)
        return self._out(claim, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: ClaimSerializer},
        summary="Add a proof document",
    )
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        claim = self._claim()
        ser = DocumentUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.claim_add_documents(
            claim=claim,
            by=self.member,
            documents=[(ser.validated_data["kind"], ser.validated_data["file"])],
        )
        return self._out(claim, status.HTTP_201_CREATED)

    @extend_schema(
        request=ClaimUpdateSerializer,
        responses=ClaimSerializer,
        summary="Answer a request for information (changes optional) and resubmit",
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        claim = self._claim()
        ser = ClaimUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        claim = services.claim_update(claim=claim, by=self.member, **ser.validated_data)
        return self._out(claim)

    def _move(self, to: str, **kwargs):
        claim = services.claim_transition(claim=self._claim(), to=to, by=self.member, **kwargs)
        return self._out(claim)

    @extend_schema(
        tags=["mdf decisions"],
        request=ApproveSerializer,
        responses=ClaimSerializer,
        summary="Approve in full or in part (amount in the claim currency); a second "
        "approval by an admin follows above the program threshold",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        ser = ApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(ClaimStatus.APPROVED, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=ClaimSerializer,
        summary="Reject with a reason",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(ClaimStatus.REJECTED, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=ReasonSerializer,
        responses=ClaimSerializer,
        summary="Ask the partner for more information",
    )
    @action(detail=True, methods=["post"], url_path="request-info", url_name="request-info")
    def request_info(self, request, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(ClaimStatus.INFO_REQUESTED, **ser.validated_data)

    @extend_schema(
        tags=["mdf decisions"],
        request=PaySerializer,
        responses=ClaimSerializer,
        summary="Mark as paid (the remittance advice PDF follows)",
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        ser = PaySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._move(ClaimStatus.PAID, **ser.validated_data)


@extend_schema(tags=["mdf"])
class ExchangeRateViewSet(mixins.ListModelMixin, _MdfViewSet):
    """Exchange rates used to convert claims to the program currency."""

    model = ExchangeRate
    serializer_class = ExchangeRateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_perm = "mdf.admin"
    filterset_class = RateFilter
    ordering_fields = ["id", "valid_from"]

    def scoped_queryset(self):
        return ExchangeRate.objects.all()

    @extend_schema(
        request=ExchangeRateSerializer,
        responses={201: ExchangeRateSerializer},
        summary="Enter (or correct) the rate valid from a day",
    )
    def create(self, request):
        ser = ExchangeRateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rate = services.exchange_rate_set(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(ExchangeRateSerializer(rate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": RateImportSerializer,
            "application/json": RateImportSerializer,
        },
        responses=RateImportResultSerializer,
        summary="Import rates from CSV; dry_run (the default) previews without saving",
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_rates(self, request):
        ser = RateImportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = services.exchange_rates_import(
            tenant=self.tenant,
            by=self.member,
            text=ser.validated_data["csv"],
            dry_run=ser.validated_data["dry_run"],
        )
        if result.errors and not result.dry_run:
            raise serializers.ValidationError(
                {
                    "file": [
                        f"Line {r['line']}: {r['error']}"
                        for r in result.rows
                        if r["action"] == "error"
                    ]
                }
            )
        rows = [
            {k: ("" if v is None else str(v)) for k, v in r.items() if k != "previous"}
            | {"line": r["line"]}
            for r in result.rows
        ]
        return Response(
            {
                "dry_run": result.dry_run,
                "applied": result.applied,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": result.errors,
                "rows": rows,
            },
        )


class RoiView(TenantAPIView):
    """Return on MDF per program, partner, activity type and activity."""

    required_perm = "mdf.review"

    @extend_schema(
        tags=["mdf"],
        responses=RoiSerializer(many=True),
        parameters=[
            OpenApiParameter("program", OpenApiTypes.INT, description="Only this program"),
            OpenApiParameter("partner", OpenApiTypes.INT, description="Only this partner"),
        ],
        summary="ROI: paid, attributed pipeline and won revenue, (won - paid) / paid",
    )
    def get(self, request):
        filters = {}
        for name in ("program", "partner"):
            value = request.query_params.get(name)
            if value:
                if not value.isdigit():
                    raise serializers.ValidationError({name: ["Enter a whole number."]})
                filters[name] = int(value)
        rows = selectors.roi(tenant=self.tenant, **filters)
        return Response(RoiSerializer([r.__dict__ for r in rows], many=True).data)


router = SimpleRouter(trailing_slash=True)
router.register("mdf/programs", ProgramViewSet, basename="api-mdf-program")
router.register("mdf/allocations", AllocationViewSet, basename="api-mdf-allocation")
router.register("mdf/ledger", LedgerViewSet, basename="api-mdf-ledger")
router.register("mdf/requests", RequestViewSet, basename="api-mdf-request")
router.register("mdf/claims", ClaimViewSet, basename="api-mdf-claim")
router.register("mdf/exchange-rates", ExchangeRateViewSet, basename="api-mdf-exchange-rate")

urlpatterns = [
    path("mdf/balances/", BalanceView.as_view(), name="api-mdf-balances"),
    path("mdf/roi/", RoiView.as_view(), name="api-mdf-roi"),
    path("", include(router.urls)),
]
