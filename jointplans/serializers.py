"""API serializers of joint business plans: input shapes (validated here, then one service)
and the plan as read, with each goal's live progress."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jointplans import metrics, selectors
from jointplans.models import (
    Initiative,
    InitiativeStatus,
    JointPlan,
    PeriodKind,
    PlanGoal,
    PlanStatus,
)
from jointplans.states import PLAN
from partners.models import Partner
from prm.api.fields import AllowedActionsMixin, NamedEnumField, TenantPrimaryKeyField
from prm.models import Member


class EnumField(NamedEnumField):
    prefix = "Plan"


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=[metrics.MONEY, metrics.COUNT, metrics.SCORE])
    level = serializers.BooleanField(
        help_text="True: a value at a moment (today's while the plan runs), not a sum over "
        "the period."
    )
    help = serializers.CharField()


class GoalSerializer(serializers.ModelSerializer):
    """A goal with its actual figure for the plan's period, from the product's own source."""

    actual = serializers.SerializerMethodField(
        help_text="The product's figure for the plan's period (null: none yet)."
    )
    percent_of_target = serializers.SerializerMethodField()
    on_track = serializers.SerializerMethodField(
        help_text="At least the share of the period gone by is reached (null: no figure)."
    )

    class Meta:
        model = PlanGoal
        fields = [
            "id",
            "plan",
            "metric",
            "target",
            "currency",
            "note",
            "actual",
            "percent_of_target",
            "on_track",
        ]
        read_only_fields = fields

    def _row(self, goal):
        """The goal's progress: from the context's `progress` (a list view reads every plan's
        figures at once, jointplans.selectors.progress_many), else its own plan's."""
        cache = self.context.setdefault("progress", {})
        if goal.pk not in cache:
            plan = goal.plan
            for row in selectors.progress(plan):
                cache[row.goal.pk] = row
        return cache.get(goal.pk)

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_actual(self, goal):
        row = self._row(goal)
        return None if row is None or row.actual is None else f"{row.actual:.2f}"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_percent_of_target(self, goal):
        row = self._row(goal)
        return None if row is None else row.pct

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_on_track(self, goal):
        row = self._row(goal)
        return None if row is None else row.on_track


class InitiativeSerializer(serializers.ModelSerializer):
    status = EnumField(InitiativeStatus, read_only=True)

    class Meta:
        model = Initiative
        fields = ["id", "plan", "title", "description", "owner", "due_date", "status"]
        read_only_fields = fields


class PlanSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = PLAN
    status = EnumField(PlanStatus, read_only=True)
    period_kind = EnumField(PeriodKind, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    initiatives = InitiativeSerializer(many=True, read_only=True)
    period_elapsed_percent = serializers.SerializerMethodField()

    class Meta:
        model = JointPlan
        fields = [
            "id",
            "partner",
            "title",
            "summary",
            "period_kind",
            "start_date",
            "end_date",
            "review_date",
            "status",
            "vendor_signed_by",
            "vendor_signed_at",
            "partner_signed_by",
            "partner_signed_at",
            "closed_at",
            "created_at",
            "updated_at",
            "period_elapsed_percent",
            "goals",
            "initiatives",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_period_elapsed_percent(self, plan) -> int:
        return selectors.elapsed_pct(plan)


class PlanCreateSerializer(serializers.Serializer):
    partner = TenantPrimaryKeyField(Partner)
    title = serializers.CharField(max_length=200)
    period_kind = EnumField(PeriodKind)
    start_date = serializers.DateField(help_text="The first day of a quarter.")
    review_date = serializers.DateField(required=False, allow_null=True)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class PlanUpdateSerializer(PlanCreateSerializer):
    partner = None


class GoalInputSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=())
    target = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    currency = serializers.CharField(
        max_length=3, required=False, allow_blank=True, help_text="ISO 4217, for money metrics."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metrics.choices()


class InitiativeInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    owner = TenantPrimaryKeyField(Member, required=False, allow_null=True)
    due_date = serializers.DateField()
    status = EnumField(InitiativeStatus, required=False)
