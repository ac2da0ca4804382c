from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.models import AnalyticsSettings, ProgramCost
from analytics.services.periods import quarters_back
from partners.models import Partner, PartnerType, Region, Tier
from prm import iso
from prm.models import Member
from prm.roles import Role


class AnalyticsSettingsForm(forms.ModelForm):
    currency = iso.currency_field(label=_("Reporting currency"), required=True)

    class Meta:
        model = AnalyticsSettings
        fields = [
            "currency",
            "gross_margin_pct",
            "attribution_model",
            "weight_pipeline",
            "weight_won_revenue",
            "weight_win_rate",
            "weight_recency",
            "weight_training",
            "weight_activity",
            "weight_mdf",
            "weight_onboarding",
            "weight_events",
            "at_risk_below",
            "at_risk_drop",
        ]


class ProgramCostForm(forms.ModelForm):
    # Querysets are set per request: a scoped manager cannot be queried at import time.
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=Tier.objects.none(),
        required=False,
        help_text=_("Or a tier: the cost is shared evenly by its partners."),
    )
    currency = iso.currency_field(label=_("Currency"), required=True)

    class Meta:
        model = ProgramCost
        fields = ["partner", "tier", "incurred_on", "amount", "currency", "description"]
        widgets = {"incurred_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.order_by("name")
        self.fields["tier"].queryset = Tier.objects.order_by("rank")

    def clean(self):
        data = super().clean()
        if bool(data.get("partner")) == bool(data.get("tier")):
            raise forms.ValidationError(_("Choose a partner or a tier, not both."))
        return data


def quarter_choices(today: datetime.date, n: int = 8) -> list[tuple[str, str]]:
    """The last `n` quarters up to `today`'s, newest first, as (ISO start, label) choices."""
    return [
        (q.isoformat(), f"{q.year} Q{(q.month - 1) // 3 + 1}") for q in quarters_back(today, n)
    ][::-1]


class ProgramFilterForm(forms.Form):
    """Filters of the program dashboard and its CSV export. All optional; bad values are
    form errors, never a crash."""

    # A choice of recent years (newest first), not a number box hinting "From 2,000 to 2,100".
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label=_("Quarter"), required=False)
    tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=Tier.objects.none(), required=False, empty_label="—"
    )
    partner_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", "—"), *PartnerType.choices]
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", "—"), *Region.choices]
    )
    manager = forms.ModelChoiceField(
        label=_("Channel manager"), queryset=Member.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.order_by("rank")
        self.fields["manager"].queryset = Member.objects.filter(
            role__in=[Role.ADMIN, Role.CHANNEL_MANAGER], is_active=True
        ).select_related("user")
        # People by name, as everywhere in the portal (the e-mail only where names are missing).
        self.fields["manager"].label_from_instance = lambda m: m.user.display_name
        today = timezone.localdate()
        self.fields["year"].choices = [
            ("", "—"),
            *((y, str(y)) for y in range(today.year + 1, today.year - 10, -1)),
        ]
        self.fields["period"].choices = [("", "—"), *quarter_choices(today)]

    def filters(self) -> dict:
        d = self.cleaned_data if self.is_valid() else {}
        return {
            "year": d.get("year"),
            "period": datetime.date.fromisoformat(d["period"]) if d.get("period") else None,
            "tier": d["tier"].pk if d.get("tier") else None,
            "partner_type": d.get("partner_type") or "",
            "region": d.get("region") or "",
            "manager": d["manager"].pk if d.get("manager") else None,
        }


class ReviewRequestForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    quarter = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners.order_by("name")
        self.fields["quarter"].choices = quarter_choices(timezone.localdate(), 5)
        if partners.count() == 1:
            self.fields["partner"].initial = partners.first()
            self.fields["partner"].widget = forms.HiddenInput()
        if len(self.fields["quarter"].choices) > 1:
            self.fields["quarter"].initial = self.fields["quarter"].choices[1][0]

    def clean_quarter(self):
        return datetime.date.fromisoformat(self.cleaned_data["quarter"])

    def clean(self):
        data = super().clean()
        # The partner field is hidden for partner people: show its error where they see it.
        if "partner" in self.errors and self.fields["partner"].widget.is_hidden:
            raise forms.ValidationError(self.errors["partner"])
        return data


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the partner program?"),
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 = very dissatisfied, 5 = very satisfied"),
    )
    comment = forms.CharField(
        label=_("What should we do better?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
