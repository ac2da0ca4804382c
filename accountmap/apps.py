from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountmapConfig(AppConfig):
    name = "accountmap"
    verbose_name = "Account mapping"

    def ready(self) -> None:
        # --- data ---
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from celery.schedules import crontab

        from accountmap import services
        from accountmap.models import AccountStatus
        from prm import context_processors, events, labels, roles
        from prm.celery import app as celery_app
        from prm.roles import Role

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                # The vendor's own accounts: staff read them, admins write them (a customer or
                # open opportunity is a named account, which decides deal conflicts).
                "vendor_accounts.view": staff,
                "vendor_accounts.manage": {Role.ADMIN},
                # A partner's own accounts: its people read and write them.
                "partner_accounts.manage": partner_roles,
                # The raw list of every overlap (partners see overlaps through the sharing
                # matrix only).
                "account_overlaps.view_all": staff,
            }
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("deals", 45, _("Accounts"), "account-list", "vendor_accounts.view"),
                entry("deals", 45, _("Accounts"), "account-list", "partner_accounts.manage"),
            ]
        )
        labels.register(
            labels.ACTION,
            {
                "account.created": _("Account added"),
                "account.updated": _("Account updated"),
                "account.deleted": _("Account removed"),
                "population.created": _("Population added"),
                "population.updated": _("Population updated"),
                "population.deleted": _("Population deleted"),
                "account_overlaps.computed": _("Account overlaps computed"),
            },
        )
        labels.register_choices("account_status", AccountStatus)
        for event_type in (
            "deal.submitted",
            "deal.approved",
            "deal.rejected",
            "deal.won",
            "deal.lost",
        ):
            events.subscribe(event_type, services.account_from_deal)
        celery_app.conf.beat_schedule["accountmap-overlaps-nightly"] = {
            "task": "accountmap.overlaps_full_all",
            "schedule": crontab(minute=17, hour=2),
        }
        import accountmap.confirmations_data  # noqa: F401  (its irreversible actions' texts)
        import accountmap.importers  # noqa: F401  (registers the app's CSV importers)
        import accountmap.tasks  # noqa: F401  (the worker finds the tasks)
        from accountmap import search_providers_data  # ready(): the app registry is loaded

        search_providers_data.register()
        # --- end data ---
