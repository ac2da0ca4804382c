"""Analytics: per-tenant settings, portal activity per member and day, daily health
snapshots with their explanation, at-risk episodes, program costs and the ROPI rollups.

Every table here is written only by analytics.services (set-based SQL run by Celery); pages
and the API read them and never recompute."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel, tenant_without_key

PCT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}
MONEY = {"max_digits": 16, "decimal_places": 2, "default": Decimal("0")}


class AttributionModel(models.TextChoices):
    EVEN = "even", _("Even split between influencers")
    WEIGHTED = "weighted", _("Split by each influencer's weight")


# Health components: key -> label. The settings hold one weight per key.
COMPONENTS: dict[str, str] = {
    "pipeline": _("Pipeline registered, last 90 days"),
    "won_revenue": _("Won revenue, trailing 12 months"),
    "win_rate": _("Win rate, trailing 12 months"),
    "recency": _("Recency of the last registration"),
    "training": _("Certified people and training completions"),
    "activity": _("Portal activity, last 30 days"),
    "mdf": _("MDF utilisation"),
    "onboarding": _("Onboarding progress"),
    # Community events attended (issue #23); weight 0 until the program counts it.
    "events": _("Events attended, last 90 days"),
}


class AnalyticsSettings(TenantModel):
    """One row per tenant, edited by tenant admins."""

    currency = models.CharField(
        _("reporting currency"),
        max_length=3,
        default="USD",
        help_text=_("Revenue, MDF and costs in other currencies are left out of ROPI."),
    )
    gross_margin_pct = models.DecimalField(_("gross margin %"), default=Decimal("70"), **PCT)
    attribution_model = models.CharField(
        _("influenced-revenue split"),
        max_length=10,
        choices=AttributionModel.choices,
        default=AttributionModel.EVEN,
    )
    weight_pipeline = models.PositiveSmallIntegerField(_("weight: pipeline"), default=20)
    weight_won_revenue = models.PositiveSmallIntegerField(_("weight: won revenue"), default=20)
    weight_win_rate = models.PositiveSmallIntegerField(_("weight: win rate"), default=10)
    weight_recency = models.PositiveSmallIntegerField(_("weight: recency"), default=15)
    weight_training = models.PositiveSmallIntegerField(_("weight: training"), default=10)
    weight_activity = models.PositiveSmallIntegerField(_("weight: portal activity"), default=10)
    weight_mdf = models.PositiveSmallIntegerField(_("weight: MDF utilisation"), default=5)
    weight_onboarding = models.PositiveSmallIntegerField(_("weight: onboarding"), default=10)
    weight_events = models.PositiveSmallIntegerField(_("weight: events attended"), default=0)
    at_risk_below = models.PositiveSmallIntegerField(
        _("at risk below this score"), default=40, validators=[MaxValueValidator(100)]
    )
    at_risk_drop = models.PositiveSmallIntegerField(
        _("at risk after a drop of this many points in 30 days"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # Set when a program-wide input changed (these settings, the rules of engagement): the
    # stored rollups no longer match it until a full recompute that started after it.
    rollups_stale_since = models.DateTimeField(null=True, blank=True, editable=False)
    rollups_stale_reason = models.CharField(max_length=200, blank=True, editable=False)
    # When the last nightly or full run began: the nightly run looks for inputs changed since
    # then (the refreshes after each change rewrite rows in between, so the rows' newest
    # computed_at no longer tells when everything was last checked).
    rollups_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "analytics settings"
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="analyticssettings_one_per_tenant")
        ]

    @classmethod
    def for_tenant(cls, tenant) -> AnalyticsSettings:
        obj, _created = cls.objects.get_or_create(tenant=tenant)
        return obj

    def weights(self) -> dict[str, int]:
        return {key: getattr(self, f"weight_{key}") for key in COMPONENTS}


class MemberActivity(TenantModel):
    """Portal use per member per day, derived from the audit trail (sign-ins and actions)."""

    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, related_name="+"
    )
    day = models.DateField()
    sign_ins = models.PositiveIntegerField(default=0)
    actions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "day"], name="memberactivity_unique_day"
            )
        ]
        indexes = [models.Index(fields=["tenant", "partner", "day"], name="activity_partner_idx")]


class HealthSnapshot(TenantModel):
    """A partner's health on one day. `components` keeps every input and its points, so the
    score is explainable later; `drivers` are the sentences shown to people."""

    # The database checks these three through the composite keys only (tenant_id, partner_id)
    # and (tenant_id, tier_id): prm.distribution.COMPOSITE_ONLY. The unique day key serves
    # look-ups by partner and the covering day index those by tenant, so neither key has an
    # index of its own (one index fewer to write per snapshot).
    tenant = tenant_without_key()
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="health_snapshots",
        db_constraint=False,
        db_index=False,
    )
    day = models.DateField()
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    components = models.JSONField(default=list)
    drivers = models.JSONField(default=list)
    at_risk = models.BooleanField(default=False)
    risk_reason = models.CharField(max_length=300, blank=True)
    # The tier the partner held when it was scored (the peers of its benchmark that day).
    tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner_id", "-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "day"], name="healthsnapshot_unique_day"
            )
        ]
        # Covering: a day's scores (the highest of the last 30 days, the tier counts, the
        # metrics copy) are read from the index alone, not from 2 KB rows.
        indexes = [
            models.Index(
                fields=["tenant", "day"],
                include=["partner", "score", "tier"],
                name="health_day_cover_idx",
            )
        ]


class TierScores(TenantModel):
    """How many partners of a tier scored each health score on one day (`counts[s]`: the
    number with score s, 0-100), written by the health run with the day's snapshots. A
    partner's standing among its tier's peers is then one row, whatever the tier's size."""

    day = models.DateField()
    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, related_name="+")
    counts = ArrayField(models.PositiveIntegerField(), size=101)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "tier"], name="tierscores_unique_day")
        ]


