"""Labels of the audit actions this app writes (prm.labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "import.started": _("Import started"),
    "import.finished": _("Import finished"),
}
