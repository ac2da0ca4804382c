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
        context_processors.register_nav_group("partners", 10, _("Partners"))
        context_processors.register_nav_group("program", 70, _("My program"))
        context_processors.register_nav_group("company", 80, _("Company"))
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("partners", 10, _("Partner directory"), "partner-list", "partners.view"),
                entry("partners", 60, _("Tiers and benefits"), "program-tiers", "program.manage"),
                entry("program", 10, _("My tier"), "my-tier", "company.view"),
                entry("company", 10, _("Company profile"), "company", "company.view"),
                # The partner admin's colleagues (staff find members under Workspace).
                entry("company", 20, _("Members"), "members", "partner_members.manage"),
            ]
        )
