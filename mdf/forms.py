"""Portal forms. They validate input shape only; the services hold the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mdf.files import MAX_PROOF_BYTES, sniff_proof
from mdf.models import (
    CLAIM_FIELDS,
    ActivityType,
    ClaimStatus,
    FundRequest,
    LedgerKind,
    Period,
    Program,
    ProofKind,
)
from partners.models import Partner, PartnerStatus
from prm import iso

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_KW = {"max_digits": 14, "decimal_places": 2}
PROOF_HELP = _("PDF, PNG or JPEG, at most 10 MB.")
PROOF_ACCEPT = {"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}


class ProgramForm(forms.ModelForm):
    currency = iso.currency_field(
        label=_("Currency"),
        required=True,
        help_text=_("Allocations, commitments and payments are kept in this currency."),
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "period",
            "start_date",
            "currency",
            "budget",
            "grace_days",
            "expiry_warning_days",
            "second_approval_threshold",
        ]
        widgets = {"start_date": DATE}
        help_texts = {
            "start_date": _("The period ends a quarter or a year later."),
        }

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tenant is not None and not self.instance.pk:
            self.fields["currency"].initial = tenant.default_currency
            self.fields["period"].initial = Period.QUARTER
        if self.instance.pk:
            self.fields["currency"].show_stored(self.instance.currency)

    def _post_clean(self):
        # The service validates the model and checks uniqueness inside its transaction.
        pass


class ProgramSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    budget = forms.DecimalField(label=_("Total budget"), min_value=Decimal("0"), **MONEY_KW)
    grace_days = forms.IntegerField(
        label=_("Grace period after the period ends (days)"), min_value=0, max_value=365
    )
    expiry_warning_days = forms.IntegerField(
        label=_("Warn partners this many days before funds expire"), min_value=0, max_value=365
    )
    second_approval_threshold = forms.DecimalField(
        label=_("Claims above this amount need a second approval by an admin"),
        required=False,
        min_value=Decimal("0"),
        help_text=_("Leave empty to need one approval for every claim."),
        **MONEY_KW,
    )


class RuleForm(forms.Form):
    activity_type = forms.ChoiceField(label=_("Activity type"), choices=ActivityType.choices)
    max_reimbursable_pct = forms.DecimalField(
        label=_("Maximum reimbursable % of the actual cost"),
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("50"),
    )
    required_proofs = forms.MultipleChoiceField(
        label=_("Required proof documents"),
        choices=ProofKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    claim_deadline_days = forms.IntegerField(
        label=_("Claim deadline (days after the activity ends)"),
        min_value=0,
        max_value=730,
        initial=60,
    )


class AllocationForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    amount = forms.DecimalField(
        label=_("Amount"),
        help_text=_("A negative amount takes unused funds back (an adjustment)."),
        **MONEY_KW,
    )
    memo = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(
            status=PartnerStatus.ACTIVE
        ).order_by("name")


class RequestForm(forms.ModelForm):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())

    class Meta:
        model = FundRequest
        fields = [
            "program",
            "activity_type",
            "title",
            "description",
            "target_audience",
            "start_date",
            "end_date",
            "planned_cost",
            "requested_amount",
            "expected_leads",
            "expected_pipeline",
            "funded_campaign_code",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "requested_amount": _(
                "In the program's currency; at most the activity type's "
                "reimbursable share of the planned cost."
            ),
            "expected_pipeline": _("Deal value you expect the activity to create."),
        }

    def __init__(self, *args, programs=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["program"]
        else:
            self.fields["program"].queryset = (
                programs if programs is not None else Program.objects.none()
            )

    def _post_clean(self):
        pass


class RequestDecisionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to approve"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("Less than requested is a partial approval. Empty approves in full."),
        **MONEY_KW,
    )
    reason = forms.CharField(
        label=_("Message to the partner"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return or reject."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class ClaimForm(forms.Form):
    activity_start = forms.DateField(label=_("Activity started"), widget=DATE)
    activity_end = forms.DateField(label=_("Activity ended"), widget=DATE)
    actual_cost = forms.DecimalField(
        label=_("Actual total cost"), min_value=Decimal("0.01"), **MONEY_KW
    )
    amount_claimed = forms.DecimalField(
        label=_("Amount claimed"), min_value=Decimal("0.01"), **MONEY_KW
    )
    currency = iso.currency_field(
        label=_("Currency of the costs"),
        required=True,
        help_text=_("Converted to the program currency at approval."),
    )
    leads = forms.IntegerField(label=_("Leads"), min_value=0, initial=0)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=0, initial=0)
    impressions = forms.IntegerField(label=_("Impressions"), min_value=0, initial=0)
    notes = forms.CharField(
        label=_("Notes for the reviewer"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, proofs: list[str] = (), with_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.proof_fields = []
        if not with_files:
            return
        for kind in proofs:
            name = f"proof_{kind}"
            self.fields[name] = forms.FileField(
                label=ProofKind(kind).label,
                required=False,
                help_text=PROOF_HELP,
                widget=forms.ClearableFileInput(attrs=PROOF_ACCEPT),
            )
            self.proof_fields.append((kind, name))
        self.fields["extra_kind"] = forms.ChoiceField(
            label=_("Another document is"),
            choices=[("", "—"), *ProofKind.choices],
            required=False,
        )
        self.fields["extra_file"] = forms.FileField(
            label=_("Another document"),
            required=False,
            help_text=PROOF_HELP,
            widget=forms.ClearableFileInput(attrs=PROOF_ACCEPT),
        )

    def clean(self):
        """Every problem in one round, each at its field: the files are checked here as the
        service checks them (its error would name a `file` field this form does not have),
        and so are the service's cross-field rules on dates and amounts."""
        data = super().clean()
        for name in [n for _k, n in self.proof_fields] + ["extra_file"]:
            f = data.get(name)
            if f and f.size > MAX_PROOF_BYTES:
                self.add_error(name, _("The file is larger than 10 MB."))
            elif f:
                try:
                    sniff_proof(f)
                except ValidationError as exc:
                    self.add_error(name, exc.messages[0])
        if data.get("extra_file") and not data.get("extra_kind"):
            self.add_error("extra_kind", _("Choose what the document proves."))
        start, end = data.get("activity_start"), data.get("activity_end")
        if start and end and end < start:
            self.add_error("activity_end", _("The activity must end on or after its start."))
        cost, claimed = data.get("actual_cost"), data.get("amount_claimed")
        if cost is not None and claimed is not None and claimed > cost:
            self.add_error("amount_claimed", _("You cannot claim more than the actual cost."))
        return data

    def documents(self) -> list[tuple[str, object]]:
        docs = [(k, self.cleaned_data[n]) for k, n in self.proof_fields if self.cleaned_data.get(n)]
        if self.cleaned_data.get("extra_file"):
            docs.append((self.cleaned_data["extra_kind"], self.cleaned_data["extra_file"]))
        return docs

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in CLAIM_FIELDS}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("The document is"), choices=ProofKind.choices)
    file = forms.FileField(
        label=_("File"), help_text=PROOF_HELP, widget=forms.ClearableFileInput(attrs=PROOF_ACCEPT)
    )


class ClaimDecisionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to approve (claim currency)"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("Less than claimed is a partial approval. Empty approves in full."),
        **MONEY_KW,
    )
    reason = forms.CharField(
        label=_("Message to the partner"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you ask for information or reject."),
    )
    override_reason = forms.CharField(
        label=_("Why approve despite the failed checks"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to approve a claim whose automatic checks failed; it is audited."),
    )

    def __init__(self, *args, checks_failed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not checks_failed:
            # Asked only when a check failed (the service requires it then).
            del self.fields["override_reason"]


class SecondApprovalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class PaymentForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100)
    paid_on = forms.DateField(label=_("Payment date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class ExchangeRateForm(forms.Form):
    from_currency = iso.currency_field(label=_("From"), required=True)
    to_currency = iso.currency_field(label=_("To"), required=True)
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        help_text=_("1 unit of the first currency is this many of the second."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)


class LedgerFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Entry"), choices=[("", _("All")), *LedgerKind.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.all()
        self.fields["partner"].queryset = Partner.objects.order_by("name")


class ProgramFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.all()


CLAIM_STATUS_CHOICES = ClaimStatus.choices
