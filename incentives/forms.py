"""Portal forms of incentives. The rules forms turn fields (and one-per-line lists) into a
version's rules dict; incentives.rules.clean_rules (through the service) validates it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealreg.models import DealType
from incentives.models import EarningStatus, IncentiveProgram, ProgramKind
from partners.models import Partner, PartnerType, Product, Tier
from prm.iso import currency_choices
from training.models import Certification

PERIOD_CHOICES = [
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
]


class ProgramForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgramKind.choices)
    currency = forms.ChoiceField(label=_("Payout currency"))
    clawback_days = forms.IntegerField(
        label=_("Clawback window (days)"),
        min_value=0,
        max_value=3650,
        initial=30,
        help_text=_("Earnings from a deal are held this many days after it closed."),
    )
    dispute_sla_days = forms.IntegerField(
        label=_("Days to answer a dispute"), min_value=1, max_value=365, initial=10
    )

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()
        if tenant is not None and not self.is_bound:
            self.fields["currency"].initial = tenant.default_currency


class ProgramSettingsForm(ProgramForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


def _lines(text: str) -> list[list[str]]:
    return [line.split() for line in (text or "").splitlines() if line.strip()]


class _RulesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes for partners"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def rules(self) -> dict:  # pragma: no cover - each kind has its own
        raise NotImplementedError

    @classmethod
    def initial_from(cls, rules: dict) -> dict:
        return dict(rules)


class CommissionRulesForm(_RulesForm):
    sourced_rate = forms.DecimalField(
        label=_("Sourced rate (%)"), min_value=0, max_value=100, decimal_places=4
    )
    influenced_rate = forms.DecimalField(
        label=_("Influenced rate (%)"),
        min_value=0,
        max_value=100,
        decimal_places=4,
        required=False,
        help_text=_("Paid to influencers on their attribution share of the revenue."),
    )
    period = forms.ChoiceField(
        label=_("Volume period (accelerators)"), choices=PERIOD_CHOICES, initial="quarter"
    )
    overrides = forms.CharField(
        label=_("Rate overrides"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: filters and rates, e.g. “tier=Gold sourced=12 influenced=4” or "
            "“product=SKU-1 deal_type=new sourced=15”. Filters: tier (name), product (SKU "
            "or name), deal_type (new, upsell, renewal), partner_type. The most specific "
            "matching line wins."
        ),
    )
    accelerators = forms.CharField(
        label=_("Accelerators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: a threshold of the partner's sourced revenue in the period (payout "
            "currency) and a multiplier of the sourced rate above it, e.g. “100000 1.5”."
        ),
    )

    def clean_overrides(self):
        out = []
        tiers = {t.name.lower(): t.pk for t in Tier.objects.all()}
        products = {}
        for p in Product.objects.all():
            products[p.name.lower()] = p.pk
            if p.sku:
                products[p.sku.lower()] = p.pk
        for n, parts in enumerate(_lines(self.cleaned_data.get("overrides")), start=1):
            row = {}
            for part in parts:
                key, sep, value = part.partition("=")
                key = {"sourced": "sourced_rate", "influenced": "influenced_rate"}.get(key, key)
                if not sep or key not in (
                    "tier",
                    "product",
                    "deal_type",
                    "partner_type",
                    "sourced_rate",
                    "influenced_rate",
                ):
                    raise forms.ValidationError(
                        _("Line %(n)s: “%(p)s” is not a filter or a rate.") % {"n": n, "p": part}
                    )
                value = value.replace("_", " ") if key in ("tier", "product") else value
                if key == "tier":
                    value = tiers.get(value.lower(), value)
                if key == "product":
                    value = products.get(value.lower(), value)
                row[key] = value
            for key in ("tier", "product"):
                if key in row and not isinstance(row[key], int):
                    raise forms.ValidationError(
                        _("Line %(n)s: no %(k)s is called “%(v)s”.")
                        % {"n": n, "k": key, "v": row[key]}
                    )
            if row.get("deal_type") and row["deal_type"] not in DealType.values:
                raise forms.ValidationError(_("Line %(n)s: unknown deal type.") % {"n": n})
            if row.get("partner_type") and row["partner_type"] not in PartnerType.values:
                raise forms.ValidationError(_("Line %(n)s: unknown partner type.") % {"n": n})
            out.append(row)
        return out

    def clean_accelerators(self):
        out = []
        for n, parts in enumerate(_lines(self.cleaned_data.get("accelerators")), start=1):
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("Line %(n)s: a threshold and a multiplier.") % {"n": n}
                )
            out.append({"threshold": parts[0], "multiplier": parts[1]})
        return out

    def rules(self) -> dict:
        d = self.cleaned_data
        return {
            "sourced_rate": d["sourced_rate"],
            "influenced_rate": d.get("influenced_rate") or 0,
            "period": d["period"],
            "overrides": d["overrides"],
            "accelerators": d["accelerators"],
        }

    @classmethod
    def initial_from(cls, rules: dict) -> dict:
        tiers = {t.pk: t.name for t in Tier.objects.all()}
        products = {p.pk: (p.sku or p.name) for p in Product.objects.all()}
        lines = []
        for o in rules.get("overrides", []):
            parts = []
            for key in ("tier", "product", "deal_type", "partner_type"):
                if o.get(key) is not None:
                    value = {"tier": tiers, "product": products}.get(key, {}).get(o[key], o[key])
                    parts.append(f"{key}={str(value).replace(' ', '_')}")
            for key, short in (("sourced_rate", "sourced"), ("influenced_rate", "influenced")):
                if o.get(key) is not None:
                    parts.append(f"{short}={o[key]}")
            lines.append(" ".join(parts))
        return rules | {
            "overrides": "\n".join(lines),
            "accelerators": "\n".join(
                f"{a['threshold']} {a['multiplier']}" for a in rules.get("accelerators", [])
            ),
        }


class ReferralRulesForm(_RulesForm):
    basis = forms.ChoiceField(
        label=_("Paid per"),
        choices=[
            ("won_deal", _("Won deal registered as a referral")),
            ("accepted_lead", _("Vendor lead accepted")),
        ],
    )
    mode = forms.ChoiceField(
        label=_("Fee"), choices=[("flat", _("Flat amount")), ("percent", _("Percentage"))]
    )
    amount = forms.DecimalField(
        label=_("Flat amount (payout currency)"), min_value=0, decimal_places=2, required=False
    )
    rate = forms.DecimalField(
        label=_("Percentage of the amount"),
        min_value=0,
        max_value=100,
        decimal_places=4,
        required=False,
    )

    def rules(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("basis", "mode", "amount", "rate")}


class RebateRulesForm(_RulesForm):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, initial="quarter")
    tiers = forms.CharField(
        label=_("Volume tiers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: a threshold of the partner's sourced revenue in the period (payout "
            "currency) and the rebate rate (%), e.g. “0 1” and “250000 3”. The rate of the "
            "highest tier reached applies to the whole volume, from the first unit."
        ),
    )

    def clean_tiers(self):
        out = []
        for n, parts in enumerate(_lines(self.cleaned_data.get("tiers")), start=1):
            if len(parts) != 2:
                raise forms.ValidationError(_("Line %(n)s: a threshold and a rate.") % {"n": n})
            out.append({"threshold": parts[0], "rate": parts[1]})
        return out

    def rules(self) -> dict:
        return {"period": self.cleaned_data["period"], "tiers": self.cleaned_data["tiers"]}

    @classmethod
    def initial_from(cls, rules: dict) -> dict:
        return rules | {
            "tiers": "\n".join(f"{t['threshold']} {t['rate']}" for t in rules.get("tiers", []))
        }


class SpiffRulesForm(_RulesForm):
    trigger = forms.ChoiceField(
        label=_("Paid for"),
        choices=[
            ("product", _("A won deal with the product")),
            ("first_deal", _("The partner's first won deal")),
            ("certification", _("A certification earned")),
        ],
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False
    )
    certification = forms.ModelChoiceField(
        label=_("Certification (any when empty)"),
        queryset=Certification.objects.none(),
        required=False,
    )
    amount = forms.DecimalField(
        label=_("Bonus (payout currency)"), min_value=0, decimal_places=2, required=False
    )
    rate = forms.DecimalField(
        label=_("Or a percentage of the deal"),
        min_value=0,
        max_value=100,
        decimal_places=4,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.order_by("name")
        self.fields["certification"].queryset = Certification.objects.order_by("name")

    def rules(self) -> dict:
        d = self.cleaned_data
        return {
            "trigger": d["trigger"],
            "starts_on": d["starts_on"].isoformat(),
            "ends_on": d["ends_on"].isoformat(),
            "product": d["product"].pk if d.get("product") else None,
            "certification": d["certification"].pk if d.get("certification") else None,
            "amount": d.get("amount"),
            "rate": d.get("rate"),
        }


class PartnerReferralRulesForm(_RulesForm):
    amount = forms.DecimalField(label=_("Reward (payout currency)"), min_value=0, decimal_places=2)

    def rules(self) -> dict:
        return {"amount": self.cleaned_data["amount"]}


RULES_FORMS = {
    "commission": CommissionRulesForm,
    "referral": ReferralRulesForm,
    "rebate": RebateRulesForm,
    "spiff": SpiffRulesForm,
    "partner_referral": PartnerReferralRulesForm,
}


class PublishForm(forms.Form):
    effective_from = forms.DateTimeField(
        label=_("Effective from (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class AdjustmentForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    program = forms.ModelChoiceField(label=_("Program"), queryset=IncentiveProgram.objects.none())
    amount = forms.DecimalField(
        label=_("Amount (payout currency; negative to deduct)"), decimal_places=2
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.exclude(status="applicant").order_by(
            "name"
        )
        self.fields["program"].queryset = IncentiveProgram.objects.order_by("name")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    reason = forms.CharField(
        label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + EarningStatus.choices, required=False
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=EarningStatus.choices, initial=EarningStatus.PENDING
    )
