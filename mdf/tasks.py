"""Celery tasks of the MDF app: the daily sweep (accrual, expiry warnings, expiry), accrual on
demand, remittance PDFs and e-mail notices. Each loads by id, re-enters the tenant and calls
one service; each is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext_lazy

from mdf.models import Claim, ClaimStatus, ExpiryWarning, FundRequest, Program, RequestStatus
from mdf.services import claim_render_remittance, mdf_daily, program_accrue
from prm import events, notifications
from prm.models import Member
from prm.roles import Role
from prm.tasks import TenantTask, for_each_tenant
from prm.urls_util import tenant_url


@shared_task(base=TenantTask, name="mdf.daily", time_limit=600, soft_time_limit=540)
def daily(*, tenant) -> dict:
    return {k: str(v) for k, v in mdf_daily(tenant=tenant).items()}


@shared_task(name="mdf.daily_all", time_limit=60)
def daily_all() -> int:
    """Beat, once a day: one sweep task per active tenant, each inside its own tenant."""
    return for_each_tenant(daily)


@shared_task(base=TenantTask, name="mdf.accrue_program", time_limit=300, soft_time_limit=270)
def accrue_program(*, tenant, program_id: int) -> dict:
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return {"partners": 0, "total": "0"}
    result = program_accrue(program=program)
    return {"partners": result["partners"], "total": str(result["total"])}


@shared_task(base=TenantTask, name="mdf.render_remittance", time_limit=120, soft_time_limit=100)
def render_remittance(*, tenant, claim_id: int) -> str:
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        return ""
    return claim_render_remittance(claim=claim)


SUBJECTS = {
    "request.submitted": gettext_lazy("New MDF request to review"),
    "request.approved": gettext_lazy("Your MDF request was approved"),
    "request.rejected": gettext_lazy("Your MDF request was not approved"),
    "request.returned": gettext_lazy("Your MDF request needs changes"),
    "request.cancelled": gettext_lazy("An MDF request was cancelled"),
    "claim.submitted": gettext_lazy("New MDF claim to review"),
    "claim.second_approval": gettext_lazy("An MDF claim needs your second approval"),
    "claim.approved": gettext_lazy("Your MDF claim was approved"),
    "claim.rejected": gettext_lazy("Your MDF claim was not approved"),
    "claim.info_requested": gettext_lazy("Your MDF claim needs more information"),
    "claim.paid": gettext_lazy("Your MDF claim was paid"),
    "expiry.warning": gettext_lazy("Your marketing funds expire soon"),
}


# A "to review" notice is sent only while its object still waits in that step.
STILL_WAITING = {
    "request.submitted": RequestStatus.SUBMITTED,
    "claim.submitted": ClaimStatus.SUBMITTED,
    "claim.second_approval": ClaimStatus.SECOND_APPROVAL,
}


def _recipients(kind: str, partner, submitted_by) -> list[str]:
    active = Member.objects.filter(is_active=True, user__is_active=True)
    if kind == "claim.second_approval":
        qs = active.filter(role=Role.ADMIN)
    elif kind in ("request.submitted", "claim.submitted"):
        if partner.owner_id:
            qs = active.filter(pk=partner.owner_id)
        else:
            qs = active.filter(role=Role.CHANNEL_MANAGER)
    elif kind == "expiry.warning":
        qs = active.filter(partner=partner, role=Role.PARTNER_ADMIN)
    else:
        qs = active.filter(partner=partner, role=Role.PARTNER_ADMIN)
        if submitted_by is not None:
            qs = qs | active.filter(pk=submitted_by.pk)
    return sorted(set(qs.values_list("user__email", flat=True)))


@shared_task(base=TenantTask, name="mdf.notify", time_limit=60)
def notify(*, tenant, kind: str, object_id: int) -> int:
    """E-mail the people a request, claim or expiry event concerns."""
    if kind not in SUBJECTS:
        return 0
    context = {"tenant": tenant, "kind": kind}
    if kind.startswith("request."):
        obj = FundRequest.objects.select_related("program", "partner").filter(pk=object_id).first()
        if obj is None:
            return 0
        partner, submitted_by = obj.partner, obj.submitted_by
        context.update(request=obj, url=tenant_url(tenant, f"/mdf/requests/{obj.pk}/"))
    elif kind.startswith("claim."):
        obj = (
            Claim.objects.select_related("program", "partner", "request")
            .filter(pk=object_id)
            .first()
        )
        if obj is None:
            return 0
        partner, submitted_by = obj.partner, obj.submitted_by
        context.update(claim=obj, url=tenant_url(tenant, f"/mdf/claims/{obj.pk}/"))
    else:
        obj = (
            ExpiryWarning.objects.select_related("program", "partner").filter(pk=object_id).first()
        )
        if obj is None:
            return 0
        partner, submitted_by = obj.partner, None
        context.update(warning=obj, url=tenant_url(tenant, "/mdf/"))
    if kind in STILL_WAITING and obj.status != STILL_WAITING[kind]:
        return 0  # decided before this notice went out: nothing waits for a reviewer any more
    recipients = _recipients(kind, partner, submitted_by)
    if not recipients:
        return 0
    # Through each person's preferences for the MDF group; decisions and payments share the
    # notification the relay makes from the same outbox event.
    event_type = f"mdf.{kind}"
    event = notifications.event_for(event_type, obj) if event_type in events.EVENTS else None
    notifications.notify(
        notifications.members_with_emails(recipients),
        group="mdf",
        subject=SUBJECTS[kind],
        template="mdf/emails/notice.txt",
        context=context,
        path=context["url"].removeprefix(tenant_url(tenant, "")),
        kind=event_type,
        event=event,
        key="" if event is not None else notice_key(kind, obj),
        obj=None if kind.startswith("expiry.") else obj,
    )
    return len(recipients)


def notice_key(kind: str, obj) -> str:
    """One notice per kind and object round: a request or claim sent back and submitted
    again is a new round (its submission time changes); an expiry warning is its own row."""
    submitted = getattr(obj, "submitted_at", None)
    round_ = f":{submitted.isoformat()}" if submitted else ""
    return f"mdf.{kind}:{obj.pk}{round_}"
