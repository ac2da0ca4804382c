"""What archiving a course does, for people to confirm (prm/confirm.py). It can be undone:
an archived course can be published again."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from prm.confirm import Confirmation, register
from training.models import Course


@register("training-admin-course-archive")
def course_archive(course: Course) -> Confirmation:
    return Confirmation(
        name="training-admin-course-archive",
        url=reverse("training-admin-course-archive", args=[course.pk]),
        title=_("Archive the course %(c)s?") % {"c": course.title},
        consequence=_(
            "It leaves the catalogue: nobody can enrol any more. Certifications already "
            "earned stay valid. You can publish it again later."
        ),
        button=_("Archive"),
        confirm=_("Archive course"),
        back_url=reverse("training-admin-course", args=[course.pk]),
        small=True,
    )
