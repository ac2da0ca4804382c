"""The public partner locator: a partner's public profile (what it chose to publish, nothing
else) and the tenant's locator settings.

A profile is public while it is published (by the partner; staff may take it down) and its
partner is active (locator.selectors.live_profiles). Every public page, the JSON-LD, the
embed and the public API read only the fields of this model (never the partner's own record
beyond its name): what a partner did not put here cannot appear.
"""

from __future__ import annotations

import secrets

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class LocatorSettings(TenantModel):
    """One per tenant: whether partners may show their tier, and the vendor website's origin
    that may frame the embeddable locator."""

    allow_tier = models.BooleanField(
        _("partners may show their tier"),
        default=False,
        help_text=_("When set, a partner may choose to show its tier on its public profile."),
    )
    embed_origin = models.URLField(
        _("website allowed to embed the locator"),
        blank=True,
        max_length=200,
        help_text=_("The origin of your website, e.g. https://www.example.com. Empty: no site."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="locatorsettings_one_per_tenant")
        ]


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", _("Not published")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Taken down by the vendor")


class PublicProfile(TenantModel):
    # A foreign key with a (tenant, partner) unique constraint rather than a OneToOneField,
    # whose own unique index would leave out the tenant (prm.distribution).
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="public_profiles"
    )
    slug = models.SlugField(_("address"), max_length=80)
    # Staff may take a profile down (hidden, with a reason, audited); the partner cannot
    # publish it again until staff restore it (locator.states.PROFILE).
    status = models.CharField(
        max_length=10, choices=ProfileStatus.choices, default=ProfileStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)
    headline = models.CharField(_("headline"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=8000)
    services = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    specialties = ArrayField(models.BigIntegerField(), default=list, blank=True)
    products = ArrayField(models.BigIntegerField(), default=list, blank=True)
    regions = ArrayField(models.CharField(max_length=8), default=list, blank=True)
    languages = ArrayField(models.CharField(max_length=3), default=list, blank=True)
    certificates = ArrayField(models.BigIntegerField(), default=list, blank=True)
    website = models.URLField(_("website"), blank=True, max_length=200)
    logo = models.FileField(upload_to="locator-logos/", blank=True)
    show_tier = models.BooleanField(_("show our tier"), default=False)
    # Lower-cased words of the published text, for the keyword search.
    search_text = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="publicprofile_unique_slug"),
            models.UniqueConstraint(
                fields=["tenant", "partner"], name="publicprofile_one_per_partner"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="publicprofile_status_idx"),
            GinIndex(fields=["specialties"], name="publicprofile_spec_gin"),
            GinIndex(fields=["products"], name="publicprofile_prod_gin"),
            GinIndex(fields=["regions"], name="publicprofile_region_gin"),
            GinIndex(fields=["languages"], name="publicprofile_lang_gin"),
        ]

    def __str__(self) -> str:
        return self.partner.name if self.partner_id else self.slug

    def get_absolute_url(self) -> str:
        return f"/find/{self.slug}/"


class ContactRequest(TenantModel):
    """A visitor's message sent from a profile's contact form: kept for the record (the lead
    it became); the lead is dealreg's."""

    profile = models.ForeignKey(PublicProfile, on_delete=models.CASCADE, related_name="requests")
    lead = models.ForeignKey(
        "dealreg.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


def new_referral_code() -> str:
    return secrets.token_urlsafe(18)


class ReferralStatus(models.TextChoices):
    """What the referrer sees; derived from the referral and the application it led to
    (locator.selectors.referral_status), never more than this."""

    INVITED = "invited", _("Invited")
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active partner")
    DECLINED = "declined", _("Declined")


class Referral(TenantModel):
    """A partner's invitation of another company to apply. The e-mail carries a link to the
    application form with `code`; the application records the code (onboarding's
    `Application.referral_code`) and the referral is linked to it when it is received."""

    referrer = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="referrals_made"
    )
    company_name = models.CharField(_("company"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    code = models.CharField(max_length=40, default=new_referral_code)
    application = models.ForeignKey(
        "onboarding.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="referral_unique_code"),
        ]

    @property
    def partner_id(self) -> int:
        """The referrer: the partner whose referral this is (event payloads, notifications)."""
        return self.referrer_id

    @property
    def referred_partner_id(self) -> int | None:
        return self.application.partner_id if self.application_id else None

    def get_absolute_url(self) -> str:
        return "/locator/referrals/"

    def __str__(self) -> str:
        return self.company_name
