"""The e-mail sequence of a campaign (issue #21, item 3): the partner's own contacts, uploaded
as CSV with the uploader's confirmation of their consent, one row per contact and campaign; a
per-partner suppression list keyed by e-mail (an unsubscribe holds for every campaign of that
partner); and one `SequenceSend` per (contact, step) sent, whose unique key is what makes a
re-run of the sender never send a step twice."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class ContactStatus(models.TextChoices):
    SUBSCRIBED = "subscribed", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")


class CampaignContact(TenantModel):
    """One of the partner's contacts in one campaign. `steps_sent` counts the steps sent so
    far (the sender moves it from k to k + 1 with a conditional update)."""

    campaign = models.ForeignKey(
        "marketing.Campaign", on_delete=models.CASCADE, related_name="contacts"
    )
    # The campaign's partner, kept on the row: the suppression list is the partner's.
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=ContactStatus.choices, default=ContactStatus.SUBSCRIBED
    )
    consent_text = models.CharField(max_length=500)
    consented_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consented_at = models.DateTimeField(default=timezone.now)
    steps_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "campaign", "email"], name="mkt_contact_unique_email"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "campaign", "status"], name="mkt_contact_status"),
            models.Index(fields=["tenant", "partner", "email"], name="mkt_contact_partner"),
        ]

    def __str__(self) -> str:
        return self.email


class ContactSuppression(TenantModel):
    """An address a partner may no longer e-mail (it unsubscribed, or bounced), whatever
    campaign it came with or comes with later."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=254)
    reason = models.CharField(max_length=12, choices=ContactStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "email"], name="mkt_suppression_unique"
            )
        ]


class SendStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SequenceSend(TenantModel):
    """Step `step` (1-based) of the campaign's sequence, claimed for one contact. The row is
    written before the message is handed to the e-mail backend; a failure marks it failed
    and the step is not tried again (at most once, never twice)."""

    campaign = models.ForeignKey(
        "marketing.Campaign", on_delete=models.CASCADE, related_name="sends"
    )
    contact = models.ForeignKey(CampaignContact, on_delete=models.CASCADE, related_name="sends")
    step = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=SendStatus.choices, default=SendStatus.SENT)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "contact", "step"], name="mkt_send_once_per_step"
            )
        ]
        indexes = [models.Index(fields=["tenant", "sent_at"], name="mkt_send_recent")]
