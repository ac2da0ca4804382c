from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountmapConfig(AppConfig):
    name = "accountmap"
    verbose_name = "Account mapping"

    def ready(self) -> None:
        self._ready_data()
        self._ready_sharing()
        self._ready_people()

    def _ready_data(self) -> None:
        """Accounts, populations, imports and the overlap computation."""
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

    # --- sharing ---
    def _ready_sharing(self) -> None:
        """The sharing matrix, the overlap pages and acting on overlaps."""
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from accountmap import search_providers_sharing
        from accountmap.models import AccountStatus, Level
        from accountmap.views_sharing import intro_visible
        from accountmap.visibility import FIELD_LABELS
        from prm import context_processors, labels, roles
        from prm.notifications import link_check_register
        from prm.roles import Role

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                # Both sides see what they share and what is shared with them.
                "account_sharing.view": staff | partner_roles,
                "account_sharing.view_all": staff,
                "account_sharing.manage_vendor": {Role.ADMIN},
                "account_sharing.manage_partner": {Role.PARTNER_ADMIN},
                "account_overlaps.view": staff | partner_roles,
                "account_intros.request": partner_roles,
                "account_intros.decide": staff,
            }
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry(
                    "deals", 70, _("Account overlaps"), "account-overlaps", "account_overlaps.view"
                ),
                entry("deals", 71, _("Account sharing"), "account-sharing", "account_sharing.view"),
                entry("deals", 72, _("Introductions"), "account-intros", "account_overlaps.view"),
            ]
        )
        link_check_register("accountmap.introrequest", intro_visible)
        labels.register_choices("sharing_level", Level)
        labels.register_choices("account_status", AccountStatus)
        labels.register("sharing_field", FIELD_LABELS)
        search_providers_sharing.register()

    # --- end sharing ---

    # --- people ---
    def _ready_people(self) -> None:
        """People mapping: capabilities, menu entries, the home card, the overlap subscriber
        and its task, labels, confirmations."""
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from django.utils.translation import gettext_lazy as _

        from accountmap import home_people, people, people_notify
        from prm import context_processors, events, home, labels, roles, selling
        from prm.roles import Role

        roles.register(
            {
                # The accounts a member sells (owned or in their territories): vendor people
                # and a partner's people (their company's accounts).
                "accounts.mine": roles.ALL_ROLES,
                # Which partners know one of our accounts (within what each shares): staff for
                # every vendor account, a sales rep for the accounts they sell
                # (accountmap.visibility.accounts_known_visible_to).
                "accounts.known_by": roles.VENDOR_ROLES,
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
        # Lets cosell open a deal's workspace to the rep who sells its customer.
        selling.register(people.deals_sold_by)
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

    # --- end people ---
