from django.apps import AppConfig


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = "PRM core"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from django.db.models.signals import post_delete, post_migrate, post_save

        import prm.confirmations  # noqa: F401  (registers its irreversible actions' texts)
        from prm import distribution, events, labels, rls, signals  # noqa: F401  (receivers)

        post_migrate.connect(rls.apply_after_migrate, sender=self)
        # Composite tenant keys for distribution by tenant (Citus): see prm/distribution.py.
        post_migrate.connect(distribution.ensure_after_migrate, sender=self)
        events.ready()
        labels.ready()

        # A tenant or one of its domains changed: requests look the host up afresh.
        from prm.models import Tenant, TenantHost
        from prm.tenancy import forget_tenant_hosts

        for model in (Tenant, TenantHost):
            for signal in (post_save, post_delete):
                signal.connect(forget_tenant_hosts, sender=model, dispatch_uid=f"hosts-{model}")

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from prm import search_providers

        search_providers.register()
