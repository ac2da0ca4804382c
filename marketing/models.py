"""Marketing enablement (issue #21): the asset library and the partner brand kit.

An `Asset` is what staff publish for partners (a PDF, an image, an office document or a
video link), seen by the partners its partner types and tiers allow (empty: every partner)
while published and not expired. Each change of its content is a new `AssetVersion`; the
newest is what partners download, older ones stay downloadable to staff. Every download is
one `AssetDownload` row (counts per asset and per partner). `LibraryVisit` keeps each
member's "new since your last visit" marker.

A `BrandKit` is a partner's logo, two colours and contact block; a `CobrandTemplate` is an
admin's HTML (one-pager, data sheet, e-mail, landing-page text) with a fixed set of
placeholders (marketing.cobrand), rendered per partner; `CobrandDownload` counts them.
Files live under MEDIA_ROOT, which no URL serves: every download goes through a view that
checks visibility.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketing.language import AssetLanguage
from prm.tenancy import TenantModel


class AssetKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    IMAGE = "image", _("Image")
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video link")


class AssetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Asset(TenantModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    kind = models.CharField(_("type"), max_length=10, choices=AssetKind.choices)
    # One of the tenant's products, or a free-text product name (either may be empty).
    product = models.ForeignKey(
        "partners.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    product_name = models.CharField(_("product (free text)"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=AssetLanguage.choices, default=AssetLanguage.EN
    )
    # Empty: every partner type / every tier may see it.
    partner_types = ArrayField(
        models.CharField(max_length=32), default=list, blank=True, verbose_name=_("partner types")
    )
    tiers = models.ManyToManyField(
        "partners.Tier", through="AssetTier", blank=True, related_name="+"
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # The tags joined by spaces, for the library's icontains search.
    tags_text = models.CharField(max_length=500, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=AssetStatus.choices, default=AssetStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "status", "published_at"], name="mkt_asset_status_idx")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/marketing/assets/{self.pk}/"

    @property
    def product_label(self) -> str:
        return self.product.name if self.product_id else self.product_name


class AssetTier(TenantModel):
    """A tier that may see an asset (no row for an asset: every tier may)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE)
    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "asset", "tier"], name="mkt_asset_tier_unique"
            )
        ]


def _version_path(instance: AssetVersion, filename: str) -> str:
    # The stored name never comes from the uploader: tenant, asset, random id, checked type.
    return f"marketing/{instance.tenant_id}/{instance.asset_id}/{uuid.uuid4().hex}.{instance.ext}"


class AssetVersion(TenantModel):
    """One version of an asset: a checked file, or a URL (a video link)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=_version_path, max_length=300, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    ext = models.CharField(max_length=5, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "asset", "number"], name="mkt_version_unique_number"
            )
        ]


class AssetDownload(TenantModel):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="downloads")
    version = models.ForeignKey(
        AssetVersion, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tenant", "asset"], name="mkt_download_asset_idx")]


class LibraryVisit(TenantModel):
    """A member's visits to the library: assets published after `previous_at` are new."""

    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    previous_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "member"], name="mkt_visit_one_per_member")
        ]


# --- Brand kit and co-branding ------------------------------------------------------------


def _logo_path(instance: BrandKit, filename: str) -> str:
    name = f"{uuid.uuid4().hex}.{instance.logo_ext}"
    return f"marketing/{instance.tenant_id}/brand/{instance.partner_id}/{name}"


class BrandKit(TenantModel):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    logo = models.FileField(upload_to=_logo_path, max_length=300, blank=True)
    logo_content_type = models.CharField(max_length=20, blank=True)
    logo_ext = models.CharField(max_length=5, blank=True)
    primary_color = models.CharField(_("primary colour"), max_length=7, default="#1f4e79")
    secondary_color = models.CharField(_("secondary colour"), max_length=7, default="#f2a900")
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"], name="mkt_brandkit_one_per_partner"
            )
        ]


class TemplateKind(models.TextChoices):
    ONE_PAGER = "one_pager", _("One-pager")
    DATA_SHEET = "data_sheet", _("Data sheet")
    EMAIL = "email", _("E-mail template")
    LANDING = "landing", _("Landing-page text")


PDF_KINDS = (TemplateKind.ONE_PAGER, TemplateKind.DATA_SHEET)


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class CobrandTemplate(TenantModel):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=TemplateKind.choices)
    # Sanitised HTML with placeholders (marketing.cobrand.PLACEHOLDERS).
    body = models.TextField(_("body"), max_length=50000)
    status = models.CharField(
        max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/marketing/templates/{self.pk}/"

    @property
    def is_pdf(self) -> bool:
        return self.kind in PDF_KINDS


class CobrandDownload(TenantModel):
    template = models.ForeignKey(
        CobrandTemplate, on_delete=models.CASCADE, related_name="downloads"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)


# Content syndication lives in its own module; imported here so Django registers it.
# Campaigns live in their own module; imported here so Django registers their models.
from marketing.campaign_models import (  # noqa: E402, F401
    Campaign,
    CampaignDay,
    CampaignKit,
    CampaignKitAsset,
    CampaignLead,
    KitStatus,
    SequenceStatus,
)
from marketing.sequence_models import (  # noqa: E402, F401
    CampaignContact,
    ContactStatus,
    ContactSuppression,
    SequenceSend,
)
from marketing.syndication_models import SyndicationFeed, SyndicationViewDay  # noqa: E402, F401
