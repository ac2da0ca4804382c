"""The marketing app under /api/v1/marketing/: the asset library (partners: what their type
and tier may see; staff: every asset, created, changed, versioned, published and archived
here), downloads through the same visibility check as the portal, the partner's brand kit,
and co-brandable templates with each partner's co-branded copy. The same capabilities and
services as the portal."""

from __future__ import annotations

import django_filters
from django.http import Http404, HttpResponseRedirect
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from marketing import selectors, services
from marketing.campaign_api import BouncesView, CampaignKitViewSet, CampaignViewSet
from marketing.downloads import cobrand_response
from marketing.files import OFFICE
from marketing.language import AssetLanguage
from marketing.models import Asset, AssetKind, CobrandTemplate
from marketing.serializers import (
    AssetInputSerializer,
    AssetSerializer,
    BrandKitInputSerializer,
    BrandKitSerializer,
    TemplateInputSerializer,
    TemplateSerializer,
    VersionInputSerializer,
    VersionSerializer,
)
from marketing.states import ASSET, TEMPLATE
from prm import portal
from prm.api.base import TenantAPIView, TenantViewSet
from prm.portal import require_action

# What a version's file can be (marketing.files checks it from the bytes).
DOWNLOAD_TYPES = ("application/pdf", "image/png", "image/jpeg", *(t for _p, t, _e in OFFICE))


