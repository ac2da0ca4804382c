"""Acting on a shared overlap: a partner's request for an introduction to the vendor's
account owner (accountmap.states_sharing.INTRO_REQUEST)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class IntroStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class IntroRequest(TenantModel):
    """A partner asks to be introduced to the owner of a vendor account it overlaps with.
    Only made from an overlap the vendor shares at `overlaps` or more (accountmap.sharing)."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="account_intro_requests"
    )
    overlap = models.ForeignKey(
        "accountmap.Overlap",
        on_delete=models.CASCADE,
        related_name="intro_requests",
        # checked by the composite (tenant_id, overlap_id) key alone
        # (prm.distribution.COMPOSITE_ONLY): a full run may delete a million overlaps
        db_constraint=False,
    )
    requested_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=IntroStatus.choices, default=IntroStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "overlap"],
                condition=models.Q(status="requested"),
                name="introrequest_one_open_per_overlap",
            ),
        ]

    def __str__(self) -> str:
        return f"INTRO-{self.pk}"
