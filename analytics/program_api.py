"""API for the analytics pages that change something: the settings (health weights and
thresholds, margin, attribution), program costs for ROPI, and quarterly business reviews.
The same capabilities and services as the portal (analytics/views.py)."""

from __future__ import annotations

import datetime

from django.http import FileResponse, Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from analytics import reviews as review_service
from analytics import services
from analytics.forms import quarter_choices
from analytics.models import AnalyticsSettings, BusinessReview, ProgramCost
from partners.models import Partner, Tier
from prm import iso
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.fields import NamedEnumField, TenantPrimaryKeyField

# How many quarters back a review may be requested (the portal offers the same choice).
REVIEW_QUARTERS = 5


def _currency(value: str) -> str:
    value = iso.parse_currency(value)
    if not value:
        raise serializers.ValidationError("Enter a three-letter currency code, e.g. USD.")
    return value


# --- Settings -----------------------------------------------------------------------------


class AnalyticsSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnalyticsSettings
        fields = services.SETTINGS_FIELDS
        extra_kwargs = {"currency": {"min_length": 3}}

    def validate_currency(self, value):
        return _currency(value)


class AnalyticsSettingsView(TenantAPIView):
    """Reporting currency, margin, attribution split, health weights and at-risk thresholds.
    Changes apply from the next analytics run (stored figures are marked stale)."""

    required_perm = "analytics.program"

    @extend_schema(responses=AnalyticsSettingsSerializer, summary="Analytics settings")
    def get(self, request):
        return Response(AnalyticsSettingsSerializer(AnalyticsSettings.for_tenant(self.tenant)).data)

    @extend_schema(
        request=AnalyticsSettingsSerializer,
        responses=AnalyticsSettingsSerializer,
        summary="Change the analytics settings",
    )
    def patch(self, request):
        ser = AnalyticsSettingsSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        obj = services.settings_update(tenant=self.tenant, **ser.validated_data)
        return Response(AnalyticsSettingsSerializer(obj).data)


# --- Program costs ------------------------------------------------------------------------


class AnalyticsProgramCostSerializer(serializers.ModelSerializer):
    partner = TenantPrimaryKeyField(
        Partner, allow_null=True, required=False, help_text="A partner, or"
    )
    tier = TenantPrimaryKeyField(
        Tier,
        allow_null=True,
        required=False,
        help_text="a tier: the cost is shared evenly by its partners.",
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)
    tier_name = serializers.CharField(source="tier.name", read_only=True, default=None)

    class Meta:
        model = ProgramCost
        fields = [
            "id",
            "partner",
            "partner_name",
            "tier",
            "tier_name",
            "incurred_on",
            "amount",
            "currency",
            "description",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"currency": {"min_length": 3}}

    def validate_currency(self, value):
        return _currency(value)


class ProgramCostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Program costs counted in ROPI, per partner or per tier (tenant admins)."""

    model = ProgramCost
    serializer_class = AnalyticsProgramCostSerializer
    required_perm = "analytics.program"
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return ProgramCost.objects.select_related("partner", "tier")

    @extend_schema(
        responses={201: AnalyticsProgramCostSerializer},
        summary="Add a program cost (counts from the next run)",
    )
    def create(self, request):
        ser = AnalyticsProgramCostSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        cost = services.program_cost_add(
            tenant=self.tenant,
            partner=data.pop("partner", None),
            tier=data.pop("tier", None),
            **data,
        )
        return Response(
            AnalyticsProgramCostSerializer(self.scoped_queryset().get(pk=cost.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- Business reviews ---------------------------------------------------------------------


class AnalyticsBusinessReviewSerializer(serializers.ModelSerializer):
    status = NamedEnumField(BusinessReview.Status, read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    quarter = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = BusinessReview
        fields = [
            "id",
            "partner",
            "partner_name",
            "period_start",
            "quarter",
            "status",
            "created_at",
            "generated_at",
        ]
        read_only_fields = fields


class BusinessReviewRequestSerializer(serializers.Serializer):
    partner = TenantPrimaryKeyField(Partner, help_text="A partner the caller may review.")
    period_start = serializers.DateField(
        help_text=f"First day of one of the last {REVIEW_QUARTERS} quarters (this one included)."
    )

    def validate_partner(self, partner):
        member = self.context["member"]
        if not review_service.reviewable_partners(member).filter(pk=partner.pk).exists():
            raise serializers.ValidationError("Invalid pk - object does not exist.")
        return partner

    def validate_period_start(self, value: datetime.date):
        allowed = [q for q, _label in quarter_choices(timezone.localdate(), REVIEW_QUARTERS)]
        if value.isoformat() not in allowed:
            raise serializers.ValidationError(f"Choose one of: {', '.join(allowed)}.")
        return value


class BusinessReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Quarterly business-review PDFs: admins see all, channel managers their partners',
    partner people their own company's."""

    model = BusinessReview
    serializer_class = AnalyticsBusinessReviewSerializer
    required_perm = "analytics.reviews"
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return review_service.reviews_visible_to(self.member)

    @extend_schema(
        request=BusinessReviewRequestSerializer,
        responses={202: AnalyticsBusinessReviewSerializer},
        summary="Request (or rebuild) a partner's review for a quarter",
    )
    def create(self, request):
        ser = BusinessReviewRequestSerializer(data=request.data, context={"member": self.member})
        ser.is_valid(raise_exception=True)
        review = review_service.review_request(
            tenant=self.tenant,
            partner=ser.validated_data["partner"],
            period_start=ser.validated_data["period_start"],
            by=self.member,
        )
        return Response(
            AnalyticsBusinessReviewSerializer(review).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="Download a ready review as PDF",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def download(self, request, pk=None):
        review = self.get_object()
        if review.status != BusinessReview.Status.READY:
            raise Http404
        try:
            f = review.pdf.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        name = f"business-review-{review.partner.name}-{review.label}.pdf".replace(" ", "-")
        return FileResponse(f, as_attachment=True, filename=name, content_type="application/pdf")


router = SimpleRouter(trailing_slash=True)
router.register("analytics/costs", ProgramCostViewSet, basename="api-analytics-cost")
router.register("analytics/reviews", BusinessReviewViewSet, basename="api-analytics-review")

urlpatterns = [
    path("analytics/settings/", AnalyticsSettingsView.as_view(), name="api-analytics-settings"),
    *router.urls,
]
