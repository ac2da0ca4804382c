from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealregConfig(AppConfig):
    name = "dealreg"
    verbose_name = "Deal registration"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from prm import context_processors, roles
        from prm.roles import Role

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                # Sales reps read deals to co-sell; they register, review and decide none.
                "deals.view": staff | partner_roles | {Role.SALES_REP},
                "deals.register": partner_roles,
                "deals.review": staff,
                "rules.view": staff | partner_roles | {Role.SALES_REP},
                "rules.manage": {Role.ADMIN},
                "named_accounts.manage": {Role.ADMIN},
                "leads.manage": staff,
                "leads.respond": partner_roles,
            }
        )
        context_processors.register_nav_group("deals", 20, _("Deals"))
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("deals", 10, _("Deal registrations"), "deal-list", "deals.view"),
                entry("deals", 20, _("Review queue"), "deal-review", "deals.review"),
                entry("deals", 30, _("Leads"), "lead-list", "leads.manage"),
                entry("deals", 30, _("Lead inbox"), "lead-inbox", "leads.respond"),
                entry("deals", 40, _("Influence"), "influence-list", "deals.view"),
                entry("deals", 50, _("Direct deals"), "direct-deal-list", "deals.view"),
                entry("deals", 60, _("Rules"), "rules", "rules.view"),
            ]
        )
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from dealreg.selectors import open_items_for_partner
        from partners import services as partner_services

        partner_services.OPEN_ITEM_PROVIDERS.append(open_items_for_partner)

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from dealreg.digest import digest_sections
        from prm.notifications import digest_section_register

        digest_section_register(10, digest_sections)

        import dealreg.confirmations  # noqa: F401  (registers its irreversible actions' texts)
        from dealreg.selectors import deals_visible_to  # ready(): the app registry is loaded
        from prm.notifications import link_check_register  # ready(): the registry is loaded

        link_check_register(
            "dealreg.deal", lambda member, pk: deals_visible_to(member).filter(pk=pk).exists()
        )

        import dealreg.importers  # noqa: F401  (registers the app's CSV importers)

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from dealreg.home import has_own_rules, partner_home, staff_home  # app registry loaded
        from prm import home  # ready(): the app registry is loaded by now

        home.register(
            order=10,
            key="deals-partner",
            capability="deals.register",
            template="dealreg/home/partner.html",
            context=partner_home,
        )
        home.register(
            order=10,
            key="deals-review",
            capability="deals.review",
            template="dealreg/home/staff.html",
            context=staff_home,
        )
        home.setup_item_register(
            order=20,
            key="rules",
            label=_("Publish your rules of engagement"),
            url_name="rules",
            done=has_own_rules,
        )
        from dealreg import search_providers  # ready(): the app registry is loaded by now

        search_providers.register()
