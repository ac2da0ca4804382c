"""Certificates: issued when a certification's courses are complete, renewed, expired and
reminded by the daily sweep; the certified-people figure the tiers read."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners import services as partner_services
from partners.models import Partner
from prm import events
from prm.audit import log_action, snapshot
from prm.errors import DomainError
from prm.i18n import lazy_format
from prm.models import Member
from prm.notifications import notify_addresses
from prm.urls_util import tenant_url
from training import rules
from training.models import (
    Certificate,
    CertificateNotice,
    CertificateStatus,
    Certification,
    Course,
    Enrollment,
    NoticeKind,
    new_verification_code,
)

# --- Certificates -------------------------------------------------------------------------


def certifications_check(
    *,
    member: Member,
    course: Course | None = None,
    certifications: Sequence[Certification] | None = None,
) -> list[Certificate]:
    """Issue or renew the member's certifications whose courses are all completed in their
    current round (`course`: only those it belongs to). A renewal needs every course
    completed again after the last issue. Refreshes the partner's certified people."""
    certs = Certification.objects.filter(is_active=True)
    if course is not None:
        certs = certs.filter(certification_courses__course=course)
    if certifications is not None:
        certs = certs.filter(pk__in=[c.pk for c in certifications])
    certs = list(certs.distinct().prefetch_related("certification_courses"))
    if not certs:
        return []
    needed = {c.pk: [cc.course_id for cc in c.certification_courses.all()] for c in certs}
    all_courses = {cid for ids in needed.values() for cid in ids}
    done = dict(
        Enrollment.objects.filter(
            member=member, course_id__in=all_courses, completed_at__isnull=False
        ).values_list("course_id", "completed_at")
    )
    held = {
        c.certification_id: c
        for c in Certificate.objects.select_for_update().filter(
            member=member, certification__in=certs
        )
    }
    issued = []
    now = timezone.now()
    for cert in certs:
        course_ids = needed[cert.pk]
        if not course_ids or any(cid not in done for cid in course_ids):
            continue
        current = held.get(cert.pk)
        if current is not None and any(done[cid] <= current.issued_at for cid in course_ids):
            continue  # already issued for these completions
        issued.append(_issue(cert, member, current, now))
    if issued and member.partner_id:
        metrics_refresh_certified(tenant=member.tenant, partner_ids=[member.partner_id])
    return issued


def _issue(
    cert: Certification, member: Member, current: Certificate | None, now: datetime.datetime
) -> Certificate:
    expires = rules.add_months(now, cert.validity_months)
    holder = (member.user.full_name or member.user.email)[:200]
    if current is None:
        certificate = Certificate(
            tenant_id=member.tenant_id,
            certification=cert,
            member=member,
            holder_name=holder,
            first_issued_at=now,
            issued_at=now,
            expires_at=expires,
        )
        for _try in range(3):  # a verification code collision is astronomically unlikely
            try:
                with transaction.atomic():
                    certificate.save()
                break
            except IntegrityError:
                if Certificate.objects.filter(member=member, certification=cert).exists():
                    raise DomainError(_("This certificate was just issued."))

                certificate.code = new_verification_code()
        action, before = "training.certificate_issued", None
    else:
        certificate = current
        before = snapshot(certificate, ["status", "issued_at", "expires_at"])
        certificate.status = CertificateStatus.ACTIVE
        certificate.issued_at, certificate.expires_at = now, expires
        certificate.holder_name = holder
        certificate.renewals += 1
        certificate.save(
            update_fields=["status", "issued_at", "expires_at", "holder_name", "renewals"]
        )
        action = "training.certificate_renewed"
    log_action(
        action,
        obj=certificate,
        before=before,
        after={
            "certification": cert.pk,
            "member": member.pk,
            "issued_at": now,
            "expires_at": expires,
        },
    )
    events.emit(
        "certification.earned",
        certificate,
        partner_id=member.partner_id,
        renewed=current is not None,
    )
    notify_addresses(
        group="training",
        subject=lazy_format(gettext_lazy("You are certified: %(c)s"), c=cert.name),
        template="training/emails/certificate_issued.txt",
        context={
            "tenant": member.tenant,
            "certificate": certificate,
            "certification": cert,
            "renewed": current is not None,
            "url": tenant_url(member.tenant, "/learning/certificates/"),
        },
        to=[member.user.email],
    )
    return certificate


