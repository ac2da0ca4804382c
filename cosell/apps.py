from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CosellConfig(AppConfig):
    name = "cosell"
    verbose_name = "Shared opportunities"

    def ready(self) -> None:
        """Capabilities, the menu entry, the panels on the deal pages, notification link
        checks, labels and the daily task reminders. Nothing below this app imports it."""
        # ready(): imported once every app's models are loaded (the registry is not ready before)
        from celery.schedules import crontab

        from cosell import panels as cosell_panels
        from cosell import search_providers
        from cosell.home import my_work
        from cosell.models import PartyRole
        from cosell.selectors import opportunities_visible_to
        from prm import context_processors, home, labels, panels, roles
        from prm.celery import app as celery_app
        from prm.notifications import link_check_register
        from prm.roles import PROGRAM_ROLES, Role

        # A role sees workspaces it is on (cosell.use); vendor roles that see every deal see
        # every workspace (cosell.view_all); vendor roles that run opportunities open them on
        # any deal, invite partners and add people (cosell.manage). A sales rep co-sells and
        # runs nothing: they use the workspaces they are added to and those of the deals whose
        # customer they sell (prm.selling), where they comment, add tasks and files.
        roles.register(
            {
                "cosell.use": PROGRAM_ROLES | {Role.SALES_REP},
                "cosell.view_all": {Role.ADMIN, Role.CHANNEL_MANAGER},
                "cosell.manage": {Role.ADMIN, Role.CHANNEL_MANAGER},
            }
        )
        context_processors.NAV.append(
            context_processors.NavEntry(
                "deals", 45, _("Shared opportunities"), "cosell-list", "cosell.use"
            )
        )
        link_check_register(
            "cosell.sharedopportunity",
            lambda member, pk: opportunities_visible_to(member).filter(pk=pk).exists(),
        )
        panels.register(
            "dealreg.deal",
            order=10,
            key="cosell",
            template="cosell/_deal_panel.html",
            context=cosell_panels.deal_panel,
        )
        panels.register(
            "dealreg.directdeal",
            order=10,
            key="cosell",
            template="cosell/_deal_panel.html",
            context=cosell_panels.direct_deal_panel,
        )
        labels.register_choices("cosell_role", PartyRole)
        labels.register(
            labels.ACTION,
            {
                "cosell.opportunity_opened": _("Shared opportunity opened"),
                "cosell.opportunity_closed": _("Shared opportunity closed"),
                "cosell.opportunity_reopened": _("Shared opportunity reopened"),
                "cosell.partner_added": _("Partner added to a shared opportunity"),
                "cosell.partner_removed": _("Partner removed from a shared opportunity"),
                "cosell.person_added": _("Person added to a shared opportunity"),
                "cosell.person_removed": _("Person removed from a shared opportunity"),
                "cosell.comment_added": _("Comment added"),
                "cosell.comment_edited": _("Comment edited"),
                "cosell.comment_deleted": _("Comment deleted"),
                "cosell.task_added": _("Task added"),
                "cosell.task_changed": _("Task changed"),
                "cosell.task_done": _("Task done"),
                "cosell.task_undone": _("Task reopened"),
                "cosell.file_added": _("File added"),
            },
        )
        import cosell.confirmations  # noqa: F401  (registers its irreversible actions' texts)

        home.register(
            order=15,
            key="cosell",
            capability="cosell.use",
            template="cosell/home/section.html",
            context=my_work,
        )
        search_providers.register()

        celery_app.conf.beat_schedule["cosell-task-reminders"] = {
            # Owners of tasks due within two days (or overdue and not yet reminded).
            "task": "cosell.send_task_reminders_all",
            "schedule": crontab(hour=7, minute=10),
        }
