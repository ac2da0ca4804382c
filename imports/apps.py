from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        """Menu entry of the imports page. Staff only; the page itself lists just the
        importers the member's role may use."""
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from prm import context_processors, roles
        from prm.roles import STAFF_ROLES

        roles.register({"imports.use": STAFF_ROLES})
        context_processors.NAV.append(
            context_processors.NavEntry("workspace", 60, _("Imports"), "import-list", "imports.use")
        )
