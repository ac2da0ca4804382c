from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JointplansConfig(AppConfig):
    name = "jointplans"
    verbose_name = "Joint business plans"

    def ready(self) -> None:
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from jointplans import home as plan_home
        from jointplans import metrics, search_providers, selectors
        from jointplans.models import InitiativeStatus, PeriodKind, PlanStatus
        from prm import context_processors, home, labels, roles
        from prm.celery import app as celery_app
        from prm.notifications import link_check_register
        from prm.roles import Role

        roles.register(
            {
                # Every role reads the plans it may see (staff: all; partner people: their
                # company's, once proposed); the state machine says who signs what.
                "jointplans.view": set(roles.PROGRAM_ROLES),
                # Staff draft plans for partners.
                "jointplans.manage": {Role.ADMIN, Role.CHANNEL_MANAGER},
                # The partner's menu entry (under "My program").
                "jointplans.own": {Role.PARTNER_ADMIN, Role.PARTNER_USER},
            }
        )
        metrics.register_own()
        link_check_register(
            "jointplans.jointplan",
            lambda member, pk: selectors.plans_visible_to(member).filter(pk=pk).exists(),
        )
        entry = context_processors.NavEntry
        context_processors.NAV.extend(
            [
                entry(
                    "partners", 40, _("Joint business plans"), "jointplan-list", "jointplans.manage"
                ),
                entry("program", 30, _("Joint business plans"), "jointplan-list", "jointplans.own"),
            ]
        )
        labels.register_choices("plan_status", PlanStatus)
        labels.register_choices("plan_period", PeriodKind)
        labels.register_choices("initiative_status", InitiativeStatus)
        labels.register(
            labels.ACTION,
            {
                "jointplan.created": _("Joint business plan drafted"),
                "jointplan.updated": _("Joint business plan changed"),
                "jointplan.signed_vendor": _("Joint business plan signed for the vendor"),
                "jointplan.signed_partner": _("Joint business plan signed for the partner"),
                "jointplan.signatures_reset": _("Joint business plan signatures reset"),
                "jointplan.goal_added": _("Plan goal added"),
                "jointplan.goal_updated": _("Plan goal changed"),
                "jointplan.goal_removed": _("Plan goal removed"),
                "jointplan.initiative_added": _("Plan initiative added"),
                "jointplan.initiative_updated": _("Plan initiative changed"),
                "jointplan.initiative_removed": _("Plan initiative removed"),
                "jointplan.review_reminded": _("Plan review reminder sent"),
            },
        )
        home.register(
            order=15,
            key="jointplans",
            capability="jointplans.view",
            template="jointplans/home/plans.html",
            context=plan_home.plans_home,
        )
        celery_app.conf.beat_schedule["jointplans-daily"] = {
            # Start plans whose period has begun; remind both sides before review dates.
            "task": "jointplans.daily_all",
            "schedule": crontab(minute=23, hour=6),
        }

        search_providers.register()

        import jointplans.confirmations  # noqa: F401  (registers its irreversible actions' texts)
