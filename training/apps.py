from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from prm import context_processors, events, roles
        from prm.roles import Role

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                "training.learn": partner_roles,
                "training.view": set(roles.PROGRAM_ROLES),
                "training.team": {Role.PARTNER_ADMIN},
                "training.monitor": staff,
                "training.manage": {Role.ADMIN},
                # Set a partner person's training role: training.team (their partner
                # admin, on the team page) plus training.monitor (staff, on readiness).
                "training.roles": staff | {Role.PARTNER_ADMIN},
            }
        )
        context_processors.register_nav_group("training", 40, _("Training"))
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("training", 10, _("My learning"), "training-my", "training.learn"),
                entry(
                    "training",
                    20,
                    _("Training readiness"),
                    "training-readiness",
                    "training.monitor",
                ),
                entry(
                    "training", 30, _("Course builder"), "training-admin-courses", "training.manage"
                ),
            ]
        )

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from training import services

        # Reactions to other apps (prm.events; run inside the emitting transaction).
        events.subscribe("partner.status_changed", services.on_partner_status_changed)
        events.subscribe("partner.profile_updated", services.on_partner_profile_updated)
        events.subscribe("member.joined", services.on_member_joined_or_changed)
        events.subscribe("member.changed", services.on_member_joined_or_changed)

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from prm import home
        from training import home as training_home

        home.register(
            order=30,
            key="training",
            capability="training.learn",
            template="training/home_partner.html",
            context=training_home.partner_home,
        )
        home.setup_item_register(
            order=40,
            key="courses",
            label=_("Publish a training course"),
            url_name="training-admin-courses",
            done=training_home.has_courses,
        )
        import training.confirmations  # noqa: F401  (registers its irreversible actions' texts)
        from training import search_providers  # ready(): the app registry is loaded by now

        search_providers.register()
