"""The course publishing machine, declared once (see prm/states.py).

Learners see published courses only; an archived course keeps its enrolments, progress and
the certificates it led to. Admins (`training.manage`) take the actions.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.roles import has_perm
from prm.states import StateMachine, action
from training.models import CourseStatus as S


def _manager(obj, member) -> bool:
    return member is not None and has_perm(member.role, "training.manage")


COURSE = StateMachine(
    actions=[
        # Publishing also needs a lesson; the service refuses an empty course (a query, so
        # not a guard that every page would run).
        action("publish", _("Publish"), [S.DRAFT, S.ARCHIVED], S.PUBLISHED, who=_manager),
        action("unpublish", _("Back to draft"), [S.PUBLISHED], S.DRAFT, who=_manager),
        action("archive", _("Archive"), [S.PUBLISHED], S.ARCHIVED, who=_manager, confirm=True),
    ]
)
