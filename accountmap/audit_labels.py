"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "account_intro.requested": _("Introduction requested"),
    "account_intro.closed": _("Introduction closed: the accounts no longer match"),
    "account_overlaps.exported": _("Account overlaps exported"),
    "account_sharing.rule_set": _("Sharing rule set"),
    "account_sharing.rule_removed": _("Sharing rule removed"),
}
