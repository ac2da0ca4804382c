from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        """Webhooks: the capability, the menu entry, and the outbox relay's kick after each
        commit that wrote outbox rows. The relay's tasks are found by Celery's autodiscovery
        (integrations/tasks.py); its beat entry is in prm/celery.py, by task name."""
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        import integrations.confirmations  # noqa: F401  (registers its irreversible actions' texts)
        from integrations import services, tasks  # noqa: F401 (registers the relay's tasks)
        from prm import context_processors, events, roles
        from prm.roles import Role

        roles.register({"webhooks.manage": {Role.ADMIN}})
        context_processors.NAV.append(
            context_processors.NavEntry(
                "workspace", 50, _("Webhooks"), "webhook-list", "webhooks.manage"
            )
        )
        events.on_outbox_commit(services.relay_soon)
