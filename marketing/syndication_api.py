"""Content syndication under /api/v1/marketing/syndication/: the requesting partner admin's
settings and snippet (GET, PUT), its views per asset, and, for staff, the views per partner.
The same capabilities and services as the portal (marketing.syndication)."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from marketing import syndication as synd
from marketing.syndication_views import snippets
from partners.models import Partner, Product
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.fields import TenantPrimaryKeyField


class SyndicationSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    allowed_origins = serializers.ListField(
        child=serializers.CharField(max_length=300),
        max_length=synd.MAX_ORIGINS,
        help_text="The websites (https://host[:port]) allowed to embed the content.",
    )
    product = serializers.IntegerField(allow_null=True, help_text="Only this product's content.")
    language = serializers.CharField(
        allow_blank=True, help_text="Only content in this language (en, de, ...); empty: all."
    )
    max_items = serializers.IntegerField()
    token = serializers.CharField(allow_null=True)
    embed_url = serializers.CharField(allow_null=True)
    iframe_snippet = serializers.CharField(allow_blank=True, allow_null=True)
    script_snippet = serializers.CharField(allow_blank=True, allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class SyndicationInputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    allowed_origins = serializers.ListField(
        child=serializers.CharField(max_length=300), max_length=synd.MAX_ORIGINS, default=list
    )
    product = TenantPrimaryKeyField(Product, required=False, allow_null=True)
    language = serializers.CharField(
        max_length=5, required=False, allow_blank=True, default="", help_text="en, de, ..."
    )
    max_items = serializers.IntegerField(
        required=False, default=6, min_value=1, max_value=synd.MAX_ITEMS
    )


class AssetViewsSerializer(serializers.Serializer):
    asset = serializers.IntegerField(source="asset_id")
    title = serializers.CharField(source="asset__title")
    views = serializers.IntegerField()
    opens = serializers.IntegerField()


class PartnerViewsSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="pk")
    partner_name = serializers.CharField(source="name")
    views = serializers.IntegerField()
    opens = serializers.IntegerField()


def _data(request, feed) -> dict:
    if feed is None:
        return {
            "enabled": False,
            "allowed_origins": [],
            "product": None,
            "language": "",
            "max_items": 6,
            "token": None,
            "embed_url": None,
            "iframe_snippet": "",
            "script_snippet": "",
            "updated_at": None,
        }
    s = snippets(request, feed)
    return {
        "enabled": feed.enabled,
        "allowed_origins": list(feed.allowed_origins),
        "product": feed.product_id,
        "language": feed.language,
        "max_items": feed.max_items,
        "token": feed.token,
        "embed_url": request.build_absolute_uri(reverse("syndication-embed", args=[feed.token])),
        "iframe_snippet": s["iframe"],
        "script_snippet": s["script"],
        "updated_at": feed.updated_at,
    }


@extend_schema(tags=["marketing"])
class SyndicationView(TenantAPIView):
    """The requesting partner admin's content syndication: switched on or off, the websites
    that may embed it, filters, and the copy-ready snippet. PUT replaces the settings."""

    required_perm = "marketing.syndicate"

    @extend_schema(responses=SyndicationSerializer, summary="Content syndication settings")
    def get(self, request):
        return Response(_data(request, synd.feed_of(self.member.partner)))

    @extend_schema(
        request=SyndicationInputSerializer,
        responses=SyndicationSerializer,
        summary="Replace the content syndication settings",
    )
    def put(self, request):
        ser = SyndicationInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        feed = synd.syndication_feed_save(
            partner=self.member.partner, by=self.member, **ser.validated_data
        )
        return Response(_data(request, feed))


@extend_schema(tags=["marketing"])
class SyndicationAssetViews(TenantAPIView):
    """The requesting partner's embed: views and opens per asset over the last 90 days."""

    required_perm = "marketing.syndicate"

    @extend_schema(responses=AssetViewsSerializer(many=True), summary="Syndication views per asset")
    def get(self, request):
        rows = synd.views_by_asset(self.member.partner)
        return Response(AssetViewsSerializer(rows, many=True).data)


@extend_schema(tags=["marketing"])
class SyndicationPartnerViews(mixins.ListModelMixin, TenantViewSet):
    """Staff: each partner's embed views and opens over the last 90 days (partners with any)."""

    model = Partner
    serializer_class = PartnerViewsSerializer
    required_perm = "marketing.manage"

    def scoped_queryset(self):
        return synd.partners_with_views()

    @extend_schema(summary="Syndication views per partner")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["marketing"])
class SyndicationRotate(TenantAPIView):
    """A new token: the snippet pasted with the old one stops working at once."""

    required_perm = "marketing.syndicate"
    # The new token (and everything carrying it) is handed out once: an idempotent replay of
    # the renewal answers without it (prm.api.idempotency), as for API keys.
    secret_fields = ("token", "embed_url", "iframe_snippet", "script_snippet")

    @extend_schema(request=None, responses=SyndicationSerializer, summary="Renew the snippet")
    def post(self, request):
        feed = synd.syndication_token_rotate(partner=self.member.partner, by=self.member)
        return Response(_data(request, feed))


urlpatterns = [
    path("syndication/", SyndicationView.as_view(), name="api-marketing-syndication"),
    path(
        "syndication/rotate/",
        SyndicationRotate.as_view(),
        name="api-marketing-syndication-rotate",
    ),
    path(
        "syndication/views/",
        SyndicationAssetViews.as_view(),
        name="api-marketing-syndication-views",
    ),
    path(
        "syndication/partners/",
        SyndicationPartnerViews.as_view({"get": "list"}),
        name="api-marketing-syndication-partners",
    ),
]
