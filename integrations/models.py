"""Webhook endpoints, their deliveries and the delivery log.

These tables were created by the core (prm/migrations/0002_integrations.py) and keep their
names (`db_table`), data, indexes, constraints and row-level security policies; the
`integrations` app owns them since integrations/migrations/0001_initial.py (state only).
An outbox event (`prm.OutboxEvent`, the core's) fans out into one `WebhookDelivery` per
subscribed active endpoint (integrations.relay).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class EndpointState(models.TextChoices):
    """What `WebhookEndpoint.state` says (derived from `is_active`; see integrations.states)."""

    ACTIVE = "active", _("Active")
    DISABLED = "disabled", _("Disabled")


class WebhookEndpoint(TenantModel):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=60), verbose_name=_("events"))
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Set at the first failed attempt after a success, cleared by the next success; an
    # endpoint failing for PRM_WEBHOOK_DISABLE_AFTER is disabled.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "prm_webhookendpoint"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url

    @property
    def state(self) -> str:
        """The state the endpoint machine (integrations.states.ENDPOINT) moves."""
        return EndpointState.ACTIVE if self.is_active else EndpointState.DISABLED

    def get_state_display(self) -> str:
        return str(EndpointState(self.state).label)

    @property
    def tone(self) -> str:
        """The status badge's colour class."""
        if not self.is_active:
            return "off"
        return "warn" if self.failing_since else "ok"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for its first attempt, or retrying
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")  # dead: every attempt failed for PRM's retry window


# What pages say about a status (never what may happen next: see integrations/states.py).
DELIVERY_TONES = {
    DeliveryStatus.PENDING: "warn",
    DeliveryStatus.DELIVERED: "ok",
    DeliveryStatus.FAILED: "bad",
}


class WebhookDelivery(TenantModel):
    """One event for one endpoint, with its retry state. The unique key makes the fan-out
    idempotent."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("prm.OutboxEvent", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        db_table = "prm_webhookdelivery"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "endpoint", "event"], name="webhook_delivery_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["tenant", "next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["tenant", "endpoint", "-created_at"], name="webhook_delivery_ep"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"

    @property
    def tone(self) -> str:
        """The status badge's colour class."""
        return DELIVERY_TONES.get(self.status, "off")

    @property
    def is_retrying(self) -> bool:
        """Pending after at least one failed attempt: the relay tries again at next_attempt_at."""
        return self.status == DeliveryStatus.PENDING and self.attempts > 0


class DeliveryAttempt(TenantModel):
    """The delivery log: one row per HTTP attempt."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="+")
    attempted_at = models.DateTimeField(default=dj_timezone.now)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "prm_deliveryattempt"
        indexes = [models.Index(fields=["tenant", "delivery"], name="webhook_attempt_delivery")]
