from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from community import digest as community_digest
        from community import home as community_home
        from community import search_providers, selectors
        from community.models import (
            AnnouncementKind,
            AnnouncementStatus,
            EventKind,
            EventStatus,
            RegistrationStatus,
            RoadmapStatus,
        )
        from prm import context_processors, home, labels, roles
        from prm.celery import app as celery_app
        from prm.notifications import digest_section_register, link_check_register
        from prm.roles import PARTNER_ROLES, PROGRAM_ROLES, STAFF_ROLES, Role

        roles.register(
            {
                # The program's people read announcements, questions and events (partner
                # people: what is meant for them, never a hidden question).
                "community.view": set(PROGRAM_ROLES),
                # Asking, answering, voting and following.
                "community.participate": set(PROGRAM_ROLES),
                # Partner people's menu entries (under "My program") and registering.
                "community.own": set(PARTNER_ROLES),
                "community.register": set(PARTNER_ROLES),
                # Admins post announcements and roadmap items.
                "community.announce": {Role.ADMIN},
                # Staff moderate the community and run events.
                "community.moderate": set(STAFF_ROLES),
                "community.events_manage": set(STAFF_ROLES),
            }
        )
        link_check_register(
            "community.announcement",
            lambda m, pk: selectors.announcements_visible_to(m).filter(pk=pk).exists(),
        )
        link_check_register(
            "community.question",
            lambda m, pk: selectors.questions_visible_to(m).filter(pk=pk).exists(),
        )
        link_check_register(
            "community.event", lambda m, pk: selectors.events_visible_to(m).filter(pk=pk).exists()
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("partners", 80, _("Community"), "question-list", "community.moderate"),
                entry(
                    "partners", 81, _("Announcements"), "announcement-list", "community.moderate"
                ),
                entry("partners", 82, _("Events"), "event-list", "community.events_manage"),
                entry("program", 60, _("Community"), "question-list", "community.own"),
                entry("program", 61, _("Announcements"), "announcement-list", "community.own"),
                entry("program", 62, _("Events"), "event-list", "community.own"),
            ]
        )
        labels.register_choices("announcement_kind", AnnouncementKind)
        labels.register_choices("announcement_status", AnnouncementStatus)
        labels.register_choices("roadmap_status", RoadmapStatus)
        labels.register_choices("event_kind", EventKind)
        labels.register_choices("event_status", EventStatus)
        labels.register_choices("registration_status", RegistrationStatus)
        home.register(
            order=5,
            key="community",
            capability="community.own",
            template="community/home/community.html",
            context=community_home.community_home,
        )
        celery_app.conf.beat_schedule["community-publish-due"] = {
            # Publish scheduled announcements (and tell their audience) when their time comes.
            "task": "community.publish_due_all",
            "schedule": 300.0,
        }
        search_providers.register()
        digest_section_register(50, community_digest.digest_sections, audience="partner")

        import community.confirmations  # noqa: F401  (registers its irreversible actions' texts)
