"""Disputes on earning lines: a partner raises one with a reason; staff answer it within the
program's answer target."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import Dispute, DisputeStatus, Earning
from incentives.states import DISPUTE, EARNING
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.models import Member
from prm.notifications import notify
from prm.roles import Role


@transaction.atomic
def dispute_open(*, earning: Earning, by: Member, reason: str) -> Dispute:
    earning = Earning.objects.select_for_update().select_related("program").get(pk=earning.pk)
    EARNING.check(earning, by, "dispute")
    reason = limited((reason or "").strip(), 2000, "reason")
    if not reason:
        raise DomainError(_("Say what is wrong with this line."), field="reason")
    due = timezone.now() + datetime.timedelta(days=earning.program.dispute_sla_days)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                tenant_id=earning.tenant_id,
                earning=earning,
                partner_id=earning.partner_id,
                raised_by=by,
                reason=reason,
                due_at=due,
            )
    except IntegrityError:
        raise DomainError(_("This line already has an open dispute."), field="reason")
    log_action(
        "earning.disputed",
        obj=dispute,
        object_label=earning.number,
        after={"earning": earning.pk, "reason": reason, "due_at": due},
    )
    staff = Member.objects.filter(
        role__in=[Role.ADMIN, Role.CHANNEL_MANAGER], is_active=True
    ).select_related("user")
    notify(
        staff,
        group="incentives",
        subject=_("An earning line was disputed"),
        template="incentives/emails/disputed.txt",
        context={"dispute": dispute, "earning": earning},
        path=f"/incentives/disputes/{dispute.pk}/",
        kind="incentives.dispute",
        key=f"incentives.dispute:{dispute.pk}",
        obj=earning,
    )
    return dispute


@transaction.atomic
def dispute_answer(*, dispute: Dispute, by: Member, answer: str) -> Dispute:
    dispute = Dispute.objects.select_for_update().select_related("earning").get(pk=dispute.pk)
    DISPUTE.check(dispute, by, "answer")
    answer = limited((answer or "").strip(), 2000, "reason")
    if not answer:
        raise DomainError(_("Write the answer."), field="reason")
    dispute.status = DisputeStatus.ANSWERED
    dispute.answer, dispute.answered_by, dispute.answered_at = answer, by, timezone.now()
    dispute.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    log_action(
        "dispute.answered",
        obj=dispute,
        object_label=dispute.earning.number,
        before={"status": "open"},
        after={
            "status": "answered",
            "answer": answer,
            "late": dispute.answered_at > dispute.due_at,
        },
    )
    people = Member.objects.filter(partner_id=dispute.partner_id, is_active=True).select_related(
        "user"
    )
    notify(
        people,
        group="incentives",
        subject=_("Your dispute was answered"),
        template="incentives/emails/answered.txt",
        context={"dispute": dispute, "earning": dispute.earning},
        path=f"/incentives/earnings/{dispute.earning_id}/",
        kind="incentives.dispute_answered",
        key=f"incentives.dispute_answered:{dispute.pk}",
        obj=dispute.earning,
    )
    return dispute
