"""The event outbox and in-portal notifications with per-member preferences.

Imported at the end of prm/models.py so the models belong to the `prm` app.

The outbox (`OutboxEvent`) is written in the same transaction as the change it describes
(`prm.events.emit()`, or an INSERT ... SELECT in set-based services), so an event exists if
and only if its change committed. The relay (`integrations.relay`, registered with
`prm.events.on_outbox_commit`) later fans each event out into one webhook delivery per
subscribed endpoint and one `Notification` per interested member. The webhook models live in
the `integrations` app; the core knows nothing of them.
"""

from __future__ import annotations

from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel

__all__ = [
    "Notification",
    "NotificationMode",
    "NotificationPreference",
    "OutboxEvent",
]


class OutboxEvent(TenantModel):
    """One domain event, waiting for (or done with) the relay.

    `event_id` and `created_at` have database defaults so set-based SQL can insert rows
    without computing them."""

    event_id = models.UUIDField(db_default=RandomUUID(), editable=False)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_default=Now())
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["tenant", "id"],
                name="outbox_unrelayed_idx",
                condition=Q(relayed_at__isnull=True),
            ),
            models.Index(fields=["tenant", "-created_at"], name="outbox_tenant_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class NotificationMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("Off")


class Notification(TenantModel):
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        OutboxEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event_type = models.CharField(max_length=60)
    group = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    mode = models.CharField(
        max_length=10, choices=NotificationMode.choices, default=NotificationMode.IMMEDIATE
    )
    created_at = models.DateTimeField(db_default=Now())
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)
    # Notices that have no outbox event (prm.notifications.notify(key=...)) are made once per
    # member and key, so a task delivered twice makes one; the relay's rows leave it empty.
    key = models.CharField(max_length=120, blank=True, default="", db_default="")
    # Claimed by a conditional update before the e-mail is queued: at most one mail each.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The object the notification is about (a model label such as "dealreg.deal" and its id),
    # so its link can be checked against what the member may see when it is opened. Rows
    # made before these columns leave them empty and link to `url` as before.
    object_type = models.CharField(max_length=60, blank=True, default="", db_default="")
    object_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "event"], name="notification_unique_event"
            ),
            models.UniqueConstraint(
                fields=["tenant", "member", "key"],
                condition=~Q(key=""),
                name="notification_unique_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "member"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["tenant", "member", "-created_at"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(TenantModel):
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=20)
    mode = models.CharField(max_length=10, choices=NotificationMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "group"], name="notification_pref_unique"
            )
        ]
