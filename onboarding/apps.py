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
                "onboarding.view": set(roles.ALL_ROLES),
                "agreements.view": set(roles.ALL_ROLES),
                "agreements.view_all": staff,
                "agreements.accept": {Role.PARTNER_ADMIN},
            }
        )
        context_processors.NAV.extend(
            [
                (13, _("Getting started"), "my-onboarding", "onboarding.own"),
                (14, _("Agreement"), "my-agreement", "onboarding.own"),
                (20, _("Applications"), "application-list", "applications.review"),
                (21, _("Onboarding"), "onboarding-board", "onboarding.monitor"),
                (72, _("Onboarding setup"), "onboarding-settings", "onboarding.manage"),
                (73, _("Agreements"), "agreement-list", "agreements.view_all"),
            ]
        )

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from onboarding import services

        # Reactions to other apps (prm.events; run inside the emitting transaction).
        events.subscribe("partner.status_changed", services.on_partner_status_changed)
        events.subscribe("partner.profile_updated", services.on_partner_profile_updated)
        events.subscribe("partner.first_deal_recorded", services.on_first_deal_recorded)
        events.subscribe("course.completed", services.on_course_completed)

        import onboarding.confirmations  # noqa: F401  (registers its irreversible actions' texts)
