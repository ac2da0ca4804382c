"""API serializers of the marketing app: input shapes (validated here, then one service) and
assets, brand kits and co-brandable templates as read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketing import selectors
from marketing.models import (
    Asset,
    AssetKind,
    AssetLanguage,
    AssetStatus,
    AssetVersion,
    BrandKit,
    CobrandTemplate,
    TemplateKind,
    TemplateStatus,
)
from marketing.states import ASSET, TEMPLATE
from partners.models import PartnerType, Product, Tier
from prm.api.fields import AllowedActionsMixin, NamedEnumField, TenantPrimaryKeyField


class EnumField(NamedEnumField):
    prefix = "Marketing"


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssetVersion
        fields = [
            "id", "number", "original_name", "content_type", "size", "url", "notes",
            "uploaded_at",
        ]  # fmt: skip
        read_only_fields = fields


class AssetSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    """An asset. `download_url` serves its newest version (counted). Staff also get every
    version and the download count."""

    machine = ASSET
    kind = EnumField(AssetKind, read_only=True)
    status = EnumField(AssetStatus, read_only=True)
    language = EnumField(AssetLanguage, read_only=True)
    product = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    product_label = serializers.CharField(read_only=True)
    tiers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    current_version = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField(help_text="Every version (staff only).")
    download_count = serializers.SerializerMethodField(help_text="Downloads (staff only).")

    class Meta:
        model = Asset
        fields = [
            "id", "title", "description", "kind", "status", "language", "product",
            "product_name", "product_label", "partner_types", "tiers", "tags", "published_at",
            "expires_on", "created_at", "updated_at", "current_version", "download_url",
            "versions", "download_count", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def _staff(self) -> bool:
        member = self.context.get("member")
        return member is not None and selectors.is_staff(member)

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, asset):
        version = selectors.current_version(asset)
        return VersionSerializer(version).data if version else None

    def get_download_url(self, asset) -> str:
        return f"/api/v1/marketing/assets/{asset.pk}/download/"

    @extend_schema_field(VersionSerializer(many=True, allow_null=True))
    def get_versions(self, asset):
        if not self._staff():
            return None
        return VersionSerializer(asset.versions.all(), many=True).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_download_count(self, asset):
        return asset.downloads.count() if self._staff() else None


class AssetInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, help_text="HTML; sanitised."
    )
    kind = EnumField(AssetKind)
    language = EnumField(AssetLanguage, required=False)
    product = TenantPrimaryKeyField(Product, required=False, allow_null=True)
    product_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    partner_types = serializers.ListField(
        child=EnumField(PartnerType), required=False, max_length=10, help_text="Empty: every type."
    )
    tiers = serializers.ListField(
        child=TenantPrimaryKeyField(Tier),
        required=False,
        max_length=50,
        help_text="Empty: every tier.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )
    expires_on = serializers.DateField(required=False, allow_null=True)


class VersionInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False, help_text="PDF, PNG/JPEG or .docx/.pptx/.xlsx, by the asset's type."
    )
    url = serializers.URLField(
        required=False, allow_blank=True, max_length=500, help_text="A video's https:// link."
    )
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True)


class BrandKitSerializer(serializers.ModelSerializer):
    has_logo = serializers.SerializerMethodField()

    class Meta:
        model = BrandKit
        fields = [
            "partner", "has_logo", "primary_color", "secondary_color", "contact_name",
            "contact_email", "contact_phone", "website", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_logo(self, kit) -> bool:
        return bool(kit.logo)


class BrandKitInputSerializer(serializers.Serializer):
    primary_color = serializers.CharField(max_length=7, help_text="#rrggbb")
    secondary_color = serializers.CharField(max_length=7, help_text="#rrggbb")
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    website = serializers.URLField(max_length=300, required=False, allow_blank=True)
    logo = serializers.FileField(
        required=False, help_text="PNG or JPEG, at most 2 MB (multipart). SVG is refused."
    )
    remove_logo = serializers.BooleanField(required=False, default=False)


class TemplateSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = TEMPLATE
    kind = EnumField(TemplateKind, read_only=True)
    status = EnumField(TemplateStatus, read_only=True)
    download_url = serializers.SerializerMethodField(
        help_text="The requesting partner's co-branded copy (PDF, or HTML for e-mail and "
        "landing-page texts)."
    )

    class Meta:
        model = CobrandTemplate
        fields = [
            "id", "title", "kind", "status", "body", "published_at", "created_at",
            "updated_at", "download_url", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, tpl) -> str:
        return f"/api/v1/marketing/templates/{tpl.pk}/download/"


class TemplateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = EnumField(TemplateKind)
    body = serializers.CharField(max_length=50000, help_text="HTML with placeholders.")
