"""Custom domains of a tenant: claim, prove by DNS, re-check, choose the canonical one.

A claim starts PENDING with a per-claim token; the tenant publishes the TXT record
`_prm-challenge.<host>` = `prm-verify=<token>` and the host becomes VERIFIED when we see it
(on demand, "Verify now", or at the periodic sweep). Only VERIFIED hosts serve their tenant
(prm.tenancy.resolve_tenant) and only one tenant can hold a host verified (a partial unique
constraint); pending claims of other tenants neither serve nor block anything. The sweep
re-checks verified hosts every PRM_HOST_RECHECK_HOURS: one whose record is gone is SUSPENDED
(it stops serving at once) and the tenant's admins are told. Every state change is audited.
A DNS time-out changes nothing (it is not evidence either way)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.audit import audit_context, log_action
from prm.dns_lookup import LookupFailed, txt_values
from prm.errors import DomainError, PermissionDenied
from prm.i18n import lazy_format
from prm.models import HostStatus, Member, Tenant, TenantHost
from prm.notifications import send_mandatory
from prm.roles import Role, has_perm
from prm.tenancy import system_context, tenant_context
from prm.urls_util import tenant_url

TAKEN = gettext_lazy("This domain is already in use.")


def _require_admin(by: Member) -> None:
    if not has_perm(by.role, "tenant.manage"):
        raise PermissionDenied()


def _get(tenant: Tenant, host_id: int, *, lock: bool = True) -> TenantHost:
    qs = TenantHost.objects.filter(tenant=tenant, pk=host_id)
    th = (qs.select_for_update() if lock else qs).first()
    if th is None:
        raise DomainError(_("No such domain."), field="host")
    return th


def verified_elsewhere(th: TenantHost) -> bool:
    return (
        TenantHost.objects.filter(host=th.host, status=HostStatus.VERIFIED)
        .exclude(tenant_id=th.tenant_id)
        .exists()
    )


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def tenant_host_add(*, tenant: Tenant, by: Member, host: str) -> TenantHost:
    """Claim `host` for the tenant: PENDING until its TXT record is seen."""
    _require_admin(by)
    host = host.strip().lower().rstrip(".")
    base = settings.PRM_BASE_DOMAIN
    if host == base or host.endswith("." + base):
        raise DomainError(_("Use a domain outside %(base)s.") % {"base": base}, field="host")
    th = TenantHost(tenant=tenant, host=host)
    th.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
    if verified_elsewhere(th):
        raise DomainError(TAKEN, field="host")
    try:
        with transaction.atomic():
            th.save()
    except IntegrityError:  # this tenant has claimed it already
        raise DomainError(TAKEN, field="host")
    log_action(
        "tenant.host_added",
        tenant=tenant,
        obj=th,
        after={"host": host, "status": th.status, "record": th.record_name},
    )
    return th


@transaction.atomic
def tenant_host_remove(*, tenant: Tenant, by: Member, host_id: int) -> None:
    _require_admin(by)
    th = _get(tenant, host_id)
    log_action(
        "tenant.host_removed",
        tenant=tenant,
        obj=th,
        before={"host": th.host, "status": th.status, "is_canonical": th.is_canonical},
    )
    th.delete()


@transaction.atomic
def tenant_host_verify(*, tenant: Tenant, by: Member, host_id: int) -> TenantHost:
    """ "Verify now": look the record up at once. Returns the host with its new state (the
    outcome is in `status` and `check_result`; an absent record is not an error)."""
    _require_admin(by)
    return host_check(_get(tenant, host_id))


@transaction.atomic
def tenant_host_set_canonical(
    *, tenant: Tenant, by: Member, host_id: int, canonical: bool = True
) -> TenantHost:
    """Make a VERIFIED host the one every e-mail link uses (or, with canonical=False, go
    back to <slug>.<base domain>)."""
    _require_admin(by)
    th = _get(tenant, host_id)
    if canonical and th.status != HostStatus.VERIFIED:
        raise DomainError(_("Only a verified domain can be the main one."), field="host")
    if th.is_canonical == canonical:
        return th
    previous = (
        TenantHost.objects.select_for_update()
        .filter(tenant=tenant, is_canonical=True)
        .exclude(pk=th.pk)
        .first()
    )
    if canonical and previous is not None:
        previous.is_canonical = False
        previous.save(update_fields=["is_canonical"])
    th.is_canonical = canonical
    th.save(update_fields=["is_canonical"])
    log_action(
        "tenant.host_canonical_set" if canonical else "tenant.host_canonical_cleared",
        tenant=tenant,
        obj=th,
        before={"canonical": previous.host if previous else (th.host if not canonical else "")},
        after={"canonical": th.host if canonical else ""},
    )
    return th


def host_check(th: TenantHost) -> TenantHost:
    """Look up th's TXT record and move it between states. Precondition: inside th's
    tenant_context, row locked (select_for_update)."""
    now = timezone.now()
    before = th.status
    try:
        found = th.record_value in txt_values(th.record_name)
    except LookupFailed as exc:
        th.last_checked_at = now
        th.check_result = (_("DNS lookup failed (%(error)s); will retry.") % {"error": exc})[:200]
        th.save(update_fields=["last_checked_at", "check_result"])
        return th
    th.last_checked_at = now
    if found and before != HostStatus.VERIFIED:
        if verified_elsewhere(th):
            th.check_result = str(TAKEN)
        else:
            th.status, th.verified_at = HostStatus.VERIFIED, now
            th.check_result = _("Record found.")
            try:
                with transaction.atomic():  # a rival verifying at this very moment
                    th.save()
            except IntegrityError:
                th.status, th.verified_at, th.check_result = before, None, str(TAKEN)
    elif found:
        th.check_result = _("Record found.")
    elif before == HostStatus.VERIFIED:
        th.status = HostStatus.SUSPENDED
        th.check_result = _("Record not found: the domain is suspended.")
    else:
        th.check_result = _("Record not found yet.")
    th.save(update_fields=["status", "verified_at", "last_checked_at", "check_result"])
    if th.status != before:
        log_action(
            f"tenant.host_{th.status}",
            tenant=th.tenant,
            obj=th,
            before={"status": before},
            after={"status": th.status, "record": th.record_name},
        )
    if th.status == HostStatus.SUSPENDED and before == HostStatus.VERIFIED:
        _tell_admins_suspended(th)
    return th


def _tell_admins_suspended(th: TenantHost) -> None:
    admins = list(
        Member.objects.filter(role=Role.ADMIN, is_active=True).values_list("user__email", flat=True)
    )
    # MANDATORY (security/operational alert): bypasses notification preferences.
    send_mandatory(
        tenant=th.tenant,
        to=admins,
        subject=lazy_format(gettext_lazy("Domain %(host)s suspended"), host=th.host),
        template="emails/host_suspended.txt",
        context={"host": th, "url": tenant_url(th.tenant, "/settings/")},
    )


# --- The periodic sweep -----------------------------------------------------------------------


def due_hosts(now=None) -> list[tuple[int, int]]:
    """(tenant id, host id) of the hosts to re-check now, least recently checked first:
    verified ones every PRM_HOST_RECHECK_HOURS, pending and suspended ones every
    PRM_HOST_PENDING_RECHECK_MINUTES (so publishing the record is enough)."""
    now = now or timezone.now()
    verified_cut = now - datetime.timedelta(hours=settings.PRM_HOST_RECHECK_HOURS)
    other_cut = now - datetime.timedelta(minutes=settings.PRM_HOST_PENDING_RECHECK_MINUTES)
    never = Q(last_checked_at__isnull=True)
    with system_context():
        qs = TenantHost.objects.filter(tenant__is_active=True).filter(
            never
            | Q(status=HostStatus.VERIFIED, last_checked_at__lt=verified_cut)
            | (~Q(status=HostStatus.VERIFIED) & Q(last_checked_at__lt=other_cut))
        )
        return list(
            qs.order_by("last_checked_at", "pk").values_list("tenant_id", "pk")[
                : settings.PRM_HOST_RECHECK_BATCH
            ]
        )


@shared_task(name="prm.hosts.recheck_all", time_limit=600, ignore_result=True)
def recheck_all() -> int:
    """Celery beat: re-check the due hosts, each in its own tenant and transaction. The
    batch is bounded (PRM_HOST_RECHECK_BATCH) so one run ends well within its time limit;
    the rest are due at the next run."""
    done = 0
    for tenant_id, host_id in due_hosts():
        with system_context():
            tenant = Tenant.objects.get(pk=tenant_id)
        with audit_context(actor_label="task:prm.hosts.recheck_all"), tenant_context(tenant):
            th = TenantHost.objects.select_for_update().filter(pk=host_id).first()
            if th is not None:
                host_check(th)
                done += 1
    return done
