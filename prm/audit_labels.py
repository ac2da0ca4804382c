"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "tenant.host_added": _("Custom domain added"),
    "tenant.host_removed": _("Custom domain removed"),
    "tenant.host_canonical_set": _("Main domain set"),
    "audit.exported": _("Audit trail exported"),
    "notifications.preferences_set": _("Notification preferences changed"),
    "notifications.unsubscribed": _("Unsubscribed from e-mails"),
}
