"""Partner companies. The lifecycle (applications, tiers, status machine) grows here."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


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


class Partner(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    partner_type = models.CharField(_("type"), max_length=32, choices=PartnerType.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="partner_unique_name")
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="partner_status_idx")]

    def __str__(self) -> str:
        return self.name
