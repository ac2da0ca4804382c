"""Partner companies, the product catalogue, specialties, tiers and the program settings."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel, tenant_without_key


class PartnerType(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    REFERRAL = "referral", _("Referral partner")
    SYSTEM_INTEGRATOR = "system_integrator", _("System integrator")
    ISV = "isv", _("ISV")
    MSP = "msp", _("MSP")
    INFLUENCER = "influencer", _("Influencer")


class PartnerStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    OFFBOARDED = "offboarded", _("Offboarded")


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250-999", _("250–999 employees")
    ENTERPRISE = "1000+", _("1,000+ employees")


class Region(models.TextChoices):
    NORTH_AMERICA = "na", _("North America")
    LATIN_AMERICA = "latam", _("Latin America")
    EMEA = "emea", _("Europe, Middle East and Africa")
    APAC = "apac", _("Asia Pacific")


class Product(TenantModel):
    """An entry of the tenant's product catalogue (used by partners, deals and IPP)."""

    name = models.CharField(_("name"), max_length=120)
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="product_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Specialty(TenantModel):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="specialty_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Tier(TenantModel):
    """A program level. Requirements left empty are not required."""

    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("0 is the entry tier; higher ranks are better tiers.")
    )
    min_won_revenue_12m = models.DecimalField(
        _("won revenue, trailing 12 months (at least)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_won_deals_12m = models.PositiveIntegerField(
        _("won deals, trailing 12 months (at least)"), null=True, blank=True
    )
    min_certified_people = models.PositiveIntegerField(
        _("active certified people (at least)"), null=True, blank=True
    )
    min_health_score = models.PositiveSmallIntegerField(
        _("health score (at least)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    discount_pct = models.DecimalField(
        _("discount %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    protection_days = models.PositiveSmallIntegerField(_("deal protection days"), default=90)
    mdf_allocation = models.DecimalField(
        _("MDF allocation per period"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    mdf_accrual_pct = models.DecimalField(
        _("MDF accrual % of won revenue"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    lead_priority = models.PositiveSmallIntegerField(_("lead routing priority"), default=0)
    benefits_text = models.TextField(_("other benefits"), blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rank"], name="tier_unique_rank"),
            models.UniqueConstraint(fields=["tenant", "name"], name="tier_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    REQUIREMENT_FIELDS = (
        "min_won_revenue_12m",
        "min_won_deals_12m",
        "min_certified_people",
        "min_health_score",
    )


class ProgramSettings(TenantModel):
    """Program-wide rules set by tenant admins (one row per tenant)."""

    tier_upgrade_requires_approval = models.BooleanField(
        _("tier upgrades wait for approval"), default=False
    )
    tier_downgrade_grace_days = models.PositiveSmallIntegerField(
        _("grace period before a downgrade (days)"), default=90
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="programsettings_one_per_tenant")
        ]

    @classmethod
    def for_tenant(cls, tenant) -> ProgramSettings:
        obj, _created = cls.objects.get_or_create(tenant=tenant)
        return obj


class Partner(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    partner_type = models.CharField(_("type"), max_length=32, choices=PartnerType.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.APPLICANT
    )
    status_reason = models.CharField(_("reason for the status"), max_length=500, blank=True)
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 two-letter code, e.g. DE")
    )
    region = models.CharField(_("region"), max_length=8, choices=Region.choices, blank=True)
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    specialties = models.ManyToManyField(
        Specialty, through="PartnerSpecialty", blank=True, related_name="partners"
    )
    products = models.ManyToManyField(
        Product, through="PartnerProduct", blank=True, related_name="partners"
    )
    owner = models.ForeignKey(
        "prm.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_partners",
        verbose_name=_("channel manager"),
    )
    tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        # checked by the composite (tenant_id, tier_id) key alone: a mass tier move updates
        # tens of thousands of partners at once (prm.distribution.COMPOSITE_ONLY)
        db_constraint=False,
    )
    allow_any_email_domain = models.BooleanField(
        _("allow invitations outside the company's domains"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    first_deal_at = models.DateTimeField(null=True, blank=True)
    # Tier grace period: when the partner first fell below its tier's requirements.
    below_tier_since = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="partner_unique_name")
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="partner_status_idx"),
            models.Index(fields=["tenant", "tier"], name="partner_tier_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def domains(self) -> list[str]:
        return [d.domain for d in self.domain_set.all()]


class PartnerDomain(TenantModel):
    """A registrable domain of a partner (website and e-mail), for duplicate detection and
    invitation limits. Unique per tenant: one domain belongs to one partner."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="domain_set")
    domain = models.CharField(max_length=253)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "domain"], name="partnerdomain_unique")
        ]


class DomainProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class DomainProposal(TenantModel):
    """A partner admin's proposed list of company domains. The domains limit whom the partner
    admin may invite, so they change only when staff approve; at most one pending proposal
    per partner (a newer one supersedes it)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="domain_proposals")
    domains = models.JSONField(default=list)
    proposed_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=12, choices=DomainProposalStatus.choices, default=DomainProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=models.Q(status="pending"),
                name="domainproposal_one_pending",
            )
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="domainproposal_status_idx")]

    def __str__(self) -> str:
        return f"{self.partner}: {', '.join(self.domains)}"


class PartnerSpecialty(TenantModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE)
    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "specialty"], name="partnerspecialty_unique"
            )
        ]


class PartnerProduct(TenantModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "product"], name="partnerproduct_unique"
            )
        ]


class PartnerMetrics(TenantModel):
    """Current performance figures per partner, kept by set-based rollups of the apps that
    own the facts (won deals, certifications, health). Tier evaluation reads only this."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="metrics")
    won_revenue_12m = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    won_deals_12m = models.PositiveIntegerField(default=0)
    certified_people = models.PositiveIntegerField(default=0)
    health_score = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="partnermetrics_unique")
        ]


class TierChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class TierChange(TenantModel):
    """A tier move: applied at once, or waiting for an admin's approval (upgrades, when the
    program says so). `metrics` records the figures that caused it."""

    # An evaluation after a change of rules can move tens of thousands of partners at once:
    # these keys are checked through the composite tenant keys only (one check per key and
    # written row at commit instead of two; prm.distribution.COMPOSITE_ONLY). The tenant is
    # implied by the partner's key; tierchange_status_idx serves look-ups by tenant.
    tenant = tenant_without_key()
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="tier_changes", db_constraint=False
    )
    from_tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    to_tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    direction = models.CharField(
        max_length=4, choices=[("up", _("Upgrade")), ("down", _("Downgrade"))]
    )
    status = models.CharField(max_length=10, choices=TierChangeStatus.choices)
    metrics = models.JSONField(default=dict)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["tenant", "status"], name="tierchange_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=models.Q(status="pending"),
                name="tierchange_one_pending_per_partner",
            )
        ]
