"""Predictive models per tenant (issue #22).

`PredictionModel` is one training run of one task for one tenant: its version, the features
it reads, its hold-out figures against the rule it would replace, and the fitted estimator
(joblib bytes). The bytes live in the database, not in media storage: they are a few kB (a
scaled logistic regression), they belong to the tenant's row (row-level security, the tenant
export and deletion cover them with no extra path), and the figures and the estimator are
written in one transaction, so a page never shows figures of a model that is not stored.

A run that found too little history is kept too (status `insufficient`, with the reason), so
the page says why the rules stay in charge. `PredictionScore` holds the latest score of each
subject (a partner for churn), written set-based by the scoring task, read by pages."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class Task(models.TextChoices):
    CHURN = "churn", _("Churn risk")
    WIN = "win", _("Win probability")
    MATCH = "match", _("Partner-to-lead matching")
    IPP = "ipp", _("Ideal partner profile")


class ModelStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    INSUFFICIENT = "insufficient", _("Not enough history")


class PredictSettings(TenantModel):
    """One row per tenant: how inactivity is defined for the churn model."""

    inactivity_days = models.PositiveSmallIntegerField(
        _("inactive after this many days without a registration, sign-in or training"),
        default=90,
        validators=[MinValueValidator(14), MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "predict settings"
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="predictsettings_one_per_tenant")
        ]

    @classmethod
    def for_tenant(cls, tenant) -> PredictSettings:
        obj, _created = cls.objects.get_or_create(tenant=tenant)
        return obj


class PredictionModel(TenantModel):
    task = models.CharField(max_length=12, choices=Task.choices)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=ModelStatus.choices)
    trained_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    features = models.JSONField(default=list)
    # {"auc", "brier", "base_rate", "rule_auc", "precision_at_k", "rule_precision_at_k",
    #  "k", "calibration": [{"predicted", "observed", "count"}], "wins_share"}
    metrics = models.JSONField(default=dict)
    params = models.JSONField(default=dict)  # e.g. {"inactivity_days": 90}
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    test_start = models.DateField(null=True, blank=True)
    train_rows = models.PositiveIntegerField(default=0)
    test_rows = models.PositiveIntegerField(default=0)
    # True when the hold-out shows the model beats the rule (paired bootstrap); only then is
    # it used in place of the rule.
    beats_rule = models.BooleanField(default=False)
    message = models.CharField(max_length=300, blank=True)  # why a run is insufficient
    estimator = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["task", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "task", "version"], name="predictionmodel_unique_version"
            ),
            models.UniqueConstraint(
                fields=["tenant", "task"],
                condition=Q(status="active"),
                name="predictionmodel_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_task_display()} v{self.version}"

    @property
    def in_use(self) -> bool:
        return self.status == ModelStatus.ACTIVE and self.beats_rule


class PredictionScore(TenantModel):
    """The latest score of one partner (churn) or one open deal registration (win, with its
    partner) for one task, with its top factors."""

    model = models.ForeignKey(PredictionModel, on_delete=models.CASCADE, related_name="scores")
    task = models.CharField(max_length=12, choices=Task.choices)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="prediction_scores"
    )
    deal = models.ForeignKey(
        "dealreg.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    probability = models.FloatField()
    # [{"feature", "value", "typical", "effect"}], strongest first; effect > 0 raises it.
    factors = models.JSONField(default=list)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-probability"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "task", "partner"],
                condition=Q(deal__isnull=True),
                name="predictionscore_one_per_partner",
            ),
            models.UniqueConstraint(
                fields=["tenant", "task", "deal"],
                condition=Q(deal__isnull=False),
                name="predictionscore_one_per_deal",
            ),
        ]
