"""The partner locator and referrals under /api/v1/locator/: a partner admin's public profile
(read, replace, publish, withdraw), the staff's list of every profile (take one down with a
reason, allow it again), a partner's referral invitations and their status (what
the referrer may know only), and the public search as JSON (no key needed: the portal offers
the same search to anyone at /find/). The same capabilities, services and selectors as the
portal; the public search shows only `public_views.public_profile()` of live profiles."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from locator import public_views, referrals, selectors, services
from locator.forms import SearchForm
from locator.models import ProfileStatus, PublicProfile, Referral, ReferralStatus
from locator.states import PROFILE
from prm import portal
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.fields import NamedEnumField


class _Enum(NamedEnumField):
    prefix = "Locator"


class ProfileSerializer(serializers.Serializer):
    slug = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True, help_text="draft, published or hidden")
    public_url = serializers.CharField(allow_null=True)
    headline = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True, help_text="Sanitised HTML.")
    services = serializers.ListField(child=serializers.CharField())
    specialties = serializers.ListField(child=serializers.IntegerField())
    products = serializers.ListField(child=serializers.IntegerField())
    regions = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    certificates = serializers.ListField(child=serializers.IntegerField())
    website = serializers.CharField(allow_blank=True)
    show_tier = serializers.BooleanField()
    allowed_actions = serializers.ListField(child=serializers.CharField())


class ProfileInputSerializer(serializers.Serializer):
    headline = serializers.CharField(max_length=160, required=False, allow_blank=True)
    description = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    services = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, default=list
    )
    specialties = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    products = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    regions = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, default=list
    )
    certificates = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    show_tier = serializers.BooleanField(required=False, default=False)


def _profile_data(request, member, profile) -> dict:
    if profile is None:
        return {
            "slug": None, "status": None, "public_url": None, "headline": "", "description": "",
            "services": [], "specialties": [], "products": [], "regions": [], "languages": [],
            "certificates": [], "website": member.partner.website or "", "show_tier": False,
            "allowed_actions": ["edit"],
        }  # fmt: skip
    return {
        "slug": profile.slug,
        "status": profile.status,
        "public_url": request.build_absolute_uri(profile.get_absolute_url()),
        "headline": profile.headline,
        "description": profile.description,
        "services": list(profile.services),
        "specialties": list(profile.specialties),
        "products": list(profile.products),
        "regions": list(profile.regions),
        "languages": list(profile.languages),
        "certificates": list(profile.certificates),
        "website": profile.website,
        "show_tier": profile.show_tier,
        "allowed_actions": sorted(PROFILE.allowed(profile, member)),
    }


@extend_schema(tags=["locator"])
class ProfileView(TenantAPIView):
    """The requesting partner admin's public profile in the partner locator. PUT replaces what
    the partner publishes (shown only while the profile is published)."""

    required_perm = "locator.own"

    @extend_schema(responses=ProfileSerializer, summary="Your public profile")
    def get(self, request):
        profile = selectors.profile_of(self.member.partner)
        return Response(_profile_data(request, self.member, profile))

    @extend_schema(
        request=ProfileInputSerializer,
        responses=ProfileSerializer,
        summary="Replace your public profile",
    )
    def put(self, request):
        ser = ProfileInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        profile = services.profile_update(
            partner=self.member.partner, by=self.member, **ser.validated_data
        )
        return Response(_profile_data(request, self.member, profile))


class _ProfileMove(TenantAPIView):
    required_perm = "locator.own"
    action = ""

    def _move(self, request, service):
        profile = selectors.profile_of(self.member.partner)
        if profile is None:
            raise Http404
        portal.require_action(PROFILE, profile, self.member, self.action)
        profile = service(profile=profile, by=self.member)
        return Response(_profile_data(request, self.member, profile))


@extend_schema(tags=["locator"])
class ProfilePublish(_ProfileMove):
    """Make the profile public in the partner locator."""

    action = "publish"

    @extend_schema(request=None, responses=ProfileSerializer, summary="Publish your profile")
    def post(self, request):
        return self._move(request, services.profile_publish)


@extend_schema(tags=["locator"])
class ProfileUnpublish(_ProfileMove):
    """Take the profile out of the partner locator."""

    action = "unpublish"

    @extend_schema(request=None, responses=ProfileSerializer, summary="Withdraw your profile")
    def post(self, request):
        return self._move(request, services.profile_unpublish)


class StaffProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    slug = serializers.CharField()
    status = serializers.CharField(help_text="draft, published or hidden")
    hidden_reason = serializers.CharField(allow_blank=True, help_text="Why staff took it down.")
    headline = serializers.CharField(allow_blank=True)
    public_url = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    allowed_actions = serializers.SerializerMethodField()

    def get_public_url(self, profile) -> str | None:
        if profile.status != ProfileStatus.PUBLISHED:
            return None
        return self.context["request"].build_absolute_uri(profile.get_absolute_url())

    def get_allowed_actions(self, profile) -> list[str]:
        return sorted(PROFILE.allowed(profile, self.context["member"]))


class HideInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


@extend_schema(tags=["locator"])
class StaffProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every partner's public profile, for the vendor's staff (the portal's Locator profiles
    page): filter by `?status=`; take a profile down with a reason (it leaves the public pages
    at once) or allow the partner to publish it again."""

    model = PublicProfile
    serializer_class = StaffProfileSerializer
    required_perm = "locator.manage"
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        qs = selectors.profiles_visible_to(self.member).order_by("partner__name", "id")
        status = self.request.query_params.get("status", "")
        if status:
            if status not in ProfileStatus.values:
                raise ValidationError({"status": [_("Choose draft, published or hidden.")]})
            qs = qs.filter(status=status)
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "member": self.member}

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=ProfileStatus.values)],
        summary="Every partner's public profile",
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=HideInputSerializer, responses=StaffProfileSerializer,
                   summary="Take a profile down")  # fmt: skip
    def hide(self, request, pk=None):
        profile = self.get_object()
        portal.require_action(PROFILE, profile, self.member, "hide")
        ser = HideInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        profile = services.profile_hide(
            profile=profile, by=self.member, reason=ser.validated_data["reason"]
        )
        return Response(self.get_serializer(profile).data)

    @extend_schema(request=None, responses=StaffProfileSerializer,
                   summary="Allow the partner to publish again")  # fmt: skip
    def restore(self, request, pk=None):
        profile = self.get_object()
        portal.require_action(PROFILE, profile, self.member, "restore")
        profile = services.profile_restore(profile=profile, by=self.member)
        return Response(self.get_serializer(profile).data)


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company_name = serializers.CharField()
    contact_email = serializers.EmailField()
    note = serializers.CharField(allow_blank=True)
    status = _Enum(ReferralStatus, help_text="What the referrer may know, nothing more.")
    created_at = serializers.DateTimeField()


class ReferralInputSerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _referral_data(referral) -> dict:
    return {
        "id": referral.pk,
        "company_name": referral.company_name,
        "contact_email": referral.contact_email,
        "note": referral.note,
        "status": selectors.referral_status(referral),
        "created_at": referral.created_at,
    }


@extend_schema(tags=["locator"])
class ReferralViewSet(mixins.ListModelMixin, TenantViewSet):
    """The requesting partner's referrals (newest first) with their status; POST invites a
    company to apply (an e-mail with the application link is sent)."""

    model = Referral
    serializer_class = ReferralSerializer
    required_perm = "locator.refer"

    def scoped_queryset(self):
        return selectors.referrals_of(self.member.partner).order_by("-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_referral_data(r) for r in page])

    @extend_schema(
        request=ReferralInputSerializer,
        responses={201: ReferralSerializer},
        summary="Invite a company to apply",
    )
    def create(self, request):
        ser = ReferralInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        referral = referrals.referral_invite(
            partner=self.member.partner, by=self.member, **ser.validated_data
        )
        return Response(_referral_data(referral), status=201)


class PublicCardSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    absolute_url = serializers.CharField()
    headline = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    services = serializers.ListField(child=serializers.CharField())
    specialties = serializers.ListField(child=serializers.CharField())
    products = serializers.ListField(child=serializers.CharField())
    regions = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    website = serializers.CharField(allow_blank=True)
    tier = serializers.CharField(allow_blank=True)


@extend_schema(tags=["locator"], auth=[])
class PublicSearch(TenantAPIView):
    """The public partner locator's search, as JSON: anyone may call it (no key), like
    /find/. Only the fields partners chose to publish, of published profiles."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words of what you need."),
            OpenApiParameter("region", str, description="A region code."),
            OpenApiParameter("product", int, description="A product id."),
            OpenApiParameter("specialty", int, description="A specialty id."),
            OpenApiParameter("language", str, description="A language code, e.g. de."),
        ],
        responses=PublicCardSerializer(many=True),
        summary="Search the public partner locator",
    )
    def get(self, request):
        form = SearchForm(request.query_params or None)
        if request.query_params and not form.is_valid():
            raise serializers.ValidationError(form.errors)
        found = selectors.results(**form.criteria())
        cards = public_views.public_cards(request, found)
        return Response(PublicCardSerializer(cards, many=True).data)


urlpatterns = [
    path("profile/", ProfileView.as_view(), name="api-locator-profile"),
    path("profile/publish/", ProfilePublish.as_view(), name="api-locator-profile-publish"),
    path("profile/unpublish/", ProfileUnpublish.as_view(), name="api-locator-profile-unpublish"),
    path(
        "profiles/",
        StaffProfileViewSet.as_view({"get": "list"}),
        name="api-locator-profiles",
    ),
    path(
        "profiles/<int:pk>/",
        StaffProfileViewSet.as_view({"get": "retrieve"}),
        name="api-locator-profile-detail",
    ),
    path(
        "profiles/<int:pk>/hide/",
        StaffProfileViewSet.as_view({"post": "hide"}),
        name="api-locator-profile-hide",
    ),
    path(
        "profiles/<int:pk>/restore/",
        StaffProfileViewSet.as_view({"post": "restore"}),
        name="api-locator-profile-restore",
    ),
    path(
        "referrals/",
        ReferralViewSet.as_view({"get": "list", "post": "create"}),
        name="api-locator-referrals",
    ),
    path("search/", PublicSearch.as_view(), name="api-locator-search"),
]
