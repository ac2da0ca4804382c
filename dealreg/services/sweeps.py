"""The scheduled sweeps (Celery beat): expiry, expiry reminders, review-target escalation."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg.models import (
    Deal,
    DealStatus,
)
from dealreg.services._common import (
    _event,
    _lock,
    _mail,
    current_rules,
)
from dealreg.services.deals import deal_approve_locked
from dealreg.states import DEAL
from partners.models import PartnerStatus
from prm.errors import DomainError

# --- Sweeps (Celery beat) -----------------------------------------------------------------


@transaction.atomic
def deals_expire(*, tenant, today: datetime.date | None = None) -> int:
    """Approved deals past their protection date become expired (set-based), freeing the
    customer; their timelines and the audit trail say so."""
    DEAL.check_move(DealStatus.APPROVED, DealStatus.EXPIRED)  # the one move this SQL makes
    today = today or timezone.now().date()
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH expired AS (
                UPDATE dealreg_deal SET status = 'expired'
                WHERE tenant_id = %(t)s AND status = 'approved' AND protected_until < %(d)s
                RETURNING id, partner_id, customer_name, protected_until
            ), outbox AS (
                INSERT INTO prm_outboxevent (tenant_id, event_type, payload)
                SELECT %(t)s, 'deal.expired', jsonb_build_object('deal_id', id, 'partner_id',
                       partner_id, 'status', 'expired', 'customer_name', customer_name,
                       'protected_until', protected_until, 'label',
                       'DR-' || id || ' ' || customer_name, 'path', '/deals/' || id || '/')
                FROM expired
            ), ev AS (
                INSERT INTO dealreg_dealevent (tenant_id, deal_id, at, actor_id, actor_label,
                                               kind, message, staff_only)
                SELECT %(t)s, id, now(), NULL, 'PRM', 'expired',
                       'Protection ended on ' || protected_until || '; the customer is free.',
                       false FROM expired
            )
            INSERT INTO prm_auditevent (tenant_id, actor_id, actor_label, action, object_type,
                object_id, object_label, before, after, ip, user_agent, created_at)
            SELECT %(t)s, NULL, 'deal-expiry', 'deal.expired', 'dealreg.deal', id::text,
                   left('DR-' || id || ' ' || customer_name, 200),
                   '{"status": "approved"}'::jsonb, '{"status": "expired"}'::jsonb,
                   NULL, '', now()
            FROM expired
            RETURNING 1
        """,
            {"t": tenant.pk, "d": today},
        )
        return len(cur.fetchall())


@transaction.atomic
def deals_remind_expiring(*, tenant, today: datetime.date | None = None, days: int = 7) -> int:
    """E-mail partners 7 days before protection ends (once per protection period)."""
    today = today or timezone.now().date()
    due = list(
        Deal.objects.select_related("partner", "tenant").filter(
            status=DealStatus.APPROVED,
            protected_until__lte=today + datetime.timedelta(days=days),
            protected_until__gte=today,
            expiry_reminder_sent_at__isnull=True,
        )
    )
    for deal in due:
        _mail(deal, "expiring")
        _event(
            deal,
            "expiry_reminder",
            _("Reminder sent: protection ends on %(d)s.") % {"d": deal.protected_until.isoformat()},
        )
    Deal.objects.filter(pk__in=[d.pk for d in due]).update(expiry_reminder_sent_at=timezone.now())
    return len(due)


@transaction.atomic
def deals_escalate_overdue(*, tenant, now=None) -> int:
    """Pending deals past the review target: e-mail the admins once; optionally approve
    low-risk ones (no conflicts, within the auto-approve amount)."""
    now = now or timezone.now()
    rules = current_rules(tenant)
    overdue = list(
        Deal.objects.select_related("partner", "tenant").filter(
            status__in=[DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW],
            sla_due_at__lt=now,
            sla_escalated_at__isnull=True,
        )
    )
    for deal in overdue:
        low_risk = (
            not deal.has_conflicts
            and deal.amount is not None
            and deal.amount <= rules.auto_approve_max_amount
            and deal.partner.status == PartnerStatus.ACTIVE
        )
        if rules.auto_approve_on_sla_timeout and low_risk:
            locked = _lock(deal)
            try:
                deal_approve_locked(
                    locked,
                    by=None,
                    rules=rules,
                    reason=_(
                        "Approved automatically: the review target passed and the deal is low-risk."
                    ),
                )
            except DomainError:
                pass
        else:
            _event(
                deal,
                "sla_escalated",
                _("Review target passed; escalated to the admins."),
                staff_only=True,
            )
            _mail(deal, "overdue", reason=_("Review target passed."))
    Deal.objects.filter(pk__in=[d.pk for d in overdue]).update(sla_escalated_at=now)
    return len(overdue)
