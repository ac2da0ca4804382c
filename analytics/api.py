"""Analytics API: health scores (current and history), attribution/ROPI rollups and the
on-demand recompute. A partner member sees only its own company; staff see every partner.
Nothing here recomputes on read."""

from __future__ import annotations

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from analytics import selectors, services
from analytics.models import (
    FirstDealCohort,
    HealthSnapshot,
    PartnerRollup,
    RollupRun,
    SurveyResponse,
)
from analytics.rules import component_detail, component_label, message_text
from partners.models import PartnerType, Region
from prm.api.base import TenantViewSet
from prm.api.pagination import Cursor
from prm.api.permissions import IsMember

# --- Serializers (names prefixed "Analytics" for a clean OpenAPI schema) -------------------


class _ComponentText(serializers.CharField):
    """A component's label or input, in the request's language. Snapshots store the
    component key and its input as a message (analytics.rules.stored); older snapshots also
    stored both as English text, used when the key or message is unknown."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, value):
        if self.field_name == "label":
            return component_label(value)
        return component_detail(value)


class AnalyticsHealthComponentSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = _ComponentText()
    detail = _ComponentText()
    fraction = serializers.FloatField(allow_null=True)
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    counted = serializers.BooleanField()


class AnalyticsDriverField(serializers.CharField):
    """A driver as a sentence in the request's language (stored as a message key and its
    parameters by analytics.rules; older snapshots stored the English text)."""

    def to_representation(self, value):
        return message_text(value)


class AnalyticsHealthSnapshotSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    components = AnalyticsHealthComponentSerializer(many=True, read_only=True)
    drivers = serializers.ListField(child=AnalyticsDriverField(), read_only=True)

    class Meta:
        model = HealthSnapshot
        fields = [
            "id",
            "partner",
            "partner_name",
            "day",
            "score",
            "at_risk",
            "risk_reason",
            "drivers",
            "components",
            "computed_at",
        ]
        read_only_fields = fields


class AnalyticsHealthPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthSnapshot
        fields = ["day", "score", "at_risk"]
        read_only_fields = fields


class AnalyticsRollupSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    tier_name = serializers.CharField(source="tier.name", read_only=True, default=None)

    class Meta:
        model = PartnerRollup
        fields = [
            "id",
            "partner",
            "partner_name",
            "period_start",
            "currency",
            "tier",
            "tier_name",
            "partner_type",
            "won_deals",
            "sourced_revenue",
            "influenced_revenue",
            "gross_margin_pct",
            "return_amount",
            "mdf_paid",
            "discounts",
            "program_costs",
            "investment",
            "ropi",
            "velocity_median_days",
            "velocity_avg_days",
            "velocity_deals",
            "deals_decided",
            "deals_decided_in_sla",
            "deals_approved",
            "sla_attainment_pct",
            "approval_rate_pct",
            "funnel_submitted",
            "funnel_approved",
            "funnel_won",
            "funnel_rejected",
            "mdf_won_revenue",
            "mdf_roi",
            "psat_answers",
            "psat_average",
            "computed_at",
        ]
        read_only_fields = fields


class AnalyticsRollupRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RollupRun
        fields = ["id", "status", "reason", "created_at", "finished_at", "rows", "message"]
        read_only_fields = fields


# --- Views --------------------------------------------------------------------------------


class HealthFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    at_risk = django_filters.BooleanFilter()

    class Meta:
        model = HealthSnapshot
        fields = ["partner", "at_risk"]


class HealthViewSet(mixins.ListModelMixin, TenantViewSet):
    """Current health score of each partner you may see (the latest daily snapshot), with
    its components and drivers. `history` gives one partner's daily scores."""

    model = HealthSnapshot
    serializer_class = AnalyticsHealthSnapshotSerializer
    permission_classes = [IsMember]
    required_perm = "portal.use"
    filterset_class = HealthFilter
    ordering_fields = ["score", "day", "id"]

    def scoped_queryset(self):
        partners = selectors.visible_partners(self.member).values("pk")
        return selectors.health_current().filter(partner_id__in=partners).select_related("partner")

    @extend_schema(
        responses=AnalyticsHealthPointSerializer(many=True),
        summary="One partner's daily health scores, oldest first (last 365 days)",
    )
    # At most 365 points, oldest first: one unpaginated array, no filters.
    @action(
        detail=False,
        url_path=r"history/(?P<partner_id>[0-9]+)",
        pagination_class=None,
        filter_backends=[],
    )
    def history(self, request, partner_id=None):
        partner = selectors.visible_partners(self.member).filter(pk=partner_id).first()
        if partner is None:
            raise NotFound("Not found.")
        rows = selectors.health_history(partner)
        return Response(AnalyticsHealthPointSerializer(rows, many=True).data)


class _YearFilter(django_filters.NumberFilter):
    """A whole year in the calendar's range (year 0 would fail in the date lookup)."""

    field_class = forms.IntegerField


class RollupFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    tier = django_filters.NumberFilter(field_name="tier_id")
    partner_type = django_filters.ChoiceFilter(choices=PartnerType.choices)
    period_start = django_filters.DateFilter()
    year = _YearFilter(field_name="period_start", lookup_expr="year", min_value=1, max_value=9999)
    region = django_filters.ChoiceFilter(field_name="partner__region", choices=Region.choices)
    manager = django_filters.NumberFilter(field_name="partner__owner_id")

    class Meta:
        model = PartnerRollup
        fields = ["partner", "tier", "partner_type", "period_start", "year", "region", "manager"]


ROLLUP_FILTERS = [
    OpenApiParameter("partner", int, description="Partner id."),
    OpenApiParameter("tier", int, description="Tier id (the partner's tier in the rollup)."),
    OpenApiParameter(
        "partner_type", str, enum=[c for c, _l in PartnerType.choices], description="Type."
    ),
    OpenApiParameter(
        "region", str, enum=[c for c, _l in Region.choices], description="Partner's region."
    ),
    OpenApiParameter("manager", int, description="Member id of the partner's channel manager."),
    OpenApiParameter(
        "period_start", OpenApiTypes.DATE, description="First day of one quarter (YYYY-MM-01)."
    ),
    OpenApiParameter("year", int, description="Every quarter of this year."),
]


@extend_schema_view(
    list=extend_schema(
        parameters=ROLLUP_FILTERS,
        summary="Attribution, ROPI and KPIs per partner and quarter",
        description=(
            "One row per partner and quarter, recomputed nightly and on demand (never on "
            "read): sourced and influenced revenue, ROPI with its inputs, deal velocity "
            "(days submitted to won), approval SLA attainment and approval rate (decisions "
            "of the quarter), the registration funnel (deals submitted in the quarter), MDF "
            "ROI (won revenue of deals carrying the partner's campaign codes against MDF "
            "paid) and PSAT. Percentages are 0-100; ratios are (return - cost) / cost."
        ),
    )
)
class RollupViewSet(mixins.ListModelMixin, TenantViewSet):
    """Attribution and ROPI per partner and quarter, with every input (sourced and influenced
    revenue, margin, MDF paid, discounts, program costs). Partners see their own rows."""

    model = PartnerRollup
    serializer_class = AnalyticsRollupSerializer
    permission_classes = [IsMember]
    required_perm = "portal.use"
    filterset_class = RollupFilter
    ordering_fields = ["period_start", "ropi", "sourced_revenue", "id"]

    def scoped_queryset(self):
        partners = selectors.visible_partners(self.member).values("pk")
        return PartnerRollup.objects.filter(partner_id__in=partners).select_related(
            "partner", "tier"
        )


class AnalyticsFunnelSerializer(serializers.Serializer):
    period_start = serializers.DateField(help_text="First day of the quarter.")
    partners = serializers.IntegerField(help_text="Partners with a stored rollup.")
    submitted = serializers.IntegerField(help_text="Deals submitted in the quarter.")
    approved = serializers.IntegerField(help_text="Of those, approved (including won, lost).")
    won = serializers.IntegerField(help_text="Of those, won.")
    rejected = serializers.IntegerField(help_text="Of those, rejected.")


class _ByQuarter(Cursor):
    ordering = "period_start"


