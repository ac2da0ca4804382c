"""Announcements and roadmap items: admins draft, publish (now, or at `publish_at`: the beat
releases due ones), change and withdraw them; partner people read them (read tracking per
member). Publishing emits announcement.published and tells the audience once."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community import selectors, text
from community.models import (
    Announcement,
    AnnouncementKind,
    AnnouncementRead,
    AnnouncementStatus,
    RoadmapStatus,
)
from community.services.common import audience, required_text, tell
from community.states import ANNOUNCEMENT
from prm import events
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import Member
from prm.roles import require

QUARTER = re.compile(r"^20\d\d-Q[1-4]$")


def _snapshot(a: Announcement) -> dict:
    return {
        "status": a.status,
        "title": a.title,
        "body": a.body,
        "kind": a.kind,
        "roadmap_status": a.roadmap_status,
        "quarter": a.quarter,
        "partner_types": a.partner_types,
        "tier_ids": a.tier_ids,
        "languages": a.languages,
        "publish_at": a.publish_at,
        "expires_at": a.expires_at,
    }


def _fields(
    *,
    title: str,
    body: str,
    kind: str,
    roadmap_status: str = "",
    quarter: str = "",
    partner_types=(),
    tier_ids=(),
    languages=(),
    publish_at: datetime.datetime | None = None,
    expires_at: datetime.datetime | None = None,
) -> dict:
    if kind not in AnnouncementKind.values:
        raise DomainError(_("Choose news or roadmap."), field="kind")
    quarter = (quarter or "").strip().upper()
    if kind == AnnouncementKind.ROADMAP:
        if roadmap_status not in RoadmapStatus.values:
            raise DomainError(_("A roadmap item needs its status."), field="roadmap_status")
        if quarter and not QUARTER.match(quarter):
            raise DomainError(_("Write the quarter as 2026-Q3."), field="quarter")
    else:
        roadmap_status, quarter = "", ""
    if publish_at and expires_at and expires_at <= publish_at:
        raise DomainError(_("The expiry lies after the publication."), field="expires_at")
    cleaned = text.clean(required_text(body, 20000, "body"))
    if not text.plain(cleaned):
        raise DomainError(_("This field is required."), field="body")
    return {
        "title": required_text(title, 200, "title"),
        "body": cleaned,
        "kind": kind,
        "roadmap_status": roadmap_status or "",
        "quarter": quarter,
        "publish_at": publish_at,
        "expires_at": expires_at,
        **audience(partner_types, tier_ids, languages),
    }


@transaction.atomic
def announcement_create(*, by: Member, **data) -> Announcement:
    require(by, "community.announce", system=False)
    a = Announcement.objects.create(tenant_id=by.tenant_id, created_by=by, **_fields(**data))
    log_action("announcement.created", obj=a, after=_snapshot(a))
    return a


def _locked(a: Announcement) -> Announcement:
    return Announcement.objects.select_for_update().get(pk=a.pk)


@transaction.atomic
def announcement_update(*, announcement: Announcement, by: Member, **data) -> Announcement:
    a = _locked(announcement)
    ANNOUNCEMENT.check(a, by, "edit")
    before = _snapshot(a)
    fields = _fields(**data)
    if a.status == AnnouncementStatus.PUBLISHED:
        fields.pop("publish_at")  # published already: its publication time stays
    for name, value in fields.items():
        setattr(a, name, value)
    a.updated_at = timezone.now()
    a.save()
    log_action("announcement.updated", obj=a, before=before, after=_snapshot(a))
    return a


def _release(a: Announcement, *, by: Member | None) -> Announcement:
    """Publish a locked draft or scheduled announcement now and tell its audience."""
    ANNOUNCEMENT.check(a, None, "release")
    before = _snapshot(a)
    a.status = AnnouncementStatus.PUBLISHED
    a.published_at = timezone.now()
    a.publish_at = a.publish_at or a.published_at
    a.save(update_fields=["status", "published_at", "publish_at"])
    log_action("announcement.published", obj=a, before=before, after=_snapshot(a))
    events.emit("announcement.published", a)
    if a.expires_at is None or a.expires_at > a.published_at:
        tell(
            selectors.audience_members(a),
            a,
            "announcement.published",
            template="community/emails/announcement.txt",
            context={"announcement": a, "summary": text.plain(a.body)[:500]},
            path=a.get_absolute_url(),
        )
    return a


@transaction.atomic
def announcement_publish(*, announcement: Announcement, by: Member) -> Announcement:
    """Publish now, or schedule when its publish_at lies ahead."""
    a = _locked(announcement)
    ANNOUNCEMENT.check(a, by, "publish")
    if a.expires_at and a.expires_at <= timezone.now():
        raise DomainError(_("This announcement has expired already."), field="expires_at")
    if a.publish_at and a.publish_at > timezone.now():
        before = _snapshot(a)
        ANNOUNCEMENT.check(a, None, "schedule")
        a.status = AnnouncementStatus.SCHEDULED
        a.save(update_fields=["status"])
        log_action("announcement.scheduled", obj=a, before=before, after=_snapshot(a))
        return a
    return _release(a, by=by)


@transaction.atomic
def announcement_unschedule(*, announcement: Announcement, by: Member) -> Announcement:
    a = _locked(announcement)
    ANNOUNCEMENT.check(a, by, "unschedule")
    before = _snapshot(a)
    a.status = AnnouncementStatus.DRAFT
    a.save(update_fields=["status"])
    log_action("announcement.unscheduled", obj=a, before=before, after=_snapshot(a))
    return a


@transaction.atomic
def announcement_withdraw(*, announcement: Announcement, by: Member) -> Announcement:
    a = _locked(announcement)
    ANNOUNCEMENT.check(a, by, "withdraw")
    before = _snapshot(a)
    a.status = AnnouncementStatus.WITHDRAWN
    a.save(update_fields=["status"])
    log_action("announcement.withdrawn", obj=a, before=before, after=_snapshot(a))
    return a


def announcements_publish_due(*, tenant, now=None) -> int:
    """Release every scheduled announcement whose time has come (the beat, per tenant); each
    in its own transaction, locked and re-checked, so two runs publish it once."""
    now = now or timezone.now()
    due = list(
        Announcement.objects.filter(
            status=AnnouncementStatus.SCHEDULED, publish_at__lte=now
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            a = Announcement.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if a is None or a.status != AnnouncementStatus.SCHEDULED:
                continue
            _release(a, by=None)
            done += 1
    return done


def announcement_mark_read(*, announcement: Announcement, member: Member) -> bool:
    """Record that `member` read it (once); True when this is the first time."""
    _row, new = AnnouncementRead.objects.get_or_create(
        tenant_id=member.tenant_id, announcement=announcement, member=member
    )
    return new
