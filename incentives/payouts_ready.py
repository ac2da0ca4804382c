"""What payouts add to the registries (called from IncentivesConfig.ready()): capabilities,
navigation, audit labels, the notification link check, the Statements panel on the partner's
earnings page, confirmations, the monthly statements in beat."""

from __future__ import annotations

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from incentives import (
    confirmations_payouts,
    home_payouts,
    search_providers_payouts,
    selectors_payouts,
    tasks_payouts,
)
from incentives.models_payouts import BatchStatus, HoldReason, PayeeStatus
from incentives.views_payouts import statements_panel
from prm import context_processors, home, labels, panels, roles
from prm.celery import app as celery_app
from prm.notifications import link_check_register
from prm.roles import Role

# Imported for their registrations (prm.confirm.register, the Celery tasks).
REGISTERED = (confirmations_payouts, tasks_payouts)


def register() -> None:
    roles.register(
        {
            # Channel managers and admins: prepare payout batches, give the first approval,
            # statements of every partner.
            "incentives.payouts": {Role.ADMIN, Role.CHANNEL_MANAGER},
            # Admins (the vendor's finance): money leaves only by them: payee review, the
            # second approval, payment files, marking paid, cancelling, payout settings.
            "incentives.finance": {Role.ADMIN},
            # A partner's admins keep its bank account and tax form.
            "incentives.payee": {Role.PARTNER_ADMIN},
            # Statements and remittance advice: staff (all) and partner people (their own).
            "incentives.statements": {
                Role.ADMIN,
                Role.CHANNEL_MANAGER,
                Role.PARTNER_ADMIN,
                Role.PARTNER_USER,
            },
        }
    )
    context_processors.NAV.append(
        context_processors.NavEntry(
            "partners", 71, _("Payouts"), "incentives-batches", "incentives.payouts"
        )
    )
    link_check_register(
        "incentives.payoutline",
        lambda member, pk: selectors_payouts.lines_visible_to(member).filter(pk=pk).exists(),
    )
    labels.register_choices("payout_batch_status", BatchStatus)
    labels.register_choices("payee_status", PayeeStatus)
    labels.register_choices("payout_hold_reason", HoldReason)
    labels.register(
        labels.ACTION,
        {
            "payee.submitted": _("Payee details sent for review"),
            "payee.approved": _("Payee details approved"),
            "payee.rejected": _("Payee details rejected"),
            "payout_settings.updated": _("Payout settings changed"),
            "payout_batch.created": _("Payout batch prepared"),
            "payout_batch.approved": _("Payout batch approved"),
            "payout_batch.second_approved": _("Payout batch second approval"),
            "payout_batch.exported": _("Payout batch exported for payment"),
            "payout_batch.paid": _("Payout batch paid"),
            "payout_batch.cancelled": _("Payout batch cancelled"),
            "statements.generated": _("Statements written"),
            "statements.requested": _("Statements requested"),
        },
    )
    home.register(
        order=41,
        key="incentives-payouts-staff",
        capability="incentives.payouts",
        template="incentives/home/payouts_staff.html",
        context=home_payouts.staff_home,
    )
    home.register(
        order=41,
        key="incentives-payouts-partner",
        capability="incentives.statements",
        template="incentives/home/payouts_partner.html",
        context=home_payouts.partner_home,
        roles={Role.PARTNER_ADMIN, Role.PARTNER_USER},
    )
    search_providers_payouts.register()
    panels.register(
        "incentives.partner_earnings",
        order=10,
        key="incentives-statements",
        template="incentives/payouts/_statements_panel.html",
        context=statements_panel,
    )
    celery_app.conf.beat_schedule["incentives-statements"] = {
        # Last month's statements of every partner, on the 1st.
        "task": "incentives.statements_all",
        "schedule": crontab(minute=40, hour=3, day_of_month=1),
    }
