from django.apps import AppConfig


class LocatorConfig(AppConfig):
    name = "locator"
    verbose_name = "Partner locator"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from locator import registry

        registry.register_all()
