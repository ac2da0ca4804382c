"""Joint business plans: per partner and period, goals on figures the product already
computes (jointplans.metrics), initiatives with owners and dates, and sign-off by both sides.

A plan moves draft -> proposed -> signed -> active -> closed (jointplans.states). Each side
signs once; a change to the plan's content after a signature clears both signatures (the
plan is then proposed again). A goal's actual value is never stored while the plan runs: it
is read live from the metric's source; closing a plan keeps the final figure on the goal.
"""

from __future__ import annotations

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half year")
    YEAR = "year", _("Year")


PERIOD_MONTHS = {PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}


def period_end(kind: str, start: datetime.date) -> datetime.date:
    """The last day of a period of `kind` starting on `start` (a quarter's first day)."""
    months = start.month - 1 + PERIOD_MONTHS[kind]
    first_after = datetime.date(start.year + months // 12, months % 12 + 1, 1)
    return first_after - datetime.timedelta(days=1)


class JointPlan(TenantModel):
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="joint_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    period_kind = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    review_date = models.DateField(_("review date"))
    summary = models.TextField(_("summary"), blank=True, max_length=4000)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    vendor_signed_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    vendor_signed_at = models.DateTimeField(null=True, blank=True)
    partner_signed_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner_signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "period_kind", "start_date"],
                name="jointplan_one_per_partner_period",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="jointplan_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="jointplan_status_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/plans/{self.pk}/"

    @property
    def signatures(self) -> int:
        return int(self.vendor_signed_at is not None) + int(self.partner_signed_at is not None)


class PlanGoal(TenantModel):
    """One goal: a metric (a key of jointplans.metrics.METRICS) and its target for the plan's
    period; money targets carry their currency."""

    plan = models.ForeignKey(JointPlan, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("metric"), max_length=40)
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Kept when the plan is closed: the figure at the end, as the plan last showed it.
    final_actual = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "plan", "metric"], name="plangoal_one_per_metric"
            )
        ]

    def __str__(self) -> str:
        return self.metric


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Initiative(TenantModel):
    """A piece of work the plan commits one side to: an owner (a person of the vendor or of
    the plan's partner), a due date and a status."""

    plan = models.ForeignKey(JointPlan, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    owner = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.PLANNED,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title


class PlanReminder(TenantModel):
    """One row per reminder sent (plan, days before the review): its unique key is what makes
    each reminder go out once, however often the beat runs."""

    plan = models.ForeignKey(JointPlan, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "plan", "days_before"], name="planreminder_once"
            )
        ]
