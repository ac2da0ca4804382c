"""Statements and payouts (issue #20, item 4): a partner's payee details (bank account and tax
form, approved by finance staff), the tenant's payout settings (minimum payout, the amount
above which a batch needs a second approver), payout batches with one line per partner and
the earnings each line pays, the partners a batch held out, and monthly statements.

Money still moves only by ledger entries (incentives.models.LedgerEntry): marking a batch
paid writes the `pay` entries of its earnings; a statement's figures are sums of the ledger.
`PayoutItem` makes an earning belong to one live batch at most (a partial unique index), so
two batches prepared at the same moment cannot both pay it."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.models import currency_validator
from prm.tenancy import TenantModel

MONEY = {"max_digits": 16, "decimal_places": 2}


class PayoutSettings(TenantModel):
    """One row per tenant (created on first use). Both amounts are compared with the amount
    in the batch's currency, whatever that currency is: the minimum is per tenant, not per
    program, because one payout line pays a partner's earnings of every program."""

    minimum_payout = models.DecimalField(
        _("minimum payout"),
        **MONEY,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("A partner owed less than this waits for the next batch."),
    )
    second_approval_above = models.DecimalField(
        _("second approval above"),
        **MONEY,
        default=Decimal("10000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("A batch whose total is above this needs a second, different approver."),
    )
    # The vendor's own account, the debtor of the SEPA credit transfer file.
    payer_name = models.CharField(_("paying account holder"), max_length=70, blank=True)
    payer_iban = models.CharField(_("paying IBAN"), max_length=34, blank=True)
    payer_bic = models.CharField(_("paying BIC"), max_length=11, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "payout settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="payoutsettings_one")]


class PayeeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


PAYEE_TONES = {"pending": "warn", "approved": "ok", "rejected": "bad"}


def _tax_form_path(instance: PayeeDetails, filename: str) -> str:
    # The stored name never comes from the uploader: tenant, partner, random id, checked type.
    return (
        f"incentives/{instance.tenant_id}/payees/{instance.partner_id}/"
        f"{uuid.uuid4().hex}.{instance.tax_form_ext}"
    )


class PayeeDetails(TenantModel):
    """Where a partner's payouts go. Any change by the partner sends them back to review;
    only approved details are paid. The IBAN is shown masked except to the partner's
    admins and the vendor's admins (finance)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    account_holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    address = models.TextField(_("address"), max_length=500)
    currency = models.CharField(_("payout currency"), max_length=3, validators=[currency_validator])
    tax_form = models.FileField(upload_to=_tax_form_path, max_length=300, blank=True)
    tax_form_name = models.CharField(max_length=255, blank=True)
    tax_form_type = models.CharField(max_length=40, blank=True)
    tax_form_ext = models.CharField(max_length=5, blank=True)
    tax_form_size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=PayeeStatus.choices, default=PayeeStatus.PENDING
    )
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name_plural = "payee details"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="payeedetails_one"),
        ]

    def __str__(self) -> str:
        return f"{self.account_holder} {self.masked_iban}"

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    @property
    def tone(self) -> str:
        return PAYEE_TONES.get(self.status, "off")


def mask_iban(iban: str) -> str:
    """Country code and the last four characters: DE** **** **** **** **30 00."""
    if not iban:
        return ""
    return f"{iban[:2]}{'•' * max(0, len(iban) - 6)}{iban[-4:]}"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for approval")
    PARTLY_APPROVED = "partly_approved", _("Waiting for the second approval")
    APPROVED = "approved", _("Approved, ready to pay")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


BATCH_TONES = {
    "draft": "warn",
    "partly_approved": "warn",
    "approved": "ok",
    "paid": "ok",
    "cancelled": "off",
}


class PayoutBatch(TenantModel):
    """The approved, unpaid earnings of one payout currency approved up to `period_end`,
    one line per partner. Above the tenant's threshold two different people approve it."""

    currency = models.CharField(max_length=3)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField()
    status = models.CharField(max_length=16, choices=BatchStatus.choices, default="draft")
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    needs_second_approval = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "payout batches"

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"PB-{self.pk}"

    @property
    def tone(self) -> str:
        return BATCH_TONES.get(self.status, "off")


class PayoutLine(TenantModel):
    """What one partner is paid by one batch: the sum of its items, with the payee details
    as they were approved when the batch was prepared (later changes do not redirect it)."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="lines")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    account_holder = models.CharField(max_length=70)
    iban = models.CharField(max_length=34)
    bic = models.CharField(max_length=11, blank=True)

    class Meta:
        ordering = ["batch", "partner__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "batch", "partner"], name="payoutline_one"),
        ]

    def __str__(self) -> str:
        return f"{self.batch.number} {self.currency} {self.amount}"

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)


class PayoutItem(TenantModel):
    """One earning in one batch line. `active` turns off when the batch is cancelled, which
    frees the earning for the next batch; an earning is in one live batch at most."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey(PayoutLine, on_delete=models.CASCADE, related_name="items")
    earning = models.ForeignKey(
        "incentives.Earning", on_delete=models.PROTECT, related_name="payout_items"
    )
    amount = models.DecimalField(**MONEY)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "earning"],
                condition=Q(active=True),
                name="payoutitem_one_live_batch",
            )
        ]


class HoldReason(models.TextChoices):
    NO_PAYEE = "no_payee", _("No payee details yet")
    PAYEE_PENDING = "payee_pending", _("Payee details wait for review")
    PAYEE_REJECTED = "payee_rejected", _("Payee details were rejected")
    NO_TAX_FORM = "no_tax_form", _("No tax form uploaded")
    CURRENCY = "currency", _("Payee details ask for another currency")
    BELOW_MINIMUM = "below_minimum", _("Below the minimum payout (carried over)")


class PayoutHold(TenantModel):
    """A partner whose approved earnings a batch did not pay, with the reason; the earnings
    stay approved and unpaid for the next batch."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="holds")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=20, choices=HoldReason.choices)

    class Meta:
        ordering = ["batch", "partner__name", "id"]


class Statement(TenantModel):
    """A partner's month in one currency, from the ledger: the outstanding balance (held,
    pending and approved) at the start and at the end, and the month's moves. Written by
    the monthly run (and on demand); the PDF and CSV are rendered from the ledger on
    download."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # the first day of the month
    currency = models.CharField(max_length=3)
    opening = models.DecimalField(**MONEY)
    earned = models.DecimalField(**MONEY)
    approved = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    reversed = models.DecimalField(**MONEY)
    closing = models.DecimalField(**MONEY)
    generated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "partner__name", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "month", "currency"], name="statement_one"
            )
        ]
        indexes = [models.Index(fields=["tenant", "month"], name="statement_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency}"
