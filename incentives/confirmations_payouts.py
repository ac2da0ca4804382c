"""What the irreversible payout actions do, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from incentives.models_payouts import PayoutBatch
from prm.confirm import Confirmation, register


@register("incentives-batch-paid")
def batch_paid(batch: PayoutBatch) -> Confirmation:
    return Confirmation(
        title=_("Mark payout batch %(n)s paid (%(c)s %(a)s)?")
        % {"n": batch.number, "c": batch.currency, "a": batch.total},
        consequence=_(
            "Every earning in the batch becomes paid, the partners are told and receive their "
            "remittance advice. Do this once the bank has made the transfers; it cannot be undone."
        ),
        button=_("Mark paid"),
        confirm=_("Mark batch paid"),
        back_url=reverse("incentives-batch-detail", args=[batch.pk]),
        reason="required",
        reason_label=_("Payment reference"),
        reason_max=100,
        reason_missing=_("Enter the payment reference."),
        danger=False,
    )


@register("incentives-batch-cancel")
def batch_cancel(batch: PayoutBatch) -> Confirmation:
    return Confirmation(
        title=_("Cancel payout batch %(n)s?") % {"n": batch.number},
        consequence=_(
            "Nothing in the batch is paid; its earnings stay approved and go into the next "
            "batch. A cancelled batch cannot be reopened."
        ),
        button=_("Cancel batch"),
        confirm=_("Cancel batch"),
        back_url=reverse("incentives-batch-detail", args=[batch.pk]),
        reason="required",
        reason_label=_("Reason"),
        reason_max=500,
        reason_missing=_("Give the reason for cancelling."),
    )
