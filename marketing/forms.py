"""Portal forms of the marketing app. They validate the shape of the input; the services
validate the rest (their refusals show at the field, prm.portal.apply_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketing.files import MAX_ASSET_BYTES
from marketing.models import AssetKind, AssetLanguage, TemplateKind
from partners.models import PartnerType, Product, Tier

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=AssetKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=AssetLanguage.choices)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )
    product_name = forms.CharField(
        label=_("Other product"),
        max_length=120,
        required=False,
        help_text=_("When the product is not in the catalogue."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=DATE,
        required=False,
        help_text=_("Partners no longer see the asset after this day."),
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas.")
    )
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types that see it"),
        choices=PartnerType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every partner type."),
    )
    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers that see it"),
        queryset=Tier.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every tier, and partners without a tier."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
        help_text=_("Simple HTML is kept (paragraphs, lists, links, emphasis); the rest goes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True).order_by("name")
        self.fields["tiers"].queryset = Tier.objects.order_by("rank", "name")


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("At most %(mb)s MB.") % {"mb": MAX_ASSET_BYTES // (1024 * 1024)},
    )
    url = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("For a video: its https:// address."),
    )
    notes = forms.CharField(label=_("What changed"), max_length=500, required=False)


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    product = forms.ChoiceField(label=_("Product"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All types")), *AssetKind.choices]
        self.fields["product"].choices = [("", _("All products"))] + [(p, p) for p in products]
        self.fields["language"].choices = [("", _("All languages")), *AssetLanguage.choices]


class BrandKitForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, at most 2 MB. SVG files are not accepted."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    primary_color = forms.CharField(
        label=_("Primary colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Enter a colour as #rrggbb, e.g. #1f4e79."),
    )
    secondary_color = forms.CharField(
        label=_("Secondary colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Enter a colour as #rrggbb, e.g. #1f4e79."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    website = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https"
    )


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=TemplateKind.choices)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50000,
        help_text=_(
            "HTML. Placeholders: {{ partner.name }}, {{ partner.logo }}, {{ partner.contact }}, "
            "{{ partner.website }}, {{ partner.email }}, {{ partner.phone }}."
        ),
    )
