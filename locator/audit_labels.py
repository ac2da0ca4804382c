"""Labels of the locator's audit actions (found by name, see prm/labels.py)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "locator.settings_changed": _("Partner locator settings changed"),
    "locator.profile_updated": _("Public profile changed"),
    "locator.profile_publish": _("Public profile published"),
    "locator.profile_unpublish": _("Public profile withdrawn"),
    "locator.profile_hide": _("Public profile taken down"),
    "locator.profile_restore": _("Public profile allowed again"),
    "locator.contact_received": _("Contact request from the locator"),
    "locator.referral_invited": _("Company referred to the program"),
    "locator.referral_applied": _("Referred company applied"),
    "locator.referral_activated": _("Referred partner became active"),
}
