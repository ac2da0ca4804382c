from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantdataConfig(AppConfig):
    name = "tenantdata"
    verbose_name = "Tenant data"

    def ready(self) -> None:
        """Capabilities, menu entries and the hourly sweep of whole-tenant data and personal
        data. The core knows nothing of this app; it only offers the registries."""
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from celery.schedules import crontab

        from prm import context_processors, roles
        from prm.celery import app as celery_app
        from prm.roles import ALL_ROLES, Role

        roles.register(
            {
                "tenant_data.manage": frozenset({Role.ADMIN}),
                "privacy.export_own": ALL_ROLES,
                "privacy.erase": frozenset({Role.ADMIN}),
            }
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("workspace", 40, _("Tenant data"), "tenant-data", "tenant_data.manage"),
                entry("account", 40, _("Your data"), "privacy", "privacy.export_own"),
            ]
        )
        context_processors.PAGE_BANNERS.append("tenant_data/_deletion_banner.html")
        context_processors.MEMBER_PAGE_SECTIONS.append("privacy/_member_section.html")
        celery_app.conf.beat_schedule["tenant-data-sweep"] = {
            # Expired tenant-export files, and tenant deletions whose cooling-off has passed.
            "task": "prm.tenant_data.sweep_all",
            "schedule": crontab(minute=41),
        }
