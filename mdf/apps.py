from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MdfConfig(AppConfig):
    name = "mdf"
    verbose_name = "Market development funds"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from mdf import selectors
        from partners import questions
        from partners import services as partner_services
        from prm import context_processors, roles
        from prm.roles import Role

        questions.answer("partner.campaign_code_usable", selectors.campaign_code_usable)
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from prm.notifications import link_check_register

        link_check_register(
            "mdf.fundrequest",
            lambda member, pk: selectors.requests_visible_to(member).filter(pk=pk).exists(),
        )
        link_check_register(
            "mdf.claim",
            lambda member, pk: selectors.claims_visible_to(member).filter(pk=pk).exists(),
        )
        roles.register(
            {
                # Partner people: balances, requests, claims, their documents.
                "mdf.use": {Role.PARTNER_ADMIN, Role.PARTNER_USER},
                # Shared pages (a request, a claim, a document): every role, each object
                # filtered to what the member may see (others answer 404).
                "mdf.view": set(roles.PROGRAM_ROLES),
                # Staff: review queues, decisions, approval history, ROI.
                "mdf.review": {Role.ADMIN, Role.CHANNEL_MANAGER},
                # Admins: programs, allocations, exchange rates, the ledger, payments and
                # second approvals.
                "mdf.admin": {Role.ADMIN},
            }
        )
        context_processors.register_nav_group("funds", 30, _("Marketing funds"))
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("funds", 10, _("Requests and claims"), "mdf-home", "mdf.use"),
                entry("funds", 20, _("MDF review"), "mdf-review-requests", "mdf.review"),
                entry("funds", 30, _("MDF programs"), "mdf-program-list", "mdf.admin"),
            ]
        )
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from mdf.services import open_items

        partner_services.OPEN_ITEM_PROVIDERS.append(open_items)

        import mdf.confirmations  # noqa: F401  (registers its irreversible actions' texts)
        import mdf.importers  # noqa: F401  (registers the app's CSV importers)

        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from mdf import home as mdf_home  # ready(): the app registry is loaded by now
        from prm import home  # ready(): the app registry is loaded by now

        home.register(
            order=40,
            key="mdf-partner",
            capability="mdf.use",
            template="mdf/home/partner.html",
            context=mdf_home.partner_home,
        )
        home.register(
            order=40,
            key="mdf-review",
            capability="mdf.review",
            template="mdf/home/staff.html",
            context=mdf_home.staff_home,
        )
        home.setup_item_register(
            order=50,
            key="mdf",
            label=_("Create a marketing fund (MDF) program"),
            url_name="mdf-program-list",
            done=mdf_home.has_program,
        )
        from mdf import search_providers  # ready(): the app registry is loaded by now

        search_providers.register()
