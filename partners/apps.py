from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from partners.services import invitation_domain_check
        from prm import context_processors, roles
        from prm import services as core_services
        from prm.roles import Role

        if invitation_domain_check not in core_services.PARTNER_INVITATION_CHECKS:
            core_services.PARTNER_INVITATION_CHECKS.append(invitation_domain_check)

        import partners.importers  # noqa: F401  (registers the app's CSV importers)

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                "partners.view": staff,
                "partners.manage": staff,
                "company.view": partner_roles,
                "company.edit": {Role.PARTNER_ADMIN},
                "program.manage": {Role.ADMIN},
                "tiers.view": set(roles.ALL_ROLES),
            }
        )
        context_processors.NAV.extend(
            [
                (10, _("Partners"), "partner-list", "partners.view"),
                (11, _("My company"), "company", "company.view"),
                (12, _("My tier"), "my-tier", "company.view"),
                (70, _("Program"), "program-tiers", "program.manage"),
            ]
        )

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from partners import search_providers

        search_providers.register()
