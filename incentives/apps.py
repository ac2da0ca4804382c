from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = "Incentives"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from celery.schedules import crontab

        from incentives import payouts_ready, selectors, subscribers
        from incentives.models import EarningKind, EarningStatus, ProgramKind
        from incentives.views import deal_projection_panel
        from prm import context_processors, labels, panels, roles
        from prm.celery import app as celery_app
        from prm.notifications import link_check_register
        from prm.roles import Role

        roles.register(
            {
                # Partner people: their company's earnings, projections, disputes.
                "incentives.earn": {Role.PARTNER_ADMIN, Role.PARTNER_USER},
                # An earning line's page: every role, each line filtered to what the member
                # may see (others answer 404).
                "incentives.view": set(roles.PROGRAM_ROLES),
                # Staff: the approval queue, approvals, disputes.
                "incentives.review": {Role.ADMIN, Role.CHANNEL_MANAGER},
                # Admins: programs and versions, adjustments.
                "incentives.admin": {Role.ADMIN},
            }
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry("program", 30, _("Earnings"), "incentives-earnings", "incentives.earn"),
                entry("partners", 70, _("Incentives"), "incentives-queue", "incentives.review"),
            ]
        )
        subscribers.register()
        link_check_register(
            "incentives.earning",
            lambda member, pk: selectors.earnings_visible_to(member).filter(pk=pk).exists(),
        )
        labels.register_choices("earning_kind", EarningKind)
        labels.register_choices("earning_status", EarningStatus)
        labels.register_choices("incentive_program_kind", ProgramKind)
        labels.register(
            labels.ACTION,
            {
                "incentive_program.created": _("Incentive program created"),
                "incentive_program.updated": _("Incentive program changed"),
                "incentive_version.saved": _("Incentive program draft saved"),
                "incentive_version.published": _("Incentive program version published"),
                "earning.created": _("Earning recorded"),
                "earning.released": _("Earning released after the clawback window"),
                "earning.approved": _("Earning approved"),
                "earning.paid": _("Earning paid"),
                "earning.reversed": _("Earning reversed"),
                "earning.clawed_back": _("Earning clawed back"),
                "earning.disputed": _("Earning disputed"),
                "dispute.answered": _("Dispute answered"),
            },
        )
        # The deal page shows what an open registration would earn (dealreg names no app).
        panels.register(
            "dealreg.deal",
            order=50,
            key="incentives-projection",
            template="incentives/_deal_projection.html",
            context=deal_projection_panel,
        )
        payouts_ready.register()  # statements and payouts (incentives/payouts_ready.py)
        # --- incent2: home cards and global search (issue #20) ---
        from incentives import home as incentives_home
        from incentives import search_providers
        from prm import home

        home.register(
            order=40,
            key="incentives-partner",
            capability="incentives.earn",
            template="incentives/home/partner.html",
            context=incentives_home.partner_home,
            roles={Role.PARTNER_ADMIN},
        )
        home.register(
            order=40,
            key="incentives-review",
            capability="incentives.review",
            template="incentives/home/staff.html",
            context=incentives_home.staff_home,
        )
        search_providers.register()
        labels.register(
            labels.ACTION,
            {"incentive_program.recomputed": _("Incentive program earnings recomputed")},
        )
        # --- end incent2 ---
        celery_app.conf.beat_schedule["incentives-release"] = {
            # Held earnings whose clawback window passed become pending approval.
            "task": "incentives.release_all",
            "schedule": crontab(minute=17, hour=2),
        }
