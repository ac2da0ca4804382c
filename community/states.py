"""Community's machines, declared once (see prm/states.py): announcements (draft ->
scheduled -> published -> withdrawn), questions (open, locked, hidden; `Question.state`) and
events (draft -> published -> cancelled)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from community.models import AnnouncementStatus, EventStatus
from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role
from prm.states import StateMachine, action

A = AnnouncementStatus
E = EventStatus
OPEN, LOCKED, HIDDEN = "open", "locked", "hidden"


def admin(_obj, member) -> bool:
    return member is not None and member.role == Role.ADMIN


def staff(_obj, member) -> bool:
    return member is not None and member.role in STAFF_ROLES


def _participant(member) -> bool:
    return member is not None and member.role in (STAFF_ROLES | PARTNER_ROLES)


def participant(_obj, member) -> bool:
    return _participant(member)


def asker_or_staff(question, member) -> bool:
    return staff(question, member) or (member is not None and question.author_id == member.pk)


def partner_person(_obj, member) -> bool:
    return member is not None and member.role in PARTNER_ROLES


ANNOUNCEMENT = StateMachine(
    actions=[
        action("edit", _("Change"), [A.DRAFT, A.SCHEDULED, A.PUBLISHED], who=admin),
        # Publishes now, or schedules when publish_at lies ahead (community.services).
        action("publish", _("Publish"), [A.DRAFT], who=admin),
        action("schedule", _("Schedule"), [A.DRAFT], A.SCHEDULED, system=True),
        action("release", _("Publish"), [A.DRAFT, A.SCHEDULED], A.PUBLISHED, system=True),
        action("unschedule", _("Back to draft"), [A.SCHEDULED], A.DRAFT, who=admin),
        action("withdraw", _("Withdraw"), [A.PUBLISHED], A.WITHDRAWN, who=admin, confirm=True),
    ]
)

QUESTION = StateMachine(
    field="state",
    actions=[
        action("answer", _("Answer"), [OPEN], who=participant),
        # Never on one's own post: community.services.qa.vote_cast checks the post's author.
        action("vote", _("Vote"), [OPEN, LOCKED], who=participant),
        action("accept", _("Accept an answer"), [OPEN, LOCKED], who=asker_or_staff),
        action("follow", _("Follow"), [OPEN, LOCKED], who=participant),
        action("edit", _("Edit"), [OPEN, LOCKED, HIDDEN], who=staff),
        action("hide", _("Hide"), [OPEN, LOCKED], who=staff),
        action("unhide", _("Show again"), [HIDDEN], who=staff),
        action("lock", _("Lock"), [OPEN], who=staff),
        action("unlock", _("Unlock"), [LOCKED], who=staff),
    ],
)

EVENT = StateMachine(
    actions=[
        action("edit", _("Change"), [E.DRAFT, E.PUBLISHED], who=staff),
        action("publish", _("Publish"), [E.DRAFT], E.PUBLISHED, who=staff),
        action(
            "cancel", _("Cancel the event"), [E.PUBLISHED], E.CANCELLED, who=staff, confirm=True
        ),
        action("register", _("Register"), [E.PUBLISHED], who=partner_person),
        action("attendance", _("Mark attendance"), [E.PUBLISHED], who=staff),
    ]
)
