"""Community events (webinars, in-person): staff create and publish them, partner people
register (seats counted under a lock on the event, so two last-seat registrations cannot
both get in; the rest wait in line and move up when someone cancels) and cancel; staff mark
attendance, by hand or from a CSV of e-mail addresses. Attendance feeds the partner's health
score (analytics reads community.selectors.attended_counts)."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community import text
from community.models import Event, EventKind, EventStatus, Registration, RegistrationStatus
from community.services.common import GROUP, audience, required_text, tell
from community.states import EVENT
from prm import events as domain_events
from prm import notifications
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import Member
from prm.roles import require

R = RegistrationStatus
MAX_CSV_ROWS = 5000


def _snapshot(e: Event) -> dict:
    return {
        "status": e.status,
        "title": e.title,
        "kind": e.kind,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "timezone": e.timezone,
        "location": e.location,
        "join_url": e.join_url,
        "capacity": e.capacity,
        "partner_types": e.partner_types,
        "tier_ids": e.tier_ids,
        "languages": e.languages,
    }


def _fields(
    *,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    description: str = "",
    kind: str = EventKind.WEBINAR,
    timezone_name: str = "UTC",
    location: str = "",
    join_url: str = "",
    capacity: int | None = None,
    partner_types=(),
    tier_ids=(),
    languages=(),
) -> dict:
    if kind not in EventKind.values:
        raise DomainError(_("Choose webinar or in person."), field="kind")
    if starts_at is None:
        raise DomainError(_("This field is required."), field="starts_at")
    if ends_at is None or ends_at <= starts_at:
        raise DomainError(_("The event ends after it starts."), field="ends_at")
    try:
        zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(_("Choose a time zone from the list."), field="timezone") from exc
    if capacity is not None and capacity < 1:
        raise DomainError(_("At least one seat, or leave it empty."), field="capacity")
    if kind == EventKind.IN_PERSON and not (location or "").strip():
        raise DomainError(_("Where does it take place?"), field="location")
    if join_url and not join_url.startswith("https://"):
        raise DomainError(_("The join link starts with https://."), field="join_url")
    return {
        "title": required_text(title, 200, "title"),
        "description": text.clean(description) if (description or "").strip() else "",
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": timezone_name,
        "location": (location or "").strip()[:300],
        "join_url": join_url or "",
        "capacity": capacity,
        **audience(partner_types, tier_ids, languages),
    }


@transaction.atomic
def event_create(*, by: Member, **data) -> Event:
    require(by, "community.events_manage", system=False)
    e = Event.objects.create(tenant_id=by.tenant_id, created_by=by, **_fields(**data))
    log_action("event.created", obj=e, after=_snapshot(e))
    return e


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
def event_update(*, event: Event, by: Member, **data) -> Event:
    e = _locked(event)
    EVENT.check(e, by, "edit")
    before = _snapshot(e)
    for name, value in _fields(**data).items():
        setattr(e, name, value)
    e.save()
    log_action("event.updated", obj=e, before=before, after=_snapshot(e))
    _fill_seats(e)
    return e


def _move(event: Event, by: Member, name: str, status: str) -> Event:
    e = _locked(event)
    EVENT.check(e, by, name)
    before = _snapshot(e)
    e.status = status
    e.save(update_fields=["status"])
    code = {"publish": "event.published", "cancel": "event.cancelled"}[name]
    log_action(code, obj=e, before=before, after=_snapshot(e))
    return e


@transaction.atomic
def event_publish(*, event: Event, by: Member) -> Event:
    return _move(event, by, "publish", EventStatus.PUBLISHED)


@transaction.atomic
def event_cancel(*, event: Event, by: Member) -> Event:
    return _move(event, by, "cancel", EventStatus.CANCELLED)


def _fill_seats(e: Event) -> None:
    """Move people up from the waitlist while seats are free (the event is locked)."""
    if e.capacity is None:
        waiting = Registration.objects.filter(event=e, status=R.WAITLISTED)
    else:
        free = e.capacity - Registration.objects.filter(event=e, status=R.REGISTERED).count()
        if free <= 0:
            return
        waiting = Registration.objects.filter(event=e, status=R.WAITLISTED).order_by(
            "registered_at", "id"
        )[:free]
    for reg in list(waiting.select_related("member", "member__user")):
        reg.status = R.REGISTERED
        reg.save(update_fields=["status"])
        log_action(
            "event.waitlist_promoted",
            obj=e,
            before={"member_id": reg.member_id, "status": R.WAITLISTED},
            after={"member_id": reg.member_id, "status": R.REGISTERED},
        )
        # The person moved up is told (their "community" preference: at once, in the
        # digest, or not at all); once per promotion, even if the call were repeated.
        notifications.notify(
            [reg.member],
            group=GROUP,
            subject=gettext_lazy("A seat is free: you are registered"),
            template="community/emails/promoted.txt",
            context={"event": e},
            path=e.get_absolute_url(),
            kind="event.waitlist_promoted",
            key=f"event.waitlist_promoted:{reg.pk}:{reg.registered_at.timestamp():.0f}",
            obj=e,
        )


@transaction.atomic
def event_register(*, event: Event, by: Member) -> Registration:
    """Register `by` (a seat, or the waitlist when the event is full). Registering again
    after a cancellation takes a new place in line."""
    e = _locked(event)
    EVENT.check(e, by, "register")
    if e.ends_at <= timezone.now():
        raise DomainError(_("This event is over."))
    reg = Registration.objects.filter(event=e, member=by).first()
    if reg is not None and reg.status != R.CANCELLED:
        return reg
    taken = Registration.objects.filter(event=e, status=R.REGISTERED).count()
    status = R.REGISTERED if e.capacity is None or taken < e.capacity else R.WAITLISTED
    if reg is None:
        reg = Registration(tenant_id=e.tenant_id, event=e, member=by)
    reg.partner_id = by.partner_id
    reg.status = status
    reg.registered_at = timezone.now()
    reg.save()
    log_action(
        "event.registered",
        obj=e,
        after={"member_id": by.pk, "status": status},
    )
    domain_events.emit(
        "event.registered", e, member_id=by.pk, registration_status=status,
        registered_partner_id=by.partner_id,
    )  # fmt: skip
    tell(
        [by],
        e,
        "event.registered",
        template="community/emails/registered.txt",
        context={"event": e, "status": status},
        path=e.get_absolute_url(),
    )
    return reg


@transaction.atomic
def event_unregister(*, event: Event, by: Member) -> Registration | None:
    e = _locked(event)
    reg = Registration.objects.filter(event=e, member=by).exclude(status=R.CANCELLED).first()
    if reg is None:
        raise DomainError(_("You are not registered for this event."))
    if reg.attended_at is not None:
        raise DomainError(_("Your attendance is recorded already."))
    before = reg.status
    reg.status = R.CANCELLED
    reg.save(update_fields=["status"])
    log_action(
        "event.registration_cancelled",
        obj=e,
        before={"member_id": by.pk, "status": before},
        after={"member_id": by.pk, "status": R.CANCELLED},
    )
    _fill_seats(e)
    return reg


@transaction.atomic
def attendance_set(*, event: Event, by: Member, member_ids: list[int], attended: bool) -> int:
    """Mark (or unmark) registered people as attended. Returns how many changed."""
    e = _locked(event)
    EVENT.check(e, by, "attendance")
    if e.starts_at > timezone.now():
        raise DomainError(_("Attendance is recorded once the event has started."))
    regs = Registration.objects.filter(event=e, member_id__in=member_ids, status=R.REGISTERED)
    changed = 0
    for reg in regs.select_for_update():
        if (reg.attended_at is not None) == attended:
            continue
        reg.attended_at = timezone.now() if attended else None
        reg.save(update_fields=["attended_at"])
        changed += 1
        log_action(
            "event.attendance_marked" if attended else "event.attendance_cleared",
            obj=e,
            after={"member_id": reg.member_id, "attended": attended},
        )
    return changed


def attendance_import(*, event: Event, by: Member, data: bytes) -> dict:
    """Mark attendance from a CSV with an `email` column (a webinar tool's export). Rows of
    people not registered are reported, not added. All or nothing."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(_("The file is not UTF-8 text."), field="file") from exc
    reader = csv.DictReader(io.StringIO(content))
    columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    if "email" not in columns:
        raise DomainError(_("The file needs an 'email' column."), field="file")
    emails = set()
    for n, row in enumerate(reader):
        if n >= MAX_CSV_ROWS:
            raise DomainError(_("At most %(n)s rows per file.") % {"n": MAX_CSV_ROWS}, field="file")
        email = (row.get(columns["email"]) or "").strip().lower()
        if email:
            emails.add(email)
    regs = Registration.objects.filter(
        event=event, status=R.REGISTERED, member__user__email__in=emails
    ).values_list("member_id", "member__user__email")
    found = {email.lower(): pk for pk, email in regs}
    marked = attendance_set(event=event, by=by, member_ids=list(found.values()), attended=True)
    return {"marked": marked, "matched": len(found), "unknown": sorted(emails - set(found))}
