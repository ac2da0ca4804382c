"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "privacy.export_requested": _("Personal data export requested"),
    "privacy.person_erased": _("Person's data erased"),
    "tenant.export_requested": _("Tenant data export requested"),
    "tenant.export_failed": _("Tenant data export failed"),
    "tenant.export_ready": _("Tenant data export ready"),
    "tenant.export_downloaded": _("Tenant data export downloaded"),
    "tenant.export_expired": _("Tenant data export expired"),
    "tenant.deletion_requested": _("Tenant deletion requested"),
    "tenant.deletion_cancelled": _("Tenant deletion cancelled"),
    "tenant.deletion_started": _("Tenant deletion started"),
}
