from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from analytics import subscribers
        from prm import context_processors, events, roles
        from prm.roles import Role

        # Reactions to other apps (prm.events; run inside the emitting transaction).
        events.subscribe("rules.published", subscribers.on_rules_published)
        # Fresh rollups after each change to a partner's figures.
        for event_type in subscribers.DEAL_EVENTS:
            events.subscribe(event_type, subscribers.on_deal_changed)
        events.subscribe("direct_deal.won", subscribers.on_direct_deal_changed)
        events.subscribe("direct_deal.lost", subscribers.on_direct_deal_changed)
        events.subscribe(
            "direct_deal.influencers_changed", subscribers.on_direct_influencers_changed
        )
        events.subscribe("mdf.claim.paid", subscribers.on_claim_paid)
        events.subscribe("partner.tier_changed", subscribers.on_partner_changed)
        events.subscribe("partner.status_changed", subscribers.on_partner_changed)
        events.subscribe("partner.tiers_evaluated", subscribers.on_tiers_evaluated)
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from analytics import plan_metrics

        # The figures joint business plans' goals may aim at that only analytics computes.
        plan_metrics.register()

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                # A partner member sees its own company's figures and anonymised benchmarks.
                "analytics.own": partner_roles,
                "analytics.partners": staff,
                "analytics.program": {Role.ADMIN},
                # Business reviews: scoped further to own partner / managed partners.
                "analytics.reviews": set(roles.PROGRAM_ROLES),
            }
        )
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from analytics.digest import digest_sections
        from prm.notifications import digest_section_register

        digest_section_register(30, digest_sections)

        context_processors.register_nav_group("analytics", 50, _("Analytics"))
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("analytics", 10, _("Performance"), "analytics-mine", "analytics.own"),
                entry(
                    "analytics", 20, _("Partner health"), "analytics-manager", "analytics.partners"
                ),
                entry(
                    "analytics",
                    30,
                    _("Program analytics"),
                    "analytics-program",
                    "analytics.program",
                ),
                entry(
                    "analytics", 40, _("Business reviews"), "analytics-reviews", "analytics.reviews"
                ),
            ]
        )

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from analytics import home as analytics_home
        from prm import home

        home.register(
            order=6,
            key="program",
            capability="analytics.program",
            template="analytics/home/program.html",
            context=analytics_home.program_home,
        )
        home.register(
            order=20,
            key="partner-health",
            capability="analytics.partners",
            template="analytics/home/manager.html",
            context=analytics_home.manager_home,
        )
