"""The enrolment machine (training.states.ENROLLMENT): the state is derived from the
enrolment's dates and its course, the services check the moves, the pages offer what it
allows."""

from __future__ import annotations

import pytest

from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.training.helpers import do_lessons, enrol, make_course, pass_course
from training import services
from training.models import Course, Enrollment
from training.states import ENROLLMENT


def _state(world, enrollment) -> str:
    with tenant_context(world.tenant):
        return Enrollment.objects.select_related("course").get(pk=enrollment.pk).state


def test_an_enrolment_moves_from_enrolled_through_in_progress_to_completed(world):
    course = make_course(world, questions=[])
    enrollment = enrol(world, world.partner_user, course)
    assert _state(world, enrollment) == "enrolled"
    do_lessons(world, world.partner_user, course, n=1)
    assert _state(world, enrollment) == "in_progress"
    do_lessons(world, world.partner_user, course)
    assert _state(world, enrollment) == "completed"


def test_an_enrolment_is_closed_while_its_course_is_not_published(world):
    course = make_course(world, questions=[])
    enrollment = enrol(world, world.partner_user, course)
    with tenant_context(world.tenant):
        services.course_set_status(by=world.admin, course=course, action="archive")
        loaded = Enrollment.objects.select_related("course").get(pk=enrollment.pk)
        assert loaded.state == "closed"
        assert ENROLLMENT.allowed(loaded, world.partner_user) == frozenset()
    page = portal_client(world.tenant, world.partner_user).get("/learning/").content.decode()
    assert "no longer offered" in page
    assert f'href="/learning/courses/{course.pk}/"' in page  # the title still links


def test_only_a_completed_enrolment_offers_a_restart(world):
    course = make_course(world, questions=[])
    enrol(world, world.partner_user, course)
    client = portal_client(world.tenant, world.partner_user)
    restart = f"/learning/courses/{course.pk}/restart/"
    assert restart not in client.get(f"/learning/courses/{course.pk}/").content.decode()
    with tenant_context(world.tenant):
        enrollment = Enrollment.objects.get(member=world.partner_user, course=course)
        with pytest.raises(Exception, match="Finish the course"):
            services.enrollment_restart(by=world.partner_user, enrollment=enrollment)
    pass_course(world, world.partner_user, course)
    assert restart in client.get(f"/learning/courses/{course.pk}/").content.decode()
    assert client.post(restart).status_code == 302
    assert _state(world, enrollment) == "enrolled"


def test_restarting_someone_elses_enrolment_is_refused(world):
    course = make_course(world, questions=[])
    enrollment = enrol(world, world.partner_user, course)
    pass_course(world, world.partner_user, course)
    with tenant_context(world.tenant):
        loaded = Enrollment.objects.select_related("course").get(pk=enrollment.pk)
        assert "restart" in ENROLLMENT.allowed(loaded, world.partner_user)
        assert "restart" not in ENROLLMENT.allowed(loaded, world.partner_admin)


def test_the_enrol_form_is_offered_on_published_courses_only(world):
    course = make_course(world, publish=False)
    client = portal_client(world.tenant, world.admin)
    enrol_url = f"/program/training/courses/{course.pk}/enrol/"
    assert enrol_url not in client.get(f"/program/training/courses/{course.pk}/").content.decode()
    resp = client.post(enrol_url, {"e-member": world.other_partner_user.pk}, follow=True)
    assert "This cannot be done while the item is draft." in resp.content.decode()
    with tenant_context(world.tenant):
        assert not Enrollment.objects.filter(member=world.other_partner_user).exists()
    with tenant_context(world.tenant):
        Course.objects.filter(pk=course.pk).update(status="published")
    assert enrol_url in client.get(f"/program/training/courses/{course.pk}/").content.decode()


def test_admin_lesson_actions_each_have_their_url_and_refuse_other_roles(world, stranger):
    course = make_course(world, lessons=2, questions=[], publish=False)
    foreign = make_course(stranger, lessons=1, questions=[], publish=False)
    with tenant_context(world.tenant):
        first, second = course.lessons.order_by("order", "id")
    with tenant_context(stranger.tenant):
        (theirs,) = foreign.lessons.all()
    admin = portal_client(world.tenant, world.admin)
    assert admin.get(f"/program/training/lessons/{second.pk}/up/").status_code == 405
    assert admin.post(f"/program/training/lessons/{second.pk}/up/").status_code == 302
    with tenant_context(world.tenant):
        assert list(course.lessons.order_by("order", "id")) == [second, first]
    manager = portal_client(world.tenant, world.channel_manager)
    assert manager.post(f"/program/training/lessons/{first.pk}/delete/").status_code == 403
    assert admin.post(f"/program/training/lessons/{theirs.pk}/delete/").status_code == 404
    assert admin.post(f"/program/training/lessons/{first.pk}/delete/").status_code == 302
    with tenant_context(world.tenant):
        assert list(course.lessons.all()) == [second]
