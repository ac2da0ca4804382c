"""API serializers of incentives: output shapes and the input of each write."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from incentives.models import (
    Dispute,
    Earning,
    EarningKind,
    EarningStatus,
    IncentiveProgram,
    LedgerEntry,
    ProgramKind,
    ProgramVersion,
)


class IncentiveVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgramVersion
        fields = [
            "id",
            "program",
            "version",
            "status",
            "effective_from",
            "rules",
            "notes",
            "created_at",
            "published_at",
        ]
        read_only_fields = fields


class IncentiveProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncentiveProgram
        fields = [
            "id",
            "name",
            "kind",
            "currency",
            "clawback_days",
            "dispute_sla_days",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class IncentiveProgramCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=ProgramKind.choices)
    currency = serializers.CharField(max_length=3)
    clawback_days = serializers.IntegerField(min_value=0, max_value=3650, default=30)
    dispute_sla_days = serializers.IntegerField(min_value=1, max_value=365, default=10)


class IncentiveProgramUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    clawback_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    dispute_sla_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    is_active = serializers.BooleanField(required=False)


class IncentiveDraftSerializer(serializers.Serializer):
    rules = serializers.DictField(help_text="The rules of the program's kind (see the docs).")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class IncentiveRecomputeSerializer(serializers.Serializer):
    program = serializers.IntegerField(read_only=True)
    queued = serializers.BooleanField(read_only=True)


class IncentivePublishSerializer(serializers.Serializer):
    effective_from = serializers.DateTimeField(required=False, allow_null=True, default=None)


class EarningSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    has_open_dispute = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Earning
        fields = [
            "id",
            "number",
            "partner",
            "program",
            "version",
            "kind",
            "role",
            "status",
            "deal",
            "direct_deal",
            "certificate",
            "referred_partner",
            "reverses",
            "base_amount",
            "share",
            "rate",
            "amount",
            "currency",
            "computation",
            "reason",
            "earned_on",
            "hold_until",
            "approved_at",
            "fx_rate",
            "payout_currency",
            "payout_amount",
            "paid_at",
            "payment_reference",
            "reversed_at",
            "reversal_reason",
            "has_open_dispute",
        ]
        read_only_fields = fields


class EarningProjectionSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id")
    program = serializers.IntegerField(source="program_id")
    version = serializers.IntegerField(source="version_id")
    kind = serializers.CharField()
    role = serializers.CharField()
    base_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    share = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    rate = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()


class EarningLedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "partner",
            "earning",
            "kind",
            "bucket",
            "amount",
            "currency",
            "fx_rate",
            "reference",
            "memo",
            "created_at",
        ]
        read_only_fields = fields


class EarningBalanceSerializer(serializers.Serializer):
    currency = serializers.CharField()
    earned = serializers.DecimalField(max_digits=16, decimal_places=2)
    held = serializers.DecimalField(max_digits=16, decimal_places=2)
    pending = serializers.DecimalField(max_digits=16, decimal_places=2)
    approved = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    reversed = serializers.DecimalField(max_digits=16, decimal_places=2)


class EarningBulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )


class EarningBulkApproveResultSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.IntegerField())


class EarningAdjustmentSerializer(serializers.Serializer):
    partner = serializers.IntegerField(min_value=1)
    program = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=500)


class EarningReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class EarningDisputeSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "earning",
            "partner",
            "raised_by",
            "reason",
            "status",
            "due_at",
            "overdue",
            "answer",
            "answered_at",
            "created_at",
        ]
        read_only_fields = fields


class EarningFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EarningStatus.choices)
    kind = django_filters.ChoiceFilter(choices=EarningKind.choices)
    partner = django_filters.NumberFilter(field_name="partner_id")
    program = django_filters.NumberFilter(field_name="program_id")
    deal = django_filters.NumberFilter(field_name="deal_id")
    direct_deal = django_filters.NumberFilter(field_name="direct_deal_id")

    class Meta:
        model = Earning
        fields: list[str] = []
