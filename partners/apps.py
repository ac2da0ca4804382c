from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from partners.models import PartnerStatus, PartnerType, Region
        from partners.services import invitation_domain_check
        from prm import context_processors, labels, roles
        from prm import services as core_services
        from prm.roles import Role

        if invitation_domain_check not in core_services.PARTNER_INVITATION_CHECKS:
            core_services.PARTNER_INVITATION_CHECKS.append(invitation_domain_check)

        import partners.importers  # noqa: F401  (registers the app's CSV importers)

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                # Sales reps read the directory to co-sell with partners; they manage none.
                "partners.view": staff | {Role.SALES_REP},
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
        # Labels for codes shown without their model (report rows, the audit trail).
        labels.register_choices("partner_type", PartnerType)
        labels.register_choices("region", Region)
        labels.register_choices("partner_status", PartnerStatus)
        labels.register(
            labels.ACTION,
            {
                "tier.created": _("Tier created"),
                "tier.updated": _("Tier updated"),
                "tier.deleted": _("Tier deleted"),
                "partner.updated": _("Partner updated"),
                "partner.members_deactivated": _("Partner's members deactivated"),
                "tiers.evaluation_requested": _("Tier evaluation requested"),
            },
        )

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from partners import home as partner_home
        from prm import home

        home.register(
            order=20,
            key="tier",
            capability="company.view",
            template="partners/home/partner.html",
            context=partner_home.partner_home,
        )
        home.register(
            order=30,
            key="approvals",
            capability="program.manage",
            template="partners/home/approvals.html",
            context=partner_home.approvals_home,
        )
        home.setup_item_register(
            order=10,
            key="tiers",
            label=_("Define your partner tiers"),
            url_name="program-tiers",
            done=partner_home.has_tiers,
        )

        import partners.confirmations  # noqa: F401  (registers its irreversible actions' texts)

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from partners import search_providers  # ready(): the app registry is loaded by now

        search_providers.register()
