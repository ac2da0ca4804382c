from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo tenant (`manage.py seed_demo`): it sits above every app, because it seeds
    each of them (each app's own part lives in <app>/seed.py)."""

    name = "demo"
    verbose_name = "Demo"
