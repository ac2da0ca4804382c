"""Portal forms of account mapping's data: an account, the account list's filters, a custom
population. They validate shapes; accountmap.services validates meaning (domains, countries,
duplicates) and its refusals land on the fields (prm.portal.apply_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accountmap.models import AccountStatus

MAX_EMPLOYEES = 10_000_000


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        required=False,
        help_text=_("The company's website, such as example.com."),
    )
    status = forms.ChoiceField(
        label=_("Population"), choices=AccountStatus.choices, initial=AccountStatus.PROSPECT
    )
    owner_name = forms.CharField(label=_("Owner rep"), max_length=200, required=False)
    owner_email = forms.EmailField(label=_("Owner rep e-mail"), required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(
        label=_("Country"), max_length=60, required=False, help_text=_("ISO code or name.")
    )
    employees = forms.IntegerField(
        label=_("Employees"), min_value=0, max_value=MAX_EMPLOYEES, required=False
    )
    external_id = forms.CharField(
        label=_("External id"),
        max_length=100,
        required=False,
        help_text=_("The account's id in your CRM, which imports and the API match on."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # An external id is set once (the CRM's key); editing keeps it.
            del self.fields["external_id"]


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or domain"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Population"),
        required=False,
        choices=[("", _("All populations")), *AccountStatus.choices],
    )
    population = forms.TypedChoiceField(
        label=_("Custom population"), required=False, coerce=int, empty_value=None
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    owner = forms.CharField(
        label=_("Owner"), max_length=100, required=False, help_text=_("Name or e-mail.")
    )

    def __init__(self, *args, populations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["population"].choices = [("", _("Any")), *((p.pk, p.name) for p in populations)]


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class PopulationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    statuses = forms.MultipleChoiceField(
        label=_("Standard populations"),
        choices=AccountStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: accounts of every population."),
    )
    industries = forms.CharField(
        label=_("Industries"), required=False, help_text=_("Comma-separated; empty: any.")
    )
    regions = forms.CharField(
        label=_("Regions"), required=False, help_text=_("Comma-separated; empty: any.")
    )
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        help_text=_("ISO codes or names, comma-separated; empty: any."),
    )
    min_employees = forms.IntegerField(
        label=_("At least this many employees"),
        min_value=0,
        max_value=MAX_EMPLOYEES,
        required=False,
    )
    max_employees = forms.IntegerField(
        label=_("At most this many employees"),
        min_value=0,
        max_value=MAX_EMPLOYEES,
        required=False,
    )

    def clean(self):
        data = super().clean()
        for field in ("industries", "regions", "countries"):
            data[field] = _split(data.get(field, ""))
        return data

    @staticmethod
    def initial_for(population) -> dict:
        return {
            "name": population.name,
            "statuses": population.statuses,
            "industries": ", ".join(population.industries),
            "regions": ", ".join(population.regions),
            "countries": ", ".join(population.countries),
            "min_employees": population.min_employees,
            "max_employees": population.max_employees,
        }
