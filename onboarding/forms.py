from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from onboarding import rules
from onboarding.models import (
    ApplicationStatus,
    IdealPartnerProfile,
    OnboardingSettings,
    StepKind,
    WorkflowTemplate,
)
from partners.models import PartnerType, Region, SizeBand, Specialty
from prm import iso

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{5,29}$")


class ApplicationForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    website = forms.URLField(label=_("Website"), max_length=200, assume_scheme="https")
    country = iso.country_field(
        label=_("Country"),
        required=True,
        help_text=_("Where your head office is."),
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    partner_type = forms.ChoiceField(label=_("Partner type"), choices=PartnerType.choices)
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=Specialty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    size_band = forms.ChoiceField(label=_("Company size"), choices=SizeBand.choices)
    expected_revenue = forms.DecimalField(
        label=_("Expected annual revenue with us"),
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Your estimate for the first year, in %(currency)s."),
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your business e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Your phone number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    # The code of a partner's referral link (/apply/?ref=...), carried through the form.
    referral_code = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = Specialty.objects.order_by("name")
        if not self.fields["specialties"].queryset.exists():
            del self.fields["specialties"]
        self.fields["expected_revenue"].help_text = self.fields["expected_revenue"].help_text % {
            "currency": currency
        }

    def clean_contact_phone(self):
        value = (self.cleaned_data.get("contact_phone") or "").strip()
        if not PHONE_RE.match(value):
            raise forms.ValidationError(_("Enter a phone number, e.g. +49 30 1234567."))
        return value

    def clean_company_name(self):
        value = (self.cleaned_data.get("company_name") or "").strip()
        if not value:
            raise forms.ValidationError(_("Enter your company's name."))
        return value


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("Open (submitted or in review)")), ("all", _("All"))]
        + list(ApplicationStatus.choices),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IdealProfileForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Target countries"),
        required=False,
        choices=iso.country_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Target regions"),
        required=False,
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        required=False,
        choices=PartnerType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=Specialty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    size_bands = forms.MultipleChoiceField(
        label=_("Company sizes"),
        required=False,
        choices=SizeBand.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = IdealPartnerProfile
        fields = [
            "countries",
            "regions",
            "partner_types",
            "specialties",
            "size_bands",
            "revenue_min",
            "revenue_max",
            "weight_geography",
            "weight_type",
            "weight_specialties",
            "weight_size",
            "weight_revenue",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = Specialty.objects.order_by("name")
        if self.instance.pk and not self.is_bound:
            self.initial["countries"] = list(self.instance.countries)
            self.initial["specialties"] = list(
                self.instance.specialties.values_list("pk", flat=True)
            )

    def clean_countries(self):
        return sorted(set(self.cleaned_data.get("countries") or []))

    def clean(self):
        data = super().clean()
        lo, hi = data.get("revenue_min"), data.get("revenue_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("revenue_max", _("The maximum is below the minimum."))
        return data


class OnboardingSettingsForm(forms.ModelForm):
    class Meta:
        model = OnboardingSettings
        fields = [
            "auto_reject_below",
            "auto_approve_above",
            "auto_reject_reason",
            "reminder_days_before",
            "block_deals_without_current_agreement",
        ]

    def clean(self):
        data = super().clean()
        lo, hi = data.get("auto_reject_below"), data.get("auto_approve_above")
        if lo is not None and hi is not None and lo >= hi:
            self.add_error(
                "auto_approve_above", _("Set it higher than the automatic rejection score.")
            )
        return data


class WorkflowTemplateForm(forms.ModelForm):
    class Meta:
        model = WorkflowTemplate
        fields = ["name", "partner_type", "is_active"]


class WorkflowStepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Empty: the kind's name.")
    )
    description = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ref = forms.CharField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("For a course step: the course it needs (empty: any course)."),
    )
    due_days = forms.IntegerField(
        label=_("Due after (days)"), min_value=0, max_value=365, initial=14
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    order = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("Empty: after the last step."),
    )


class AgreementPublishForm(forms.Form):
    partner_type = forms.ChoiceField(label=_("Partner type"), choices=PartnerType.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Agreement text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown. Publishing makes every partner of this type accept it again."),
        max_length=200_000,
    )


class AgreementAcceptForm(forms.Form):
    agreement = forms.IntegerField(widget=forms.HiddenInput)
    text_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    signer_name = forms.CharField(
        label=_("Your full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signer_title = forms.CharField(
        label=_("Your job title"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    confirm = forms.BooleanField(
        label=_("I have read this agreement and accept it on behalf of my company."),
    )

    def clean(self):
        data = super().clean()
        if "agreement" in self.errors or "text_sha256" in self.errors:
            raise forms.ValidationError(
                _("This page is out of date. Reload it, read the agreement and accept again.")
            )
        return data


class DocumentUploadForm(forms.Form):
    """The document an upload step asks for (the step is in the URL)."""

    document = forms.FileField(label=_("Document"), help_text=_("PDF, PNG or JPEG, at most 10 MB."))

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > rules.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if rules.sniff_document_type(head) is None:
            raise forms.ValidationError(_("Upload a PDF, PNG or JPEG file."))
        return upload
