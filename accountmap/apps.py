from django.apps import AppConfig


class AccountmapConfig(AppConfig):
    name = "accountmap"
    verbose_name = "Account mapping"

    def ready(self) -> None:
        # --- people ---
        self._ready_people()
        # --- end people ---

    def _ready_people(self) -> None:
        """People mapping: capabilities, menu entries, the home card, the overlap subscriber
        and its task, labels, confirmations."""
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from django.utils.translation import gettext_lazy as _

        from accountmap import home_people, people_notify
        from accountmap.models import AccountStatus
        from prm import context_processors, events, home, labels, roles
        from prm.roles import Role

        roles.register(
            {
                # The accounts a member sells (owned or in their territories): vendor people.
                "accounts.mine": roles.VENDOR_ROLES,
                # Territories and account owners of one's side: the tenant's admins for the
                # vendor's, a partner admin for its company's (accountmap.people).
                "territories.manage": {Role.ADMIN, Role.PARTNER_ADMIN},
            }
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("deals", 5, _("My accounts"), "my-accounts", "accounts.mine"),
                entry("deals", 70, _("Territories"), "territory-list", "territories.manage"),
            ]
        )
        home.register(
            order=9,
            key="my-accounts",
            capability="accounts.mine",
            template="accountmap/people/home.html",
            context=home_people.my_accounts_home,
        )
        events.subscribe("accountmap.overlaps_found", people_notify.on_overlaps_found)
        labels.register_choices("account_status", AccountStatus)
        labels.register(
            labels.ACTION,
            {
                "territory.created": _("Territory created"),
                "territory.updated": _("Territory changed"),
                "territory.deleted": _("Territory deleted"),
                "territory.rep_added": _("Rep assigned to a territory"),
                "territory.rep_removed": _("Rep taken off a territory"),
                "account.owner_assigned": _("Account owner assigned"),
            },
        )
        import accountmap.confirmations_people  # noqa: F401  (registers its confirmations)
        import accountmap.tasks_people  # noqa: F401  (registers the task with the worker)
