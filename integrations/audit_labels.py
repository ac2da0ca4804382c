"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "webhook.created": _("Webhook created"),
    "webhook.updated": _("Webhook updated"),
    "webhook.enabled": _("Webhook enabled"),
    "webhook.secret_rotated": _("Webhook signing secret replaced"),
    "webhook.redelivery_requested": _("Webhook redelivery requested"),
}
