"""Serializers and filters of the MDF API."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mdf import selectors
from mdf.files import MAX_PROOF_BYTES
from mdf.models import (
    CLAIM_FIELDS,
    REQUEST_FIELDS,
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
from mdf.states import CLAIM_MACHINE, REQUEST_MACHINE
from partners.models import Partner
from prm import iso
from prm.api.fields import AllowedActionsMixin, NamedEnumField, TenantPrimaryKeyField
from prm.roles import has_perm

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
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", help_text="ISO 4217, e.g. USD", validators=[iso.validate_currency]
    )
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
    memo = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


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


REQUEST_INPUT = list(REQUEST_FIELDS)  # what a partner enters: the one list in mdf.models


class RequestSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = REQUEST_MACHINE
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
            "allowed_actions",
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


class ClaimApproveSerializer(ApproveSerializer):
    override_reason = serializers.CharField(
        max_length=1000,
        required=False,
        default="",
        allow_blank=True,
        help_text=(
            "Why you approve although an automatic check failed: required then (a 400 naming "
            "this field without it), audited."
        ),
    )


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


CLAIM_INPUT = list(CLAIM_FIELDS)  # what a partner enters: the one list in mdf.models


class CheckSerializer(serializers.Serializer):
    label = serializers.CharField()
    ok = serializers.BooleanField(
        allow_null=True, help_text="false: failed; null: cannot be decided yet (no rate)."
    )
    detail = serializers.CharField()


class ClaimSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = CLAIM_MACHINE
    number = serializers.CharField(read_only=True)
    status = EnumField(ClaimStatus, read_only=True)
    program_currency = serializers.CharField(source="program.currency", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    remittance_url = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField(
        help_text="The automatic checks a reviewer sees. Reviewers only: empty for partners."
    )
    checks_failed = serializers.SerializerMethodField(
        help_text=(
            "Whether an automatic check failed (approving then needs `override_reason`). "
            "Reviewers only: null for partners."
        )
    )
    campaign_evidence = serializers.JSONField(
        read_only=True,
        help_text=(
            "The funded marketing campaign's figures when the claim was submitted (campaign, "
            "code, launched_at, as_of, views, clicks, form_fills, leads, registrations, "
            "won_revenue, currency); empty when the request funded no campaign."
        ),
    )

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
            "checks",
            "checks_failed",
            "check_override_reason",
            "campaign_evidence",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_remittance_url(self, obj) -> str | None:
        return f"/mdf/claims/{obj.pk}/remittance.pdf" if obj.is_paid else None

    def _checks(self, obj) -> list | None:
        """The claim's checks for a reviewer (None for anyone else), computed once for a
        whole list page."""
        member = getattr(self.context.get("request"), "member", None)
        if member is None or not has_perm(member.role, "mdf.review"):
            return None
        cache = self.context.setdefault("claim_checks", {})
        if obj.pk not in cache:
            parent = self.parent
            batch = (
                list(parent.instance)
                if isinstance(parent, serializers.ListSerializer) and parent.instance is not None
                else [obj]
            )
            cache.update(selectors.checks_by_claim(batch))
        return cache[obj.pk]

    @extend_schema_field(CheckSerializer(many=True))
    def get_checks(self, obj) -> list[dict]:
        checks = self._checks(obj)
        return [] if checks is None else CheckSerializer(checks, many=True).data

    def get_checks_failed(self, obj) -> bool | None:
        checks = self._checks(obj)
        return None if checks is None else bool(selectors.failed_checks(checks))


class _ClaimFieldsSerializer(serializers.Serializer):
    activity_start = serializers.DateField()
    activity_end = serializers.DateField()
    actual_cost = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    amount_claimed = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, validators=[iso.validate_currency]
    )
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
    # Left out: 0, or the funded campaign's leads and page views.
    leads = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Default: the funded campaign's leads, else 0.",
    )
    impressions = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Default: the funded campaign's page views, else 0.",
    )
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
