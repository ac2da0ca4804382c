"""Reads of the community: what each member may see.

Staff (admins, channel managers) see every announcement, question, answer and event, hidden
ones included. Partner people see published announcements and events meant for them (their
company's type and tier, their language), and every question and answer that is not hidden:
the community is shared by all partners; nothing else of another partner is shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from community.models import (
    Announcement,
    AnnouncementRead,
    AnnouncementStatus,
    Answer,
    Event,
    EventStatus,
    Follow,
    Question,
    Registration,
    RegistrationStatus,
    Vote,
)
from prm.models import Member
from prm.roles import PARTNER_ROLES, STAFF_ROLES


def is_staff(member) -> bool:
    return member is not None and member.role in STAFF_ROLES


def language_of(member) -> str:
    return (member.user.language or settings.LANGUAGE_CODE)[:2]


def _audience(member) -> Q:
    """Rows targeted at this partner person (an empty list targets everyone)."""
    partner = member.partner
    q = Q(partner_types=[]) | Q(partner_types__contains=[partner.partner_type])
    q &= Q(tier_ids=[]) | (
        Q(tier_ids__contains=[partner.tier_id]) if partner.tier_id else Q(pk__in=[])
    )
    q &= Q(languages=[]) | Q(languages__contains=[language_of(member)])
    return q


def in_audience(obj, member) -> bool:
    """The same rule for one object in memory (notifications, the detail page)."""
    partner = member.partner
    if partner is None:
        return False
    return (
        (not obj.partner_types or partner.partner_type in obj.partner_types)
        and (not obj.tier_ids or partner.tier_id in obj.tier_ids)
        and (not obj.languages or language_of(member) in obj.languages)
    )


# --- Announcements ---------------------------------------------------------------------


def current_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(status=AnnouncementStatus.PUBLISHED) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def announcements_visible_to(member: Member) -> QuerySet[Announcement]:
    qs = Announcement.objects.all()
    if is_staff(member):
        return qs
    if member.role not in PARTNER_ROLES or member.partner_id is None:
        return qs.none()
    return qs.filter(current_q()).filter(_audience(member))


def with_read_state(qs: QuerySet[Announcement], member: Member) -> QuerySet[Announcement]:
    return qs.annotate(
        is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), member=member)),
        read_count=Count("reads", distinct=True),
    )


def announcement_detail(member: Member, pk: int) -> Announcement | None:
    return with_read_state(announcements_visible_to(member), member).filter(pk=pk).first()


def current_for(member: Member, limit: int = 5) -> list[Announcement]:
    """The current announcements for a member's home page, unread first, newest first."""
    qs = with_read_state(announcements_visible_to(member).filter(current_q()), member)
    return list(qs.order_by("is_read", "-published_at", "-id")[:limit])


def audience_members(announcement_or_event) -> list[Member]:
    """The active partner people an announcement or event is meant for."""
    people = Member.objects.filter(
        is_active=True, role__in=PARTNER_ROLES, partner__isnull=False
    ).select_related("user", "partner")
    return [m for m in people if in_audience(announcement_or_event, m)]


# --- Questions and answers -------------------------------------------------------------


def questions_visible_to(member: Member) -> QuerySet[Question]:
    qs = Question.objects.select_related("author__user", "partner", "accepted_answer")
    if is_staff(member):
        return qs
    if member.role not in PARTNER_ROLES:
        return qs.none()
    return qs.filter(hidden=False)


def answers_visible_to(member: Member, question: Question) -> QuerySet[Answer]:
    qs = Answer.objects.filter(question=question).select_related("author__user", "author__partner")
    if not is_staff(member):
        qs = qs.filter(hidden=False)
    return qs


def question_detail(member: Member, pk: int) -> Question | None:
    return questions_visible_to(member).filter(pk=pk).first()


def search_questions(
    member: Member, *, term: str = "", tag: str = "", unanswered: bool = False
) -> QuerySet[Question]:
    qs = questions_visible_to(member)
    term = term.strip()
    if term:
        qs = qs.filter(Q(title__icontains=term) | Q(body__icontains=term))
    if tag:
        qs = qs.filter(tags__contains=[tag])
    if unanswered:
        qs = qs.filter(answer_count=0)
    return qs


def all_tags() -> list[str]:
    tags: set[str] = set()
    for row in Question.objects.filter(hidden=False).values_list("tags", flat=True):
        tags.update(row or [])
    return sorted(tags, key=str.lower)


def my_votes(member: Member, question: Question) -> dict[str, int]:
    """{"q": value, "a<id>": value} of this member's votes on a question's page."""
    out = {}
    for v in Vote.objects.filter(member=member).filter(
        Q(question=question) | Q(answer__question=question)
    ):
        out["q" if v.question_id else f"a{v.answer_id}"] = v.value
    return out


def follows(member: Member, question: Question) -> bool:
    return Follow.objects.filter(member=member, question=question).exists()


def followers(question: Question) -> list[Member]:
    """Active followers who may still see the question (hidden: staff only)."""
    people = Member.objects.filter(
        is_active=True, pk__in=Follow.objects.filter(question=question).values("member_id")
    ).select_related("user")
    return [m for m in people if not question.hidden or is_staff(m)]


# --- Events ----------------------------------------------------------------------------


def events_visible_to(member: Member) -> QuerySet[Event]:
    qs = Event.objects.all()
    if is_staff(member):
        return qs
    if member.role not in PARTNER_ROLES or member.partner_id is None:
        return qs.none()
    mine = Registration.objects.filter(member=member).values("event_id")
    return qs.filter(
        Q(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])
        & (_audience(member) | Q(pk__in=mine))
    )


def event_detail(member: Member, pk: int) -> Event | None:
    return events_visible_to(member).filter(pk=pk).first()


def registration_of(member: Member, event: Event) -> Registration | None:
    return Registration.objects.filter(event=event, member=member).first()


def taken_seats(event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED).count()


def registrations(event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("member__user", "partner")
        .order_by("status", "registered_at", "id")
    )


def attended_counts(*, since, until) -> dict[int, int]:
    """Partner id -> events that started in [since, until] that its people attended
    (analytics' health score reads it)."""
    rows = (
        Registration.objects.filter(
            attended_at__isnull=False,
            event__starts_at__gte=since,
            event__starts_at__lte=until,
            partner__isnull=False,
        )
        .values("partner_id")
        .annotate(n=Count("event_id", distinct=True))
    )
    return {r["partner_id"]: r["n"] for r in rows}


def events_held(*, since, until) -> int:
    """Published events that started in [since, until]."""
    return Event.objects.filter(
        status=EventStatus.PUBLISHED, starts_at__gte=since, starts_at__lte=until
    ).count()