@extend_schema_view(
    list=extend_schema(
        parameters=ROLLUP_FILTERS,
        summary="Registration funnel per quarter",
        description=(
            "The funnel stored by the rollup run (never computed on read), added up per "
            "quarter over the partners you may see and the filters given: deals submitted "
            "in the quarter and how far they have got since. Oldest quarter first."
        ),
    )
)
class _StoredAggregateViewSet(mixins.ListModelMixin, TenantViewSet):
    """A list added up from rows the rollup run stored per partner (`model`), over the
    partners the member may see: `aggregate` turns the filtered rows into the list."""

    permission_classes = [IsMember]
    required_perm = "portal.use"
    filter_backends = [DjangoFilterBackend]
    aggregate = None  # staticmethod(queryset -> list of dicts)

    def scoped_queryset(self):
        partners = selectors.visible_partners(self.member).values("pk")
        return self.model.objects.filter(partner_id__in=partners)

    def list(self, request, *args, **kwargs):
        rows = self.aggregate(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FunnelViewSet(_StoredAggregateViewSet):
    """The stored registration funnel per quarter. Partners see their own figures."""

    model = PartnerRollup
    serializer_class = AnalyticsFunnelSerializer
    filterset_class = RollupFilter
    pagination_class = _ByQuarter
    aggregate = staticmethod(selectors.funnel_by_quarter)


class AnalyticsFirstDealCohortSerializer(serializers.Serializer):
    cohort_month = serializers.DateField(help_text="Month the partners were activated.")
    activated = serializers.IntegerField(help_text="Partners activated in the month.")
    with_deal = serializers.IntegerField(help_text="Of those, partners with a first deal.")
    days_total = serializers.IntegerField(help_text="Summed days from activation to it.")
    average_days = serializers.SerializerMethodField(
        help_text="Average days to the first deal (days_total / with_deal); null without one."
    )

    def get_average_days(self, row) -> int | None:
        return selectors.average_days(row)


class FirstDealCohortFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    tier = django_filters.NumberFilter(field_name="tier_id")
    partner_type = django_filters.ChoiceFilter(choices=PartnerType.choices)
    region = django_filters.ChoiceFilter(choices=Region.choices)
    manager = django_filters.NumberFilter(field_name="manager_id")
    since = django_filters.DateFilter(field_name="cohort_month", lookup_expr="gte")
    year = _YearFilter(field_name="cohort_month", lookup_expr="year", min_value=1, max_value=9999)

    class Meta:
        model = FirstDealCohort
        fields = ["partner", "tier", "partner_type", "region", "manager", "since", "year"]


class _ByMonth(Cursor):
    ordering = "cohort_month"


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("partner", int, description="Partner id."),
            OpenApiParameter("tier", int, description="Tier id (the partner's tier at the run)."),
            OpenApiParameter(
                "partner_type", str, enum=[c for c, _l in PartnerType.choices], description="Type."
            ),
            OpenApiParameter(
                "region",
                str,
                enum=[c for c, _l in Region.choices],
                description="Partner's region at the run.",
            ),
            OpenApiParameter(
                "manager", int, description="Member id of the partner's channel manager at the run."
            ),
            OpenApiParameter(
                "since", OpenApiTypes.DATE, description="Activation months from this date on."
            ),
            OpenApiParameter("year", int, description="Activation months of this year."),
        ],
        summary="Time to first deal, by activation month",
        description=(
            "Cohorts of partners by the month they were activated, as stored by the rollup "
            "run (never computed on read): how many were activated, how many have registered "
            "a first deal and the days it took (sum and average). Filters use each partner's "
            "type, tier, region and channel manager as they were at the run. Oldest month "
            "first."
        ),
    )
)
class FirstDealCohortViewSet(_StoredAggregateViewSet):
    """Time-to-first-deal cohorts. Partners see their own entry only."""

    model = FirstDealCohort
    serializer_class = AnalyticsFirstDealCohortSerializer
    filterset_class = FirstDealCohortFilter
    pagination_class = _ByMonth
    aggregate = staticmethod(selectors.cohort_totals)


class RollupRunViewSet(mixins.ListModelMixin, TenantViewSet):
    """On-demand recomputes of health and rollups (admins): POST queues one, GET shows
    progress."""

    model = RollupRun
    serializer_class = AnalyticsRollupRunSerializer
    permission_classes = [IsMember]
    required_perm = "analytics.program"

    def scoped_queryset(self):
        return RollupRun.objects.all()

    @extend_schema(request=None, responses={202: AnalyticsRollupRunSerializer})
    def create(self, request):
        run = services.rollup_run_request(tenant=self.tenant, member=self.member)
        return Response(AnalyticsRollupRunSerializer(run).data, status=202)


class AnalyticsSurveyAnswerSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = SurveyResponse
        fields = ["id", "partner", "partner_name", "period_start", "score", "comment", "created_at"]
        read_only_fields = fields


class AnalyticsSurveyAnswerInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SurveyAnswerFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    period_start = django_filters.DateFilter()

    class Meta:
        model = SurveyResponse
        fields = ["partner", "period_start"]


class SurveyAnswerViewSet(mixins.ListModelMixin, TenantViewSet):
    """Partner-satisfaction answers (1-5 and a comment, once per person per quarter).
    Staff see every answer; partner people see their company's and answer with POST."""

    model = SurveyResponse
    serializer_class = AnalyticsSurveyAnswerSerializer
    permission_classes = [IsMember]
    required_perm = "portal.use"
    required_perms = {"create": "analytics.own"}
    filterset_class = SurveyAnswerFilter

    def scoped_queryset(self):
        partners = selectors.visible_partners(self.member).values("pk")
        return SurveyResponse.objects.filter(partner_id__in=partners).select_related("partner")

    @extend_schema(
        request=AnalyticsSurveyAnswerInputSerializer,
        responses={201: AnalyticsSurveyAnswerSerializer},
        summary="Answer this quarter's partner survey",
    )
    def create(self, request):
        ser = AnalyticsSurveyAnswerInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        answer = services.survey_answer(member=self.member, **ser.validated_data)
        return Response(AnalyticsSurveyAnswerSerializer(answer).data, status=201)


router = SimpleRouter(trailing_slash=True)
router.register("analytics/health", HealthViewSet, basename="api-analytics-health")
router.register("analytics/rollups", RollupViewSet, basename="api-analytics-rollup")
router.register("analytics/funnels", FunnelViewSet, basename="api-analytics-funnel")
router.register(
    "analytics/first-deal-cohorts", FirstDealCohortViewSet, basename="api-analytics-cohort"
)
router.register("analytics/runs", RollupRunViewSet, basename="api-analytics-run")
router.register(
    "analytics/survey-answers", SurveyAnswerViewSet, basename="api-analytics-survey-answer"
)

urlpatterns = router.urls
