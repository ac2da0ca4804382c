"""Portal and public forms of the locator. They validate the shape of the input; the services
validate the rest (their refusals show at the field, prm.portal.apply_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from locator import selectors
from locator.languages import language_choices
from partners.models import Region


class ProfileForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"),
        max_length=160,
        required=False,
        help_text=_("One line that says what you do best, shown in the search results."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        required=False,
        help_text=_(
            "Paragraphs, bold, italics, lists and links are kept; anything else is removed."
        ),
    )
    services = forms.CharField(
        label=_("Services"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One service per line, e.g. Implementation, Managed services, Training."),
    )
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"), required=False, widget=forms.CheckboxSelectMultiple
    )
    products = forms.MultipleChoiceField(
        label=_("Products"), required=False, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions served"),
        required=False,
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 2 MB.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    certificates = forms.MultipleChoiceField(
        label=_("Certifications to show"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shown as verified badges that link to the certificate's public check."),
    )
    show_tier = forms.BooleanField(label=_("Show our tier"), required=False)

    def __init__(self, *args, partner, allow_tier: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].choices = [(str(k), v) for k, v in selectors.specialty_choices()]
        self.fields["products"].choices = [(str(k), v) for k, v in selectors.product_choices()]
        self.fields["languages"].choices = language_choices()
        self.fields["certificates"].choices = [
            (str(c.pk), f"{c.certification.name} · {c.holder_name}")
            for c in selectors.certificates_of(partner)
        ]
        if not allow_tier:
            del self.fields["show_tier"]

    @staticmethod
    def initial_for(profile) -> dict:
        return {
            "headline": profile.headline,
            "description": profile.description,
            "services": "\n".join(profile.services),
            "specialties": [str(i) for i in profile.specialties],
            "products": [str(i) for i in profile.products],
            "regions": profile.regions,
            "languages": profile.languages,
            "website": profile.website,
            "certificates": [str(i) for i in profile.certificates],
            "show_tier": profile.show_tier,
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["services"] = [s for s in data["services"].splitlines() if s.strip()]
        data.setdefault("show_tier", False)
        return data


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the partner)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SettingsForm(forms.Form):
    allow_tier = forms.BooleanField(
        label=_("Partners may show their tier on their public profile"), required=False
    )
    embed_origin = forms.CharField(
        label=_("Website allowed to embed the locator"),
        required=False,
        max_length=200,
        help_text=_(
            "The address of your website, e.g. https://www.example.com. "
            "Empty: no site may embed it."
        ),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("What do you need?"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Region"), required=False)
    product = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None
    )
    specialty = forms.TypedChoiceField(
        label=_("Specialty"), required=False, coerce=int, empty_value=None
    )
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["region"].choices = anything + list(Region.choices)
        products, specialties = selectors.used_choices()
        self.fields["product"].choices = anything + [(str(k), v) for k, v in products]
        self.fields["specialty"].choices = anything + [(str(k), v) for k, v in specialties]
        self.fields["language"].choices = anything + language_choices()

    def criteria(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail"))
    company = forms.CharField(label=_("Company"), max_length=200)
    message = forms.CharField(
        label=_("How can this partner help?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # When the form was shown (signed, see locator.views): a form sent back faster than a
    # person types is refused.
    started = forms.CharField(widget=forms.HiddenInput, required=False)


class ReferralForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    note = forms.CharField(
        label=_("Note for the invitation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
