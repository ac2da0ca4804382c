"""Incentives: programs with published versions, the earning lines they produce, the
append-only ledger every balance is derived from, and disputes on earning lines.

Money moves only by ledger entries (`LedgerEntry`): each move is written as signed amounts
per bucket (held, pending, approved, paid, reversed), so a balance is `SUM(amount)` of one
bucket and the buckets of all entries of one earning always add up to what it earned. The
status on `Earning` is the workflow (what may happen next); the ledger is the money."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.models import currency_validator
from prm.tenancy import TenantModel

MONEY = {"max_digits": 16, "decimal_places": 2}


class ProgramKind(models.TextChoices):
    COMMISSION = "commission", _("Commission on won revenue")
    REFERRAL = "referral", _("Referral fee")
    REBATE = "rebate", _("Volume rebate")
    SPIFF = "spiff", _("SPIFF (time-boxed bonus)")
    PARTNER_REFERRAL = "partner_referral", _("Partner referral reward")


class IncentiveProgram(TenantModel):
    """One incentive program. What it pays is in its versions; the program keeps what is
    the same across versions: its kind, the payout currency, the clawback window and the
    answer target for disputes."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgramKind.choices)
    currency = models.CharField(_("payout currency"), max_length=3, validators=[currency_validator])
    clawback_days = models.PositiveSmallIntegerField(
        _("clawback window (days)"),
        default=30,
        help_text=_("Earnings are held this many days after the deal closed before approval."),
    )
    dispute_sla_days = models.PositiveSmallIntegerField(
        _("days to answer a dispute"), default=10, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="incentiveprogram_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ProgramVersion(TenantModel):
    """The rules of one program from `effective_from` on, as the rules of engagement are
    versioned: a draft is edited, publishing freezes it. Each earning records the version it
    was computed with. `rules` is validated by incentives.rules.clean_rules for the kind."""

    program = models.ForeignKey(IncentiveProgram, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateTimeField(_("effective from"), null=True, blank=True)
    rules = models.JSONField(default=dict)
    notes = models.TextField(_("notes for partners"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "version"], name="programversion_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "program"],
                condition=Q(status="draft"),
                name="programversion_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False),
                name="programversion_published_dated",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "program", "-effective_from"], name="programversion_eff_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program.name} v{self.version}"


class EarningKind(models.TextChoices):
    COMMISSION = "commission", _("Commission")
    REFERRAL = "referral", _("Referral fee")
    REBATE = "rebate", _("Rebate")
    SPIFF = "spiff", _("SPIFF")
    PARTNER_REFERRAL = "partner_referral", _("Partner referral reward")
    ADJUSTMENT = "adjustment", _("Adjustment")
    CLAWBACK = "clawback", _("Clawback")


class EarningStatus(models.TextChoices):
    HELD = "held", _("Held (clawback window)")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Reversed")


class AttributionRole(models.TextChoices):
    SOURCED = "sourced", _("Sourced")
    INFLUENCED = "influenced", _("Influenced")
    NONE = "", _("—")


STATUS_TONES = {
    "held": "off",
    "pending": "warn",
    "approved": "ok",
    "paid": "ok",
    "reversed": "bad",
}


class Earning(TenantModel):
    """One earning line: what one partner earns from one cause (a won deal's attribution
    share, an accepted lead, a certificate, a referred partner, a staff adjustment), with
    the version, the base, the share and the rate it was computed from (`computation` keeps
    every step for the detail page). `key` makes each cause earn once: the computation may
    run twice (Celery redelivery) and writes nothing the second time."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(IncentiveProgram, on_delete=models.PROTECT, related_name="earnings")
    version = models.ForeignKey(
        ProgramVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EarningKind.choices)
    role = models.CharField(max_length=10, choices=AttributionRole.choices, blank=True)
    status = models.CharField(max_length=10, choices=EarningStatus.choices)
    deal = models.ForeignKey(
        "dealreg.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A vendor's direct deal its influencers earn commission on (no partner registered it).
    direct_deal = models.ForeignKey(
        "dealreg.DirectDeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    certificate = models.ForeignKey(
        "training.Certificate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The earning a clawback line takes back.
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="clawbacks"
    )
    base_amount = models.DecimalField(**MONEY, null=True, blank=True)
    share = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    computation = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    key = models.CharField(max_length=160)
    earned_on = models.DateField()
    hold_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Locked at approval: 1 `currency` = fx_rate × `payout_currency`.
    fx_rate = models.DecimalField(max_digits=18, decimal_places=8, null=True, blank=True)
    payout_currency = models.CharField(max_length=3, blank=True)
    payout_amount = models.DecimalField(**MONEY, null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversal_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-earned_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="earning_unique_key"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "status"], name="earning_partner_idx"),
            models.Index(fields=["tenant", "status", "hold_until"], name="earning_release_idx"),
            models.Index(fields=["tenant", "deal"], name="earning_deal_idx"),
            models.Index(fields=["tenant", "direct_deal"], name="earning_direct_deal_idx"),
        ]

    def __str__(self) -> str:
        return f"E-{self.pk} {self.get_kind_display()} {self.currency} {self.amount:,.2f}"

    @property
    def number(self) -> str:
        return f"E-{self.pk}"

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.status, "off")


class Bucket(models.TextChoices):
    HELD = "held", _("Held")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Reversed")


class LedgerKind(models.TextChoices):
    EARN = "earn", _("Earned")
    RELEASE = "release", _("Released after the clawback window")
    APPROVE = "approve", _("Approved")
    PAY = "pay", _("Paid")
    REVERSE = "reverse", _("Reversed")


class LedgerEntry(TenantModel):
    """Append-only (prm.rls APPEND_ONLY: the app's database role may only SELECT and INSERT).
    One row per bucket a move touches, with a signed amount in that bucket's currency: an
    approval takes the amount out of `pending` in the earning's currency and puts the
    converted amount into `approved` in the payout currency, at the rate kept on the row."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    earning = models.ForeignKey(Earning, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=LedgerKind.choices)
    bucket = models.CharField(max_length=10, choices=Bucket.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    fx_rate = models.DecimalField(max_digits=18, decimal_places=8, null=True, blank=True)
    # What a payout (statements and payouts, issue #20 item 4) refers to, e.g. a batch id.
    reference = models.CharField(max_length=100, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["tenant", "partner", "bucket"], name="inc_ledger_balance_idx"),
            models.Index(fields=["tenant", "earning"], name="inc_ledger_earning_idx"),
        ]
        constraints = [
            # One move of each kind per earning and bucket: a second approval (or release,
            # or payment) of the same line cannot be written, whatever the code above did.
            models.UniqueConstraint(
                fields=["tenant", "earning", "kind", "bucket"], name="inc_ledger_one_move"
            ),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Ledger entries are append-only; add a correcting entry.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.bucket} {self.currency} {self.amount}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


class Dispute(TenantModel):
    """A partner's question about one earning line, answered by staff within the program's
    answer target (`due_at`); an overdue dispute is highlighted on the staff list."""

    earning = models.ForeignKey(Earning, on_delete=models.PROTECT, related_name="disputes")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    due_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "earning"],
                condition=Q(status="open"),
                name="dispute_one_open_per_earning",
            )
        ]

    def __str__(self) -> str:
        return f"Dispute on E-{self.earning_id}"

    @property
    def overdue(self) -> bool:
        return self.status == DisputeStatus.OPEN and self.due_at < timezone.now()


ZERO = Decimal("0")

from incentives.models_payouts import *  # noqa: E402,F403  statements and payouts (issue #20 item 4)
