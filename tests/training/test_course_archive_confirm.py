"""Archiving a course asks first (prm/confirm.py) and offers Undo: publishing it again."""

from __future__ import annotations

import pytest

from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find
from tests.training.helpers import make_course
from training.models import Course

pytestmark = pytest.mark.django_db


def _status(world, course) -> str:
    with tenant_context(world.tenant):
        return Course.objects.get(pk=course.pk).status


def test_archive_confirmation_names_the_course_and_archives_nothing(world):
    course = make_course(world, lessons=1, questions=[])
    client = portal_client(world.tenant, world.admin)
    page = client.get(f"/program/training/courses/{course.pk}/archive/")
    assert page.status_code == 200
    assert course.title in find(page, "h1").text()
    assert _status(world, course) == "published"


def test_archive_then_undo_publishes_again(world):
    course = make_course(world, lessons=1, questions=[])
    client = portal_client(world.tenant, world.admin)
    base = f"/program/training/courses/{course.pk}/"
    resp = client.post(f"{base}archive/", follow=True)
    assert _status(world, course) == "archived"
    assert find(resp, "form", text="Undo", action=f"{base}publish/")
    client.post(f"{base}publish/")
    assert _status(world, course) == "published"


def test_deleting_a_lesson_asks_first(world):
    course = make_course(world, lessons=2, questions=[])
    with tenant_context(world.tenant):
        lesson = course.lessons.order_by("pk").first()
    client = portal_client(world.tenant, world.admin)
    url = f"/program/training/lessons/{lesson.pk}/delete/"
    page = client.get(url)
    assert lesson.title in find(page, "h1").text()
    assert find(client.get(f"/program/training/lessons/{lesson.pk}/"), "a", href=url)
    with tenant_context(world.tenant):
        assert course.lessons.filter(pk=lesson.pk).exists()
    assert client.post(url).status_code == 302
    with tenant_context(world.tenant):
        assert not course.lessons.filter(pk=lesson.pk).exists()
