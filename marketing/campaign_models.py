"""Campaigns (issue #21, through-channel marketing): staff build a `CampaignKit` (a landing
page with the co-brand placeholders of marketing.cobrand and a lead form, an e-mail sequence,
social posts, attached library assets, a suggested MDF activity type); a partner launches a
kit and gets a `Campaign` (kit x partner) with a code the product issues, unique per tenant.

The campaign's co-branded landing page is public on the tenant's host
(`/c/<partner>/<code>/`), its tracked links (`/t/<code>/<target>/`) count a click and redirect
to the campaign's own targets only. Page views, clicks and form fills are counters on the
campaign, raised with one `UPDATE ... SET n = n + 1` each; each lead a landing page made is one
`CampaignLead` row (the lead itself is dealreg's)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketing.language import AssetLanguage
from prm.tenancy import TenantModel


class KitStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CampaignKit(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    landing_headline = models.CharField(_("landing page headline"), max_length=200)
    # Sanitised HTML with the co-brand placeholders (marketing.cobrand.PLACEHOLDERS).
    landing_body = models.TextField(_("landing page text"), max_length=50000)
    lead_form = models.BooleanField(_("lead form on the landing page"), default=True)
    # The language the kit's copy is written in: its landing page, e-mails and unsubscribe
    # page are framed in it too (English where the product has no translation).
    language = models.CharField(
        _("language"), max_length=5, choices=AssetLanguage.choices, default=AssetLanguage.EN
    )
    # [{"subject": str, "body": str, "delay_days": int}, ...] in sending order.
    email_steps = models.JSONField(default=list, blank=True)
    # Copy texts, each with a {link} placeholder for the campaign's tracked link.
    social_posts = ArrayField(models.TextField(max_length=2000), default=list, blank=True)
    assets = models.ManyToManyField(
        "marketing.Asset", through="CampaignKitAsset", blank=True, related_name="+"
    )
    # One of mdf.models.ActivityType (or empty).
    mdf_activity_type = models.CharField(_("suggested MDF activity"), max_length=32, blank=True)
    status = models.CharField(max_length=10, choices=KitStatus.choices, default=KitStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/marketing/campaign-kits/{self.pk}/"


class CampaignKitAsset(TenantModel):
    """A library asset attached to a kit (partners see it while they may see the asset)."""

    kit = models.ForeignKey(CampaignKit, on_delete=models.CASCADE)
    asset = models.ForeignKey("marketing.Asset", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kit", "asset"], name="mkt_kit_asset_unique")
        ]


class SequenceStatus(models.TextChoices):
    """The campaign's e-mail sequence (marketing.states.SEQUENCE)."""

    NOT_STARTED = "not_started", _("Not started")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")


class Campaign(TenantModel):
    """A partner's launch of a kit. The code is the product's, never typed by anyone."""

    kit = models.ForeignKey(CampaignKit, on_delete=models.PROTECT, related_name="campaigns")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=16)
    launched_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    launched_at = models.DateTimeField(default=timezone.now)
    views = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    form_fills = models.PositiveBigIntegerField(default=0)
    # The e-mail sequence to the partner's own contacts (marketing.sequence_models).
    sequence_status = models.CharField(
        max_length=12, choices=SequenceStatus.choices, default=SequenceStatus.NOT_STARTED
    )
    sequence_started_at = models.DateTimeField(null=True, blank=True)
    sequence_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-launched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="mkt_campaign_unique_code"),
            models.UniqueConstraint(
                fields=["tenant", "kit", "partner"], name="mkt_campaign_one_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kit.name} · {self.code}"

    def get_absolute_url(self) -> str:
        return f"/marketing/campaigns/{self.pk}/"


class CampaignDay(TenantModel):
    """A campaign's page views, tracked clicks and form fills on one day of the tenant's
    calendar, written in the same statement as the campaign's running totals: the figures
    of an MDF activity period are the sum of its days."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    form_fills = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "campaign", "day"], name="mkt_campaign_day_unique"
            )
        ]


class CampaignLead(TenantModel):
    """A lead made by a campaign's landing page, with the visitor's consent."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leads")
    lead = models.ForeignKey("dealreg.Lead", on_delete=models.CASCADE, related_name="+")
    consent_text = models.CharField(max_length=500)
    consented_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "lead"], name="mkt_campaign_lead_unique")
        ]
