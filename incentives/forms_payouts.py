"""Forms of payouts: payee details, payout settings, preparing a batch, marking it paid."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.iso import currency_choices


class PayeeForm(forms.Form):
    account_holder = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        help_text=_("Spaces are allowed; we check the number before saving."),
    )
    bic = forms.CharField(
        label=_("BIC"),
        max_length=14,
        required=False,
        help_text=_("Leave empty to take the BIC of the IBAN's bank, where it is known."),
    )
    address = forms.CharField(
        label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    currency = forms.ChoiceField(label=_("Payout currency"))
    tax_form = forms.FileField(
        label=_("Tax form"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most 10 MB. Required the first time."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()
        self.fields["tax_form"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg"


class PayoutSettingsForm(forms.Form):
    minimum_payout = forms.DecimalField(
        label=_("Minimum payout"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("A partner owed less carries the amount over to the next batch."),
    )
    second_approval_above = forms.DecimalField(
        label=_("Second approval above"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("A batch with a larger total needs a second approval by another admin."),
    )
    payer_name = forms.CharField(label=_("Paying account holder"), max_length=70, required=False)
    payer_iban = forms.CharField(label=_("Paying IBAN"), max_length=42, required=False)
    payer_bic = forms.CharField(label=_("Paying BIC"), max_length=14, required=False)


class BatchForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    period_start = forms.DateField(
        label=_("Approved from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: every approved earning not paid yet."),
    )
    period_end = forms.DateField(
        label=_("Approved up to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()
        if not self.is_bound:
            self.fields["period_end"].initial = timezone.localdate()


class PaidForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class StatementsForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
