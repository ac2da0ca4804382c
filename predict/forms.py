from django import forms
from django.utils.translation import gettext_lazy as _

from predict.models import PredictSettings


class SettingsForm(forms.Form):
    inactivity_days = forms.IntegerField(
        label=PredictSettings._meta.get_field("inactivity_days").verbose_name,
        min_value=14,
        max_value=365,
        help_text=_("Also inactive: offboarded partners. The model predicts the next 90 days."),
    )
