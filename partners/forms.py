from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import (
    Partner,
    PartnerStatus,
    PartnerType,
    Product,
    ProgramSettings,
    Region,
    Specialty,
    Tier,
)
from prm import iso
from prm.models import Member
from prm.roles import Role


class DomainsField(forms.CharField):
    """Domains or e-mail addresses, one per line or comma-separated."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value):
        value = super().to_python(value) or ""
        return [v.strip() for v in value.replace(",", "\n").splitlines() if v.strip()]


class PartnerProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    country = iso.country_field(label=_("Country"))
    domains = DomainsField(
        label=_("Company domains"),
        required=False,
        help_text=_(
            "Website and e-mail domains, e.g. northwind.com. "
            "Colleagues are invited from these domains."
        ),
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=Specialty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Partner
        fields = ["name", "legal_name", "partner_type", "website", "country", "region", "size_band"]

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = Specialty.objects.all()
        self.fields["products"].queryset = Product.objects.filter(is_active=True)
        if self.instance.pk:
            self.fields["country"].show_stored(self.instance.country)
            self.fields["domains"].initial = "\n".join(self.instance.domains)
            self.fields["specialties"].initial = list(self.instance.specialties.all())
            self.fields["products"].initial = list(self.instance.products.all())
        if not staff:
            del self.fields["partner_type"]
            self.fields["domains"].help_text = _(
                "Website and e-mail domains, e.g. northwind.com. Colleagues are invited from "
                "these domains, so a change (also of the website) applies once your channel "
                "manager approves it."
            )
        if staff:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("Channel manager"),
                required=False,
                queryset=Member.objects.filter(
                    role__in=[Role.ADMIN, Role.CHANNEL_MANAGER], is_active=True
                )
                .select_related("user")
                .order_by("user__full_name"),
                initial=self.instance.owner_id,
            )
            self.fields["allow_any_email_domain"] = forms.BooleanField(
                label=_("Allow invitations outside the company's domains"),
                required=False,
                initial=self.instance.allow_any_email_domain,
            )

    def _post_clean(self):
        # Validation of the model itself happens in the service; skip ModelForm's instance
        # mutation so a refused change never leaves a half-edited object behind.
        pass


class PartnerCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    partner_type = forms.ChoiceField(label=_("Type"), choices=PartnerType.choices)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    country = iso.country_field(label=_("Country"))
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", "—"), *Region.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Start as"),
        initial=PartnerStatus.ONBOARDING,
        choices=[
            (PartnerStatus.APPLICANT, PartnerStatus.APPLICANT.label),
            (PartnerStatus.ONBOARDING, PartnerStatus.ONBOARDING.label),
            (PartnerStatus.ACTIVE, PartnerStatus.ACTIVE.label),
        ],
    )


class StatusActionForm(forms.Form):
    """The reason for a status action (partners.states); required where the action says so."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class ManualTierForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=Tier.objects.none(), required=False, empty_label=_("No tier")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.order_by("rank")


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = [
            "name",
            "rank",
            "min_won_revenue_12m",
            "min_won_deals_12m",
            "min_certified_people",
            "min_health_score",
            "discount_pct",
            "protection_days",
            "mdf_allocation",
            "mdf_accrual_pct",
            "lead_priority",
            "benefits_text",
        ]
        widgets = {"benefits_text": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass  # the service validates and saves


class WhatIfTierForm(forms.Form):
    """One tier's thresholds and benefits in the what-if preview (prefix = tier id)."""

    min_won_revenue_12m = forms.DecimalField(
        label=_("Won revenue 12m"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    min_won_deals_12m = forms.IntegerField(label=_("Won deals 12m"), required=False, min_value=0)
    min_certified_people = forms.IntegerField(
        label=_("Certified people"), required=False, min_value=0
    )
    min_health_score = forms.IntegerField(
        label=_("Health score"), required=False, min_value=0, max_value=100
    )
    discount_pct = forms.DecimalField(
        label=_("Discount %"), min_value=0, max_value=100, decimal_places=2
    )
    mdf_allocation = forms.DecimalField(
        label=_("MDF per period"), min_value=0, decimal_places=2, max_digits=12
    )
    mdf_accrual_pct = forms.DecimalField(
        label=_("MDF accrual %"), min_value=0, max_value=100, decimal_places=2
    )


class CatalogueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


class ProgramSettingsForm(forms.ModelForm):
    class Meta:
        model = ProgramSettings
        fields = ["tier_upgrade_requires_approval", "tier_downgrade_grace_days"]

    def _post_clean(self):
        pass


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    partner_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *PartnerType.choices]
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    country = iso.country_field(label=_("Country"))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *PartnerStatus.choices]
    )
    health = forms.ChoiceField(
        label=_("Health"),
        required=False,
        choices=[
            ("", _("Any health")),
            ("at_risk", _("At risk (below 50)")),
            ("watch", _("Watch (50–69)")),
            ("healthy", _("Healthy (70+)")),
            ("unknown", _("Not scored yet")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("All tiers")), ("none", _("No tier"))] + [
            (str(t.pk), t.name) for t in Tier.objects.order_by("rank")
        ]