class AssetFilter(django_filters.FilterSet):
    """The library's filters (marketing.selectors.library); a type or language outside the
    choices answers 400 with the field's error."""

    q = django_filters.CharFilter(
        method="filter_library", max_length=100, help_text="Search in title, description and tags."
    )
    kind = django_filters.ChoiceFilter(choices=AssetKind.choices)
    product = django_filters.CharFilter(
        method="filter_library", max_length=200, help_text="A product's name."
    )
    language = django_filters.ChoiceFilter(choices=AssetLanguage.choices)

    def filter_library(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return selectors.library_filter(queryset, **{name: value})


@extend_schema(tags=["marketing"])
class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Marketing assets. Partner people see the published, unexpired assets their partner type
    and tier may see; staff see every asset and manage them."""

    model = Asset
    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "published_at", "title"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_perms = {
        "list": "marketing.view",
        "retrieve": "marketing.view",
        "download": "marketing.view",
        "create": "marketing.manage",
        "partial_update": "marketing.manage",
        "add_version": "marketing.manage",
        "publish": "marketing.manage",
        "archive": "marketing.manage",
    }

    def scoped_queryset(self):
        return selectors.assets_visible_to(self.member).order_by("-published_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "member": self.member}

    def _out(self, asset, code=status.HTTP_200_OK):
        asset = selectors.assets_visible_to(self.member).get(pk=asset.pk)
        return Response(self.get_serializer(asset).data, status=code)

    @extend_schema(
        request=AssetInputSerializer, responses={201: AssetSerializer}, summary="Create an asset"
    )
    def create(self, request):
        ser = AssetInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        asset = services.asset_create(by=self.member, **ser.validated_data)
        return self._out(asset, status.HTTP_201_CREATED)

    @extend_schema(
        request=AssetInputSerializer, responses=AssetSerializer, summary="Change an asset"
    )
    def partial_update(self, request, pk=None):
        asset = self.get_object()
        require_action(ASSET, asset, self.member, "edit")
        current = {
            "title": asset.title,
            "description": asset.description,
            "kind": asset.kind,
            "language": asset.language,
            "product": asset.product,
            "product_name": asset.product_name,
            "partner_types": asset.partner_types,
            "tiers": list(asset.tiers.all()),
            "tags": asset.tags,
            "expires_on": asset.expires_on,
        }
        data = self.patched(AssetInputSerializer, current)
        asset = services.asset_update(asset=asset, by=self.member, **data)
        return self._out(asset)

    @extend_schema(
        request={
            "multipart/form-data": VersionInputSerializer,
            "application/json": VersionInputSerializer,
        },
        responses={201: VersionSerializer},
        summary="Add a version (a file, or a video's link)",
    )
    @action(detail=True, methods=["post"], url_path="versions")
    def add_version(self, request, pk=None):
        asset = self.get_object()
        require_action(ASSET, asset, self.member, "add_version")
        ser = VersionInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        version = services.asset_version_add(
            asset=asset,
            by=self.member,
            upload=data.get("file"),
            url=data.get("url", ""),
            notes=data.get("notes", ""),
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssetSerializer, summary="Publish an asset")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        asset = self.get_object()
        require_action(ASSET, asset, self.member, "publish")
        return self._out(services.asset_publish(asset=asset, by=self.member))

    @extend_schema(request=None, responses=AssetSerializer, summary="Archive an asset")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        asset = self.get_object()
        require_action(ASSET, asset, self.member, "archive")
        return self._out(services.asset_archive(asset=asset, by=self.member))

    @extend_schema(
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in DOWNLOAD_TYPES},
            302: None,
        },
        summary="Download the newest version (a video: a redirect to its link)",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        asset = self.get_object()
        version = selectors.current_version(asset)
        if version is None:
            raise Http404
        services.asset_download_record(asset=asset, version=version, member=self.member)
        if version.url:
            return HttpResponseRedirect(version.url)
        return portal.file_attachment(
            version.file, filename=version.original_name, content_type=version.content_type
        )


@extend_schema(tags=["marketing"])
class BrandKitView(TenantAPIView):
    """The requesting partner admin's brand kit: logo (PNG/JPEG), two colours, contact block.
    PUT replaces it (multipart to send a logo)."""

    required_perm = "marketing.brand"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _kit_data(self, kit):
        partner = self.member.partner
        if kit is None:
            return {
                "partner": partner.pk,
                "has_logo": False,
                "primary_color": "#1f4e79",
                "secondary_color": "#f2a900",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
                "website": partner.website,
                "updated_at": None,
            }
        return BrandKitSerializer(kit).data

    @extend_schema(responses=BrandKitSerializer, summary="The brand kit")
    def get(self, request):
        return Response(self._kit_data(selectors.brand_kit(self.member.partner)))

    @extend_schema(
        request={
            "application/json": BrandKitInputSerializer,
            "multipart/form-data": BrandKitInputSerializer,
        },
        responses=BrandKitSerializer,
        summary="Replace the brand kit",
    )
    def put(self, request):
        ser = BrandKitInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        kit = services.brand_kit_save(
            partner=self.member.partner, by=self.member, logo=data.pop("logo", None), **data
        )
        return Response(BrandKitSerializer(kit).data)


@extend_schema(tags=["marketing"])
class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Co-brandable templates: staff write and publish them; partner people see the published
    ones and download their co-branded copy."""

    model = CobrandTemplate
    serializer_class = TemplateSerializer
    lookup_value_regex = r"\d+"
    required_perms = {
        "list": "marketing.view",
        "retrieve": "marketing.view",
        "download": "marketing.view",
        "create": "marketing.manage",
        "partial_update": "marketing.manage",
        "publish": "marketing.manage",
        "archive": "marketing.manage",
    }

    def scoped_queryset(self):
        return selectors.templates_visible_to(self.member).order_by("title", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "member": self.member}

    @extend_schema(
        request=TemplateInputSerializer,
        responses={201: TemplateSerializer},
        summary="Create a co-brandable template",
    )
    def create(self, request):
        ser = TemplateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        tpl = services.template_create(by=self.member, **ser.validated_data)
        return Response(self.get_serializer(tpl).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TemplateInputSerializer, responses=TemplateSerializer, summary="Change a template"
    )
    def partial_update(self, request, pk=None):
        tpl = self.get_object()
        require_action(TEMPLATE, tpl, self.member, "edit")
        current = {"title": tpl.title, "kind": tpl.kind, "body": tpl.body}
        data = self.patched(TemplateInputSerializer, current)
        tpl = services.template_update(template=tpl, by=self.member, **data)
        return Response(self.get_serializer(tpl).data)

    @extend_schema(request=None, responses=TemplateSerializer, summary="Publish a template")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        tpl = self.get_object()
        require_action(TEMPLATE, tpl, self.member, "publish")
        tpl = services.template_publish(template=tpl, by=self.member)
        return Response(self.get_serializer(tpl).data)

    @extend_schema(request=None, responses=TemplateSerializer, summary="Archive a template")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        tpl = self.get_object()
        require_action(TEMPLATE, tpl, self.member, "archive")
        tpl = services.template_archive(template=tpl, by=self.member)
        return Response(self.get_serializer(tpl).data)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/html"): OpenApiTypes.STR,
        },
        summary="Download the co-branded copy (PDF, or HTML for e-mail and landing texts)",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        tpl = self.get_object()
        return cobrand_response(request._request, tpl)


router = SimpleRouter(trailing_slash=True)
router.register("assets", AssetViewSet, basename="api-marketing-asset")
router.register("templates", TemplateViewSet, basename="api-marketing-template")
# --- Campaigns (issue #21, items 3-4) ---
router.register("campaign-kits", CampaignKitViewSet, basename="api-marketing-campaign-kit")
router.register("campaigns", CampaignViewSet, basename="api-marketing-campaign")

urlpatterns = [
    path("brand-kit/", BrandKitView.as_view(), name="api-marketing-brand-kit"),
    path("bounces/", BouncesView.as_view(), name="api-marketing-bounces"),
    path("", include(router.urls)),
]

# --- Content syndication (marketing.syndication_api)
from marketing import syndication_api  # noqa: E402  (its own module; kept apart from campaigns)

urlpatterns += syndication_api.urlpatterns
