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
