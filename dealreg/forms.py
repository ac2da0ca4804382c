from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealreg import checks
from dealreg.models import Deal, InfluencerRole, NamedAccount, RulesVersion
from partners.domains import normalise_company_name
from partners.freemail import freemail_message, is_freemail
from partners.models import Partner, Product, Region, Specialty, Tier
from prm import iso


class DealForm(forms.ModelForm):
    country = iso.country_field(label=_("Country"))
    currency = iso.currency_field(label=_("Currency"), required=True)
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Deal
        fields = [
            "customer_name",
            "customer_domain_input",
            "country",
            "region",
            "contact_name",
            "contact_email",
            "contact_phone",
            "amount",
            "currency",
            "expected_close_date",
            "deal_type",
            "partner_role",
            "notes",
            "mdf_campaign_code",
        ]
        widgets = {
            "expected_close_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "region": forms.Select(choices=[("", "—"), *Region.choices]),
        }
        help_texts = {
            "customer_domain_input": _(
                "The customer's website or any e-mail address there, "
                "e.g. https://www.globex.com or hank@globex.com. Left empty, the domain of "
                "the contact's e-mail below is used (unless it is a free e-mail provider's)."
            ),
        }

    # Needed to submit for approval (a draft needs only the customer's name): marked like
    # required fields, and checked in clean() on submit so all problems show in one round.
    required_to_submit = ("customer_domain_input", "amount", "expected_close_date")
    required_legend = _("required to submit for approval (a draft needs only the customer's name)")

    def __init__(self, *args, tenant, submit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit = submit
        for name in self.required_to_submit:
            self.fields[name].required_to_submit = True
        self.fields["products"].queryset = Product.objects.filter(is_active=True)
        if self.instance.pk:
            self.fields["products"].initial = list(self.instance.products.all())
            self.fields["country"].show_stored(self.instance.country)
            self.fields["currency"].show_stored(self.instance.currency)
        else:
            self.fields["currency"].initial = tenant.default_currency
        self.fields["customer_name"].required = True

    def clean(self):
        data = super().clean()
        # The model's own validators (e.g. no negative amount) run here too, not only in the
        # service's full_clean, so their errors come with the others (_post_clean is off).
        for name, value in list(data.items()):
            if name in self.Meta.fields and name not in self.errors:
                try:
                    Deal._meta.get_field(name).run_validators(value)
                except ValidationError as exc:
                    self.add_error(name, exc)
        domain, _from_contact = checks.customer_domain(
            data.get("customer_domain_input", ""), data.get("contact_email", "")
        )
        if is_freemail(domain):
            self.add_error("customer_domain_input", freemail_message(domain))
            return data
        if self.submit:
            problems = checks.submit_problems(
                customer_name=normalise_company_name(data.get("customer_name", "")),
                customer_domain=domain,
                amount=data.get("amount"),
                expected_close_date=data.get("expected_close_date"),
                today=timezone.now().date(),
            )
            for field, message in problems.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data

    def _post_clean(self):
        pass  # the service normalises, validates and saves


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the partner)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("won", _("Won")), ("lost", _("Lost"))]
    )
    amount = forms.DecimalField(
        label=_("Final amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    closed_at = forms.DateField(
        label=_("Close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Why it was lost"), max_length=500, required=False)


class ExtensionForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need more time?"), max_length=500)


class InfluencerForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Influencing partner"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["partner"].queryset = Partner.objects.filter(status="active").order_by("name")


class InfluencerSettingsForm(forms.Form):
    weight = forms.DecimalField(
        label=_("Weight"), min_value=Decimal("0.01"), max_digits=5, decimal_places=2
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Not set")), *InfluencerRole.choices], required=False
    )


class ReviewFilterForm(forms.Form):
    conflicts = forms.ChoiceField(
        label=_("Conflicts"),
        required=False,
        choices=[("", _("All")), ("yes", _("With conflicts")), ("no", _("Without conflicts"))],
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    min_amount = forms.DecimalField(label=_("Amount from"), required=False, min_value=0)
    max_amount = forms.DecimalField(label=_("Amount to"), required=False, min_value=0)
    older_than_hours = forms.IntegerField(
        label=_("Waiting more than (hours)"), required=False, min_value=0
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("oldest", _("Oldest first")),
            ("newest", _("Newest first")),
            ("amount", _("Largest amount")),
            ("sla", _("Review target")),
        ],
    )


class RulesForm(forms.ModelForm):
    auto_approve_tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers eligible for auto-approval (none = all)"),
        required=False,
        queryset=Tier.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    effective_from = forms.DateTimeField(
        label=_("Effective from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty to apply at once."),
    )

    class Meta:
        model = RulesVersion
        fields = [
            "default_protection_days",
            "use_tier_protection_days",
            "max_extensions",
            "extension_days",
            "auto_approve",
            "auto_approve_max_amount",
            "require_current_agreement",
            "auto_reject_named_accounts",
            "name_similarity_threshold",
            "review_sla_hours",
            "auto_approve_on_sla_timeout",
            "lead_response_hours",
            "influence_review_hours",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auto_approve_tiers"].queryset = Tier.objects.order_by("rank")
        if self.instance.pk:
            self.fields["auto_approve_tiers"].initial = list(
                Tier.objects.filter(pk__in=self.instance.auto_approve_tier_ids)
            )

    def _post_clean(self):
        pass


class NamedAccountForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=200)
    domain = forms.CharField(label=_("Website or domain"), max_length=253, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=NamedAccount.Kind.choices)
    owner = forms.CharField(label=_("Account owner"), max_length=200, required=False)
    external_id = forms.CharField(label=_("CRM id"), max_length=100, required=False)


class LeadForm(forms.Form):
    company = forms.CharField(label=_("Company"), max_length=200)
    domain = forms.CharField(label=_("Website or domain"), max_length=253, required=False)
    country = iso.country_field(label=_("Country"))
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", "—"), *Region.choices]
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    amount = forms.DecimalField(
        label=_("Estimated amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties needed"),
        queryset=Specialty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = Specialty.objects.order_by("name")
