from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from onboarding import selectors
        from partners import questions
        from prm import context_processors, events, roles
        from prm.roles import Role

        questions.answer("partner.agreement_current", selectors.has_current_agreement)
        questions.answer("partner.may_register_deals", selectors.deal_registration_allowed)
        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                "applications.review": staff,
                "onboarding.manage": {Role.ADMIN},
                "onboarding.monitor": staff,
                "onboarding.own": partner_roles,
                "onboarding.view": set(roles.PROGRAM_ROLES),
                "agreements.view": set(roles.PROGRAM_ROLES),
                "agreements.view_all": staff,
                "agreements.accept": {Role.PARTNER_ADMIN},
            }
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("program", 20, _("Getting started"), "my-onboarding", "onboarding.own"),
                entry("program", 30, _("Agreement"), "my-agreement", "onboarding.own"),
                entry("partners", 20, _("Applications"), "application-list", "applications.review"),
                entry("partners", 30, _("Onboarding"), "onboarding-board", "onboarding.monitor"),
                entry("partners", 40, _("Agreements"), "agreement-list", "agreements.view_all"),
                entry(
                    "partners",
                    70,
                    _("Onboarding setup"),
                    "onboarding-settings",
                    "onboarding.manage",
                ),
            ]
        )

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from onboarding import services

        # Reactions to other apps (prm.events; run inside the emitting transaction).
        events.subscribe("partner.status_changed", services.on_partner_status_changed)
        events.subscribe("partner.profile_updated", services.on_partner_profile_updated)
        events.subscribe("partner.first_deal_recorded", services.on_first_deal_recorded)
        events.subscribe("course.completed", services.on_course_completed)

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from onboarding import home as onboarding_home
        from prm import home

        home.register(
            order=8,
            key="onboarding",
            capability="onboarding.own",
            template="onboarding/home/partner.html",
            context=onboarding_home.partner_home,
        )
        home.register(
            order=35,
            key="new-partners",
            capability="onboarding.monitor",
            template="onboarding/home/staff.html",
            context=onboarding_home.staff_home,
        )
        home.setup_item_register(
            order=30,
            key="agreement",
            label=_("Publish your partner agreement"),
            url_name="agreement-list",
            done=onboarding_home.has_agreement,
        )
        import onboarding.confirmations  # noqa: F401  (registers its irreversible actions' texts)
