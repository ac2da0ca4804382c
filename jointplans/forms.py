"""Portal forms of joint business plans. They validate the shape of the input; the services
validate the rest (and their refusals show at the field, prm.portal.apply_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jointplans import metrics
from jointplans.models import InitiativeStatus, PeriodKind
from prm.iso import currency_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    start_date = forms.DateField(
        label=_("Start"),
        widget=DATE,
        help_text=_("The first day of a quarter, e.g. 1 January or 1 April."),
    )
    review_date = forms.DateField(
        label=_("Review date"),
        widget=DATE,
        required=False,
        help_text=_("When both sides review the plan; the period's last day if left empty."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("Figure"), choices=())
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=2)
    currency = currency_field(
        required=False, help_text=_("For money figures (revenue, pipeline, MDF).")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metrics.choices()


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Initiative"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    status = forms.ChoiceField(
        label=_("Status"), choices=InitiativeStatus.choices, initial=InitiativeStatus.PLANNED
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = _owner_label


def _owner_label(member) -> str:
    side = member.partner.name if member.partner_id else _("Vendor")
    return f"{(member.user.full_name or '').strip() or member.user.email} ({side})"


class InitiativeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=InitiativeStatus.choices)
