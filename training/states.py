"""The training state machines, declared once (see prm/states.py): course publishing and
enrolments.

Learners see published courses only; an archived course keeps its enrolments, progress and
the certificates it led to. Admins (`training.manage`) take the actions.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.roles import has_perm
from prm.states import StateMachine, action
from training.models import CourseStatus as S
from training.models import EnrollmentState as E


def _manager(obj, member) -> bool:
    return member is not None and has_perm(member.role, "training.manage")


COURSE = StateMachine(
    actions=[
        # Publishing also needs a lesson; the service refuses an empty course (a query, so
        # not a guard that every page would run).
        action("publish", _("Publish"), [S.DRAFT, S.ARCHIVED], S.PUBLISHED, who=_manager),
        action("unpublish", _("Back to draft"), [S.PUBLISHED], S.DRAFT, who=_manager),
        action("archive", _("Archive"), [S.PUBLISHED], S.ARCHIVED, who=_manager, confirm=True),
        # Enrolling someone by hand: a published course only (no move).
        action("enrol", _("Enrol a person"), [S.PUBLISHED], who=_manager),
    ]
)

# Colour of a course's status badge (the views pass it; templates compare nothing).
COURSE_TONE = {S.PUBLISHED: "ok"}


# --- Enrolments ---------------------------------------------------------------------------


def _learner(enrollment, member) -> bool:
    """The enrolled person themself."""
    return member is not None and member.pk == enrollment.member_id


# An enrolment's state is derived from its dates and its course (Enrollment.state: enrolled
# -> in_progress -> completed; closed while the course is not published), so it needs no
# status column and no data migration. Learners study and restart; completion is the
# system's move once a course's lessons are done and its quiz, if any, is passed.
ENROLLMENT = StateMachine(
    field="state",
    actions=[
        action(
            "study",
            _("Open"),
            [E.ENROLLED, E.IN_PROGRESS, E.COMPLETED],
            who=_learner,
        ),
        action(
            "complete",
            _("Complete"),
            [E.ENROLLED, E.IN_PROGRESS],
            E.COMPLETED,
            system=True,
        ),
        action("restart", _("Take the course again"), [E.COMPLETED], E.ENROLLED, who=_learner),
    ],
)
