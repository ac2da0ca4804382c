"""API for the onboarding settings page (portal: onboarding-settings): the onboarding rules
and the ideal partner profile. Tenant admins only, through the same services as the portal."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from onboarding import services
from onboarding.models import IdealPartnerProfile, OnboardingSettings
from partners.models import PartnerType, Region, SizeBand, Specialty
from prm.api.base import TenantAPIView
from prm.api.fields import NamedEnumField, TenantPrimaryKeyField


class OnboardingSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = OnboardingSettings
        fields = services.SETTINGS_FIELDS


class IdealPartnerProfileSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2),
        required=False,
        help_text="ISO 3166 two-letter codes.",
    )
    regions = serializers.ListField(child=NamedEnumField(Region), required=False)
    partner_types = serializers.ListField(child=NamedEnumField(PartnerType), required=False)
    size_bands = serializers.ListField(child=NamedEnumField(SizeBand), required=False)
    specialties = TenantPrimaryKeyField(
        Specialty, many=True, required=False, help_text="Specialty ids."
    )

    class Meta:
        model = IdealPartnerProfile
        fields = [*services.IPP_FIELDS, "specialties", "updated_at"]
        read_only_fields = ["updated_at"]


class OnboardingSettingsView(TenantAPIView):
    """Rules for applications, reminders and agreements (one record per tenant)."""

    required_perm = "onboarding.manage"

    @extend_schema(responses=OnboardingSettingsSerializer, summary="Onboarding rules")
    def get(self, request):
        obj = OnboardingSettings.for_tenant(self.tenant)
        return Response(OnboardingSettingsSerializer(obj).data)

    @extend_schema(
        request=OnboardingSettingsSerializer,
        responses=OnboardingSettingsSerializer,
        summary="Change the onboarding rules",
    )
    def patch(self, request):
        ser = OnboardingSettingsSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        obj = services.onboarding_settings_update(by=self.member, **ser.validated_data)
        return Response(OnboardingSettingsSerializer(obj).data)


class IdealPartnerProfileView(TenantAPIView):
    """The traits of the vendor's best partners; applications are scored against them."""

    required_perm = "onboarding.manage"

    @extend_schema(responses=IdealPartnerProfileSerializer, summary="Ideal partner profile")
    def get(self, request):
        obj = IdealPartnerProfile.for_tenant(self.tenant)
        return Response(IdealPartnerProfileSerializer(obj).data)

    @extend_schema(
        request=IdealPartnerProfileSerializer,
        responses=IdealPartnerProfileSerializer,
        summary="Change the ideal partner profile",
    )
    def patch(self, request):
        ser = IdealPartnerProfileSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        obj = services.ideal_profile_update(by=self.member, **ser.validated_data)
        return Response(IdealPartnerProfileSerializer(obj).data)


urlpatterns = [
    path("onboarding-settings/", OnboardingSettingsView.as_view(), name="api-onboarding-settings"),
    path(
        "onboarding-settings/ideal-partner-profile/",
        IdealPartnerProfileView.as_view(),
        name="api-ideal-partner-profile",
    ),
]
