"""Celery tasks of the partners app: tier evaluation (nightly and on demand), notices."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext_lazy

from partners.models import Partner, ProgramSettings
from partners.services import tiers_evaluate
from prm import notifications
from prm.models import Member
from prm.roles import Role
from prm.tasks import TenantTask, for_each_tenant
from prm.urls_util import tenant_url


@shared_task(base=TenantTask, name="partners.evaluate_tiers", time_limit=600, soft_time_limit=540)
def evaluate_tiers(*, tenant) -> dict:
    return tiers_evaluate(tenant=tenant)


@shared_task(name="partners.evaluate_tiers_all", time_limit=60)
def evaluate_tiers_all() -> int:
    """Nightly fan-out: one evaluation task per active tenant."""
    return for_each_tenant(evaluate_tiers)


SUBJECTS = {
    "upgraded": gettext_lazy("Your partner tier has changed"),
    "downgraded": gettext_lazy("Your partner tier has changed"),
    "warned": gettext_lazy("Your partner tier needs attention"),
    "pending": gettext_lazy("A tier upgrade is waiting for approval"),
}


@shared_task(base=TenantTask, name="partners.notify_tier_event", time_limit=60)
def notify_tier_event(*, tenant, partner_id: int, kind: str) -> int:
    """E-mail the partner's admins about a tier change or a grace-period warning (and the
    program admins about a pending upgrade)."""
    partner = Partner.objects.select_related("tier").filter(pk=partner_id).first()
    if partner is None or kind not in SUBJECTS:
        return 0
    if kind == "pending":
        to_role = {"role": Role.ADMIN}
    else:
        to_role = {"partner": partner, "role": Role.PARTNER_ADMIN}
    recipients = list(Member.objects.filter(is_active=True, **to_role))
    if not recipients:
        return 0
    grace = ProgramSettings.for_tenant(tenant).tier_downgrade_grace_days
    path = "/tier/" if kind != "pending" else "/program/tier-changes/"
    # Through each person's preferences for the partners group (prm.notifications.notify).
    notifications.notify(
        recipients,
        group="partners",
        subject=SUBJECTS[kind],
        template="partners/emails/tier_event.txt",
        context={
            "tenant": tenant,
            "partner": partner,
            "kind": kind,
            "grace_days": grace,
            "url": tenant_url(tenant, path),
        },
        path=path,
        obj=partner,
        kind=f"partner.tier_{kind}",
        event=(
            notifications.event_for("partner.tier_changed", partner)
            if kind in ("upgraded", "downgraded")
            else None
        ),
    )
    return len(recipients)
