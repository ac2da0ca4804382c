"""Market development funds: programs and their activity rules, the ledger (the only source of
balances), fund requests, claims with proof of performance, exchange rates.

Money is Decimal with an explicit currency. Ledger amounts are in the program's currency;
a claim may be in another currency and is converted at approval with a rate stored on it.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.models import currency_validator
from prm.tenancy import TenantModel

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class ActivityType(models.TextChoices):
    EVENT = "event", _("Event")
    WEBINAR = "webinar", _("Webinar")
    DIGITAL_CAMPAIGN = "digital_campaign", _("Digital campaign")
    CONTENT = "content", _("Content")
    TRADE_SHOW = "trade_show", _("Trade show")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class ProofKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    PHOTOS = "photos", _("Photos")
    ATTENDEE_LIST = "attendee_list", _("Attendee list")
    SCREENSHOTS = "screenshots", _("Screenshots")
    RESULTS_REPORT = "results_report", _("Results report")
    OTHER = "other", _("Other")


class Period(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Program(TenantModel):
    """An MDF budget for one period. Its allocations never exceed `budget` (checked under a
    lock on this row); unused funds expire `grace_days` after `end_date`."""

    name = models.CharField(_("name"), max_length=120)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    budget = models.DecimalField(
        _("total budget"), **MONEY, validators=[MinValueValidator(ZERO)], default=ZERO
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period after the period ends (days)"), default=30
    )
    expiry_warning_days = models.PositiveSmallIntegerField(
        _("warn partners this many days before funds expire"), default=14
    )
    second_approval_threshold = models.DecimalField(
        _("claims above this amount need a second approval by an admin"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    created_at = models.DateTimeField(default=timezone.now)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="mdf_program_unique_name"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="mdf_program_dates"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="mdf_program_budget"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mdf-program-detail", args=[self.pk])

    @property
    def expires_on(self):
        return self.end_date + datetime.timedelta(days=self.grace_days)

    @property
    def is_expired(self) -> bool:
        return self.expired_at is not None


class ActivityRule(TenantModel):
    """An activity type a program funds, with its limits. Types without a rule are not
    eligible in that program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rules")
    activity_type = models.CharField(
        _("activity type"), max_length=20, choices=ActivityType.choices
    )
    max_reimbursable_pct = models.DecimalField(
        _("maximum reimbursable % of the actual cost"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    required_proofs = ArrayField(
        models.CharField(max_length=20, choices=ProofKind.choices),
        default=list,
        blank=True,
        verbose_name=_("required proof documents"),
    )
    claim_deadline_days = models.PositiveSmallIntegerField(
        _("claim deadline (days after the activity ends)"), default=60
    )

    class Meta:
        ordering = ["activity_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "activity_type"], name="mdf_rule_unique_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.get_activity_type_display()}"

    def required_proof_labels(self) -> list[str]:
        return [ProofKind(k).label for k in self.required_proofs]


class LedgerKind(models.TextChoices):
    ALLOCATE = "allocate", _("Allocation")
    ACCRUE = "accrue", _("Accrual")
    COMMIT = "commit", _("Commitment")
    RELEASE = "release", _("Release")
    CLAIM_APPROVED = "claim_approved", _("Claim approved")
    PAYMENT = "payment", _("Payment")
    EXPIRY = "expiry", _("Expiry")
    ADJUSTMENT = "adjustment", _("Adjustment")


# How each kind moves the derived balances (see mdf.selectors.balances):
#   allocated = allocate + accrue + adjustment        (adjustment may be negative)
#   committed = commit - release - claim_approved     (open commitments)
#   claimed   = claim_approved - payment              (approved, not yet paid)
#   paid      = payment
#   expired   = expiry
#   available = allocated - expired - committed - claimed - paid
ALLOCATION_KINDS = (LedgerKind.ALLOCATE, LedgerKind.ACCRUE, LedgerKind.ADJUSTMENT)


class LedgerEntry(TenantModel):
    """Append-only. The app's database role may only SELECT and INSERT here (prm.rls
    APPEND_ONLY); corrections are new entries. Nothing else stores a balance."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="entries")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="mdf_entries"
    )
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    amount = models.DecimalField(**MONEY)
    request = models.ForeignKey(
        "FundRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    claim = models.ForeignKey(
        "Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    # Makes one-off entries (the tier allocation of a partner) unique per program.
    key = models.CharField(max_length=40, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["tenant", "program", "partner"], name="mdf_ledger_balance_idx"),
            models.Index(fields=["tenant", "request"], name="mdf_ledger_request_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="adjustment", amount__lt=0) | Q(amount__gt=0),
                name="mdf_ledger_amount_sign",
            ),
            models.UniqueConstraint(
                fields=["tenant", "program", "partner", "key"],
                condition=~Q(key=""),
                name="mdf_ledger_unique_key",
            ),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Ledger entries are append-only; add a correcting entry.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


# The moves between these statuses are declared once, in mdf.states.REQUEST_MACHINE.


# What a partner enters on a request (the form, the API and the services use this one list).
REQUEST_FIELDS = (
    "activity_type",
    "title",
    "description",
    "start_date",
    "end_date",
    "planned_cost",
    "requested_amount",
    "expected_leads",
    "expected_pipeline",
    "target_audience",
    "funded_campaign_code",
)


class FundRequest(TenantModel):
    """A partner's request for funds for one marketing activity (pre-approval)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="mdf_requests"
    )
    submitted_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    activity_type = models.CharField(
        _("activity type"), max_length=20, choices=ActivityType.choices
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    start_date = models.DateField(_("activity starts"))
    end_date = models.DateField(_("activity ends"))
    planned_cost = models.DecimalField(
        _("planned total cost"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    requested_amount = models.DecimalField(
        _("amount requested"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    expected_leads = models.PositiveIntegerField(_("expected leads"), default=0)
    expected_pipeline = models.DecimalField(
        _("expected pipeline"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    target_audience = models.CharField(_("target audience"), max_length=300)
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True)
    campaign_code = models.CharField(max_length=16, blank=True)
    # The code of one of the partner's own marketing campaigns this activity funds (checked
    # through partners.questions); on approval it becomes the request's campaign code, so the
    # deals registered with it count in MDF ROI and the claim can show the campaign's funnel.
    funded_campaign_code = models.CharField(
        _("campaign it funds"),
        max_length=16,
        blank=True,
        help_text=_("Optional: the code of your company's campaign this activity pays for."),
    )
    claim_deadline = models.DateField(null=True, blank=True)
    decision_reason = models.CharField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "campaign_code"],
                condition=~Q(campaign_code=""),
                name="mdf_request_unique_code",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="mdf_request_dates"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "submitted_at"], name="mdf_request_queue_idx"),
            models.Index(fields=["tenant", "partner", "-submitted_at"], name="mdf_request_ptr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"FR-{self.pk}" if self.pk else "FR-new"

    def get_absolute_url(self) -> str:
        return reverse("mdf-request-detail", args=[self.pk])

    # What the pages say about the status (which actions it allows: mdf.states).
    @property
    def is_approved(self) -> bool:
        return self.status == RequestStatus.APPROVED

    @property
    def is_returned(self) -> bool:
        return self.status == RequestStatus.RETURNED


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("More information requested")
    SECOND_APPROVAL = "second_approval", _("Waiting for a second approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


# The moves between these statuses are declared once, in mdf.states.CLAIM_MACHINE.
# What a partner enters on a claim (the form, the API and the services use this one list).
CLAIM_FIELDS = (
    "activity_start",
    "activity_end",
    "actual_cost",
    "amount_claimed",
    "currency",
    "leads",
    "attendees",
    "impressions",
    "notes",
)
OPEN_CLAIM_STATUSES = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.INFO_REQUESTED,
    ClaimStatus.SECOND_APPROVAL,
    ClaimStatus.APPROVED,
    ClaimStatus.PAID,
)


class Claim(TenantModel):
    """Reimbursement of an approved request after the activity, with proof of performance.
    `amount_claimed` is in the claim's currency; at approval the rate to the program currency
    is stored (`exchange_rate`) with the converted amount (`approved_amount_program`)."""

    request = models.ForeignKey(FundRequest, on_delete=models.PROTECT, related_name="claims")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="claims")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="mdf_claims"
    )
    submitted_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    activity_start = models.DateField(_("activity started"))
    activity_end = models.DateField(_("activity ended"))
    actual_cost = models.DecimalField(
        _("actual total cost"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    amount_claimed = models.DecimalField(
        _("amount claimed"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    leads = models.PositiveIntegerField(_("leads"), default=0)
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    impressions = models.PositiveIntegerField(_("impressions"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    info_request = models.CharField(max_length=1000, blank=True)
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True)
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=8, null=True, blank=True)
    approved_amount_program = models.DecimalField(**MONEY, null=True, blank=True)
    first_approved_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=1000, blank=True)
    # Why a reviewer approved although an automatic check failed (empty: none failed).
    check_override_reason = models.CharField(max_length=1000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    paid_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    remittance_pdf = models.FileField(upload_to="mdf-remittances/", blank=True, max_length=300)
    # The funded marketing campaign's figures when the claim was submitted (marketing's answer
    # to partners.questions "campaign.figures"): a snapshot, never re-read, so the proof the
    # reviewer checks is what the partner submitted. Empty: the request funded no campaign.
    campaign_evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One live claim per request: a rejected claim may be followed by a new one.
            models.UniqueConstraint(
                fields=["tenant", "request"],
                condition=~Q(status="rejected"),
                name="mdf_claim_one_live_per_request",
            ),
            models.CheckConstraint(
                condition=Q(activity_end__gte=models.F("activity_start")),
                name="mdf_claim_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "submitted_at"], name="mdf_claim_queue_idx"),
            models.Index(fields=["tenant", "partner", "-submitted_at"], name="mdf_claim_ptr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.request.title})"

    @property
    def number(self) -> str:
        return f"CL-{self.pk}" if self.pk else "CL-new"

    def get_absolute_url(self) -> str:
        return reverse("mdf-claim-detail", args=[self.pk])

    # What the pages say about the status (which actions it allows: mdf.states).
    @property
    def is_paid(self) -> bool:
        return self.status == ClaimStatus.PAID

    @property
    def is_rejected(self) -> bool:
        return self.status == ClaimStatus.REJECTED

    @property
    def needs_information(self) -> bool:
        return self.status == ClaimStatus.INFO_REQUESTED

    @property
    def awaits_second_approval(self) -> bool:
        return self.status == ClaimStatus.SECOND_APPROVAL


def _proof_path(instance: ProofDocument, filename: str) -> str:
    # The stored name never comes from the uploader: tenant, claim, random id, checked type.
    return f"mdf/{instance.tenant_id}/claims/{instance.claim_id}/{uuid.uuid4().hex}.{instance.ext}"


class ProofDocument(TenantModel):
    """A proof-of-performance file. Stored under MEDIA_ROOT, which no URL serves; downloaded
    only through mdf.views.document_download, as an attachment."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=ProofKind.choices)
    file = models.FileField(upload_to=_proof_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    ext = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["tenant", "claim"], name="mdf_proof_claim_idx")]

    def __str__(self) -> str:
        return self.original_name


class ExchangeRate(TenantModel):
    """1 `from_currency` = `rate` × `to_currency`, from `valid_from` until the next rate."""

    from_currency = models.CharField(
        _("from currency"), max_length=3, validators=[currency_validator]
    )
    to_currency = models.CharField(_("to currency"), max_length=3, validators=[currency_validator])
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["from_currency", "to_currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "from_currency", "to_currency", "valid_from"],
                name="mdf_rate_unique_day",
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="mdf_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency} ({self.valid_from})"


class ExpiryWarning(TenantModel):
    """Records that a partner's admins were warned about a program's funds expiring, so the
    daily sweep sends the warning once."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(**MONEY)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "partner"], name="mdf_expirywarning_once"
            )
        ]
