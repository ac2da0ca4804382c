"""What each irreversible webhook action does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from integrations.models import WebhookEndpoint
from prm.confirm import Confirmation, register


@register("webhook-disable")
def webhook_disable(endpoint: WebhookEndpoint) -> Confirmation:
    return Confirmation(
        title=_("Disable the webhook to %(url)s?") % {"url": endpoint.url},
        consequence=_(
            "Nothing is sent to this address until it is enabled again; deliveries wait."
        ),
        button=_("Disable"),
        confirm=_("Disable webhook"),
        back_url=reverse("webhook-detail", args=[endpoint.pk]),
        reason="optional",
        reason_label=_("Why (shown on the endpoint)"),
        reason_max=300,
        small=True,
    )


@register("webhook-rotate-secret")
def webhook_rotate_secret(endpoint: WebhookEndpoint) -> Confirmation:
    return Confirmation(
        title=_("Replace the signing secret of %(url)s?") % {"url": endpoint.url},
        consequence=_(
            "The current secret stops working at once: deliveries are signed with the new one, "
            "and a receiver still checking the old secret rejects them until you update it."
        ),
        button=_("Create a new secret"),
        confirm=_("Replace secret"),
        back_url=reverse("webhook-detail", args=[endpoint.pk]),
        small=True,
    )
