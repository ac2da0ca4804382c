"""Portal and public forms of campaigns: the kit (with its e-mail steps as a formset and its
social posts one per block), and the landing page's lead form with its consent box."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketing.campaign_models import KitStatus
from marketing.language import AssetLanguage
from marketing.models import Asset
from mdf.models import ActivityType

POST_SEPARATOR = "\n---\n"


class KitFilterForm(forms.Form):
    """The kit list's filters; the status only for staff (partners see published kits)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    language = forms.ChoiceField(label=_("Language"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("All languages")), *AssetLanguage.choices]
        if staff:
            self.fields["status"].choices = [("", _("All statuses")), *KitStatus.choices]
        else:
            del self.fields["status"]


class CampaignKitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description for partners"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
    )
    landing_headline = forms.CharField(label=_("Landing page headline"), max_length=200)
    landing_body = forms.CharField(
        label=_("Landing page text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50000,
        help_text=_(
            "Simple HTML. Placeholders: {{ partner.name }}, {{ partner.logo }}, "
            "{{ partner.contact }}, {{ partner.website }}, {{ partner.email }}, "
            "{{ partner.phone }}."
        ),
    )
    lead_form = forms.BooleanField(
        label=_("Show a lead form on the landing page"), required=False, initial=True
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=AssetLanguage.choices,
        initial=AssetLanguage.EN,
        help_text=_(
            "The language the copy is written in. The landing page, e-mails and unsubscribe "
            "page use it for their own words too."
        ),
    )
    social_posts = forms.CharField(
        label=_("Social posts"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=25000,
        help_text=_(
            "One post per block, blocks separated by a line with three dashes (---). Each "
            "post needs {link}, replaced by the partner's tracked link."
        ),
    )
    assets = forms.ModelMultipleChoiceField(
        label=_("Attached assets"),
        queryset=Asset.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    mdf_activity_type = forms.ChoiceField(
        label=_("Suggested MDF activity"),
        choices=[("", _("None"))] + list(ActivityType.choices),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assets"].queryset = Asset.objects.order_by("title")

    def clean_social_posts(self) -> list[str]:
        text = (self.cleaned_data.get("social_posts") or "").replace("\r\n", "\n")
        return [p.strip() for p in text.split(POST_SEPARATOR) if p.strip()]


class EmailStepForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000
    )
    delay_days = forms.IntegerField(
        label=_("Days after the previous e-mail"), min_value=0, max_value=365, initial=0
    )


EmailStepFormSet = forms.formset_factory(EmailStepForm, extra=2, max_num=10, absolute_max=10)


def steps_of(formset) -> list[dict]:
    """The filled-in steps, in order (empty rows left out)."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data.get("subject") or f.cleaned_data.get("body")
    ]


class LandingLeadForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail"))
    company = forms.CharField(label=_("Company"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(label=_("consent"), required=True)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partner_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = self.consent_text(partner_name)

    @staticmethod
    def consent_text(partner_name: str) -> str:
        return str(
            _("I agree that %(partner)s may contact me about this request.")
            % {"partner": partner_name}
        )


class ContactUploadForm(forms.Form):
    """The partner's contact list (CSV) and the uploader's confirmation of their consent."""

    file = forms.FileField(
        label=_("Contacts (CSV file)"),
        help_text=_(
            "UTF-8, with a header row: email, first name, last name, company. At most 5,000 "
            "rows and 2 MB. An address already in the campaign is merged."
        ),
    )
    consent = forms.BooleanField(required=True)

    def __init__(self, *args, consent_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label
        self.fields["consent"].error_messages["required"] = _(
            "Confirm that these contacts agreed to receive marketing e-mail."
        )
