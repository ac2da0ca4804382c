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
                "deals.view": staff | partner_roles,
                "deals.register": partner_roles,
                "deals.review": staff,
                "rules.view": staff | partner_roles,
                "rules.manage": {Role.ADMIN},
                "named_accounts.manage": {Role.ADMIN},
                "leads.manage": staff,
                "leads.respond": partner_roles,
            }
        )
        context_processors.NAV.extend(
            [
                (20, _("Deals"), "deal-list", "deals.view"),
                (21, _("Review queue"), "deal-review", "deals.review"),
                (22, _("Leads"), "lead-list", "leads.manage"),
                (22, _("Lead inbox"), "lead-inbox", "leads.respond"),
                (23, _("Influence"), "influence-list", "deals.view"),
                (23, _("Direct deals"), "direct-deal-list", "deals.view"),
                (23, _("Rules"), "rules", "rules.view"),
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

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from dealreg.selectors import deals_visible_to
        from prm.notifications import link_check_register

        link_check_register(
            "dealreg.deal", lambda member, pk: deals_visible_to(member).filter(pk=pk).exists()
        )

        import dealreg.importers  # noqa: F401  (registers the app's CSV importers)
