from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountmapConfig(AppConfig):
    name = "accountmap"
    verbose_name = "Account mapping"

    def ready(self) -> None:
        self._ready_sharing()

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
                "account_overlaps.view_all": staff,
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
