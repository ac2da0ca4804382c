from django.apps import AppConfig


class AccountmapConfig(AppConfig):
    name = "accountmap"
    verbose_name = "Account mapping"
