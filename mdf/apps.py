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
                "mdf.view": set(roles.ALL_ROLES),
                # Staff: review queues, decisions, approval history, ROI.
                "mdf.review": {Role.ADMIN, Role.CHANNEL_MANAGER},
                # Admins: programs, allocations, exchange rates, the ledger, payments and
                # second approvals.
                "mdf.admin": {Role.ADMIN},
            }
        )
        context_processors.NAV.extend(
            [
                (40, _("Marketing funds"), "mdf-home", "mdf.use"),
                (41, _("MDF review"), "mdf-review-requests", "mdf.review"),
                (72, _("MDF programs"), "mdf-program-list", "mdf.admin"),
            ]
        )
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from mdf.services import open_items

        partner_services.OPEN_ITEM_PROVIDERS.append(open_items)

        import mdf.importers  # noqa: F401  (registers the app's CSV importers)