def metrics_refresh_certified(*, tenant, partner_ids: list[int] | None = None, now=None) -> None:
    """Recompute PartnerMetrics.certified_people (active people holding at least one valid
    certificate) for the given partners (or all): one set-based SELECT, stored by the
    partners app's metrics_upsert (the table's one writer)."""
    now = now or timezone.now()
    partners = Partner._meta.db_table
    members = Member._meta.db_table
    certificates = Certificate._meta.db_table
    partner_services.metrics_upsert(
        tenant=tenant,
        columns=["certified_people"],
        source_sql=f"""
            SELECT p.id, COUNT(DISTINCT c.member_id)
            FROM {partners} p
            LEFT JOIN {members} m ON m.partner_id = p.id AND m.tenant_id = p.tenant_id
                 AND m.is_active
            LEFT JOIN {certificates} c ON c.member_id = m.id AND c.tenant_id = m.tenant_id
                 AND c.status = %(active)s AND c.expires_at > %(now)s
            WHERE p.tenant_id = %(tenant)s AND (%(all)s OR p.id = ANY(%(ids)s))
            GROUP BY p.id
        """,  # noqa: S608 - table names come from model metadata, values are parameters
        params={
            "tenant": tenant.pk,
            "now": now,
            "active": CertificateStatus.ACTIVE,
            "ids": partner_ids or [],
            "all": not partner_ids,
        },
    )


def _notify(tenant, certificate: Certificate, kind: str, now: datetime.datetime) -> bool:
    """Send one expiry notice, once: the notice row (unique per certificate, kind and expiry
    date) is written in the same transaction that queues the e-mail."""
    member = certificate.member
    to = [member.user.email] if member.is_active else []
    try:
        with transaction.atomic():
            _notice, created = CertificateNotice.objects.get_or_create(
                tenant_id=certificate.tenant_id,
                certificate=certificate,
                kind=kind,
                expires_at=certificate.expires_at,
                defaults={"sent_at": now, "recipients": to},
            )
    except IntegrityError:
        return False
    if not created:
        return False
    context = {
        "tenant": tenant,
        "certificate": certificate,
        "certification": certificate.certification,
        "days": max(0, (certificate.expires_at - now).days),
        "url": tenant_url(tenant, "/learning/"),
    }
    if kind == NoticeKind.EXPIRED:
        subject = gettext_lazy("Your certification has expired: %(c)s")
        template = "training/emails/certificate_expired.txt"
    else:
        subject = gettext_lazy("Your certification expires soon: %(c)s")
        template = "training/emails/certificate_reminder.txt"
    notify_addresses(
        group="training",
        subject=lazy_format(subject, c=certificate.certification.name),
        template=template,
        context=context,
        to=to,
    )
    log_action(
        "training.certificate_notice_sent",
        obj=certificate,
        after={"kind": kind, "expires_at": certificate.expires_at, "to": to},
    )
    return True


def certificates_sweep(*, tenant, now: datetime.datetime | None = None) -> dict:
    """The daily sweep of one tenant: expire certificates whose time is up (status and an
    e-mail), remind holders 30 and 7 days ahead, and recompute certified people for the
    partners whose people lost a certificate. Idempotent: expired rows are no longer
    active, and each notice is recorded."""
    now = now or timezone.now()
    due = list(
        Certificate.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=CertificateStatus.ACTIVE, expires_at__lte=now)
        .select_related("certification", "member__user")
        .order_by("pk")
    )
    for certificate in due:
        certificate.status = CertificateStatus.EXPIRED
        certificate.save(update_fields=["status"])
        log_action(
            "training.certificate_expired",
            obj=certificate,
            before={"status": CertificateStatus.ACTIVE},
            after={"status": CertificateStatus.EXPIRED, "expires_at": certificate.expires_at},
        )
        events.emit("certification.expired", certificate, partner_id=certificate.member.partner_id)
        _notify(tenant, certificate, NoticeKind.EXPIRED, now)
    horizon = now + datetime.timedelta(days=max(rules.REMINDER_DAYS))
    soon = list(
        Certificate.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=CertificateStatus.ACTIVE, expires_at__gt=now, expires_at__lte=horizon)
        .select_related("certification", "member__user")
        .order_by("pk")
    )
    sent = set(
        CertificateNotice.objects.filter(certificate__in=[c.pk for c in soon]).values_list(
            "certificate_id", "kind", "expires_at"
        )
    )
    reminded = 0
    for certificate in soon:
        kind = rules.reminder_kind(certificate.expires_at, now)
        if kind is None or (certificate.pk, kind, certificate.expires_at) in sent:
            continue
        if _notify(tenant, certificate, kind, now):
            reminded += 1
    partner_ids = sorted({c.member.partner_id for c in due if c.member.partner_id})
    if partner_ids:
        metrics_refresh_certified(tenant=tenant, partner_ids=partner_ids, now=now)
    return {"expired": len(due), "reminded": reminded}
