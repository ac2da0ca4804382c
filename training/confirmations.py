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


@register("training-admin-lesson-delete")
def lesson_delete(lesson) -> Confirmation:
    return Confirmation(
        title=_("Delete the lesson %(l)s of %(c)s?")
        % {"l": lesson.title, "c": lesson.course.title},
        consequence=_(
            "The lesson, its file and everyone's progress on it are deleted. This cannot be undone."
        ),
        button=_("Delete lesson"),
        confirm=_("Delete lesson"),
        back_url=reverse("training-admin-lesson", args=[lesson.pk]),
        small=True,
    )


@register("training-admin-lesson-file-remove")
def lesson_file_remove(lesson) -> Confirmation:
    return Confirmation(
        title=_("Remove the file %(f)s from %(l)s?") % {"f": lesson.file_name, "l": lesson.title},
        consequence=_("The file is deleted; to offer it again you upload it anew."),
        button=_("Remove the file"),
        confirm=_("Remove file"),
        back_url=reverse("training-admin-lesson", args=[lesson.pk]),
        small=True,
    )


@register("training-admin-question-delete")
def question_delete(question) -> Confirmation:
    text = question.text if len(question.text) <= 80 else question.text[:79] + "…"
    return Confirmation(
        title=_("Delete the question “%(q)s”?") % {"q": text},
        consequence=_("The question and its answers are deleted. This cannot be undone."),
        button=_("Delete question"),
        confirm=_("Delete question"),
        back_url=reverse("training-admin-question", args=[question.pk]),
        small=True,
    )


@register("training-admin-path-delete")
def path_delete(path) -> Confirmation:
    return Confirmation(
        title=_("Delete the learning path %(p)s?") % {"p": path.name},
        consequence=_(
            "The path is deleted; the enrolments it made stay, and people keep their progress."
        ),
        button=_("Delete path"),
        confirm=_("Delete path"),
        back_url=reverse("training-admin-path", args=[path.pk]),
        small=True,
    )