class RiskEpisode(TenantModel):
    """A stretch of days a partner is at risk. Its channel manager is told once, when the
    episode opens (`notified_at` is claimed by a conditional update)."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="risk_episodes"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)  # English, for the audit trail and webhooks
    # The reason as a message key with parameters (analytics.rules.message), shown in the
    # reader's language; {} on episodes opened before it was stored (`reason` is shown).
    reason_msg = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=Q(ended_on__isnull=True),
                name="riskepisode_one_open",
            )
        ]

    @property
    def reason_text(self) -> str:
        """Why the partner is at risk, in the active language."""
        # local: analytics.rules imports this module at load time
        from analytics.rules import message_text

        return message_text(self.reason_msg) if self.reason_msg else self.reason


class ProgramCost(TenantModel):
    """A program cost entered by an admin for one partner or for every partner of a tier,
    counted in ROPI for the quarter containing `incurred_on`. A tier cost is shared evenly
    by the tier's partners."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    incurred_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("description"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-incurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, tier__isnull=True)
                | Q(partner__isnull=True, tier__isnull=False),
                name="programcost_partner_xor_tier",
            )
        ]


class PartnerRollup(TenantModel):
    """Attribution and ROPI per (tenant, partner, quarter), in the settings' currency.
    Sourced and influenced revenue are always kept apart."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()  # first day of the quarter
    currency = models.CharField(max_length=3)
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner_type = models.CharField(max_length=32)
    won_deals = models.PositiveIntegerField(default=0)
    sourced_revenue = models.DecimalField(**MONEY)
    influenced_revenue = models.DecimalField(**MONEY)
    gross_margin_pct = models.DecimalField(max_digits=5, decimal_places=2)
    return_amount = models.DecimalField(**MONEY)
    mdf_paid = models.DecimalField(**MONEY)
    discounts = models.DecimalField(**MONEY)
    program_costs = models.DecimalField(**MONEY)
    investment = models.DecimalField(**MONEY)
    ropi = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    # Deal velocity: days from submission to won, for deals won in the quarter.
    velocity_median_days = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True
    )
    velocity_avg_days = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    velocity_deals = models.PositiveIntegerField(default=0)
    # Decisions made in the quarter: within the review SLA of the rules version applied, and
    # approved (approval rate = approved / decided).
    deals_decided = models.PositiveIntegerField(default=0)
    deals_decided_in_sla = models.PositiveIntegerField(default=0)
    deals_approved = models.PositiveIntegerField(default=0)
    sla_attainment_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    approval_rate_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # Registration funnel: deals submitted in the quarter and how far they got since.
    funnel_submitted = models.PositiveIntegerField(default=0)
    funnel_approved = models.PositiveIntegerField(default=0)
    funnel_won = models.PositiveIntegerField(default=0)
    funnel_rejected = models.PositiveIntegerField(default=0)
    # MDF ROI: won revenue of deals carrying the campaign code of one of the partner's fund
    # requests (mdf's definition), against the MDF paid in the quarter.
    mdf_won_revenue = models.DecimalField(**MONEY)
    mdf_roi = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    # Partner satisfaction answers of the quarter.
    psat_answers = models.PositiveIntegerField(default=0)
    psat_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "period_start"], name="partnerrollup_unique"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "period_start"], name="rollup_period_idx"),
            # The rollups' version (their newest computed_at): the program dashboard's cached
            # aggregates are keyed on it.
            models.Index(fields=["tenant", "computed_at"], name="rollup_computed_idx"),
        ]


class FirstDealCohort(TenantModel):
    """Time to first deal, stored by the rollup run: one row per activated partner with its
    activation month (its cohort), the days from activation to its first deal (empty while it
    has none) and the dimensions the dashboard filters by (type, tier, region, channel
    manager) as they were at the run. The dashboard and the API add rows up per month in one
    aggregate, and a partner member's rows are just its own."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    cohort_month = models.DateField()
    partner_type = models.CharField(max_length=32)
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region = models.CharField(max_length=8, blank=True)
    manager = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_deal_days = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort_month"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="firstdealcohort_partner")
        ]
        indexes = [models.Index(fields=["tenant", "cohort_month"], name="cohort_month_idx")]


class RollupRun(TenantModel):
    """One on-demand or nightly recompute, for visible progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    # Why the run was queued when no one asked for it (a settings or rules change).
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]


class RollupPending(TenantModel):
    """A partner whose rollup inputs changed and whose rollups are not recomputed yet.

    Written in the transaction that made the change (analytics.subscribers), so a change and
    its mark commit together; drained by the `analytics.refresh_rollups` task, which deletes
    the marks it recomputes in its own transaction (a failed run leaves them for the next).
    Several marks for one partner are fine: they are read as a set."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class BusinessReview(TenantModel):
    """A quarterly business review PDF for one partner, generated by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="business_reviews"
    )
    period_start = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    pdf = models.FileField(upload_to="business-reviews/", blank=True, max_length=300)
    requested_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "partner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "period_start"], name="businessreview_unique"
            )
        ]

    @property
    def label(self) -> str:
        return f"{self.period_start.year} Q{(self.period_start.month - 1) // 3 + 1}"


class SurveyResponse(TenantModel):
    """Partner satisfaction (PSAT): one answer per member per quarter, 1-5 and a comment."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="survey_responses"
    )
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "period_start"], name="surveyresponse_once_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="surveyresponse_score_1_5"
            ),
        ]
