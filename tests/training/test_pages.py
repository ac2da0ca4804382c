"""Training pages and lists: query counts independent of the number of rows, readiness and
its CSV, course statistics, the builder's form errors (never a 500), and the demo seed."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Partner
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import MemberFactory, PartnerFactory
from tests.training.helpers import (
    certify,
    do_lessons,
    enrol,
    make_course,
    pass_course,
    right_answers,
    take_quiz,
    wrong_answers,
)
from training import selectors
from training.models import Certificate, Certification, Course, Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def queries(client, url) -> int:
    assert client.get(url).status_code == 200  # warm up (sessions, caches)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def bulk_courses(world, n: int, start: int = 0) -> list[Course]:
    with tenant_context(world.tenant):
        return Course.objects.bulk_create(
            [
                Course(tenant=world.tenant, code=f"BULK-{i}", title=f"Bulk {i}", status="published")
                for i in range(start, start + n)
            ]
        )


def bulk_certificates(world, certification, partner, n: int):
    now = timezone.now()
    with tenant_context(world.tenant):
        members = [
            MemberFactory(tenant=world.tenant, role="partner_user", partner=partner)
            for _ in range(n)
        ]
        Certificate.objects.bulk_create(
            [
                Certificate(
                    tenant=world.tenant,
                    certification=certification,
                    member=m,
                    holder_name=m.user.full_name,
                    issued_at=now,
                    expires_at=now + datetime.timedelta(days=10 + i),
                )
                for i, m in enumerate(members)
            ]
        )


def test_my_learning_query_count_does_not_grow_with_courses(world):
    client = portal_client(world.tenant, world.partner_user)
    enrol(world, world.partner_user, make_course(world))
    one = queries(client, "/learning/")
    for course in bulk_courses(world, 15):
        enrol(world, world.partner_user, course)
    assert queries(client, "/learning/") <= one


def test_readiness_query_count_does_not_grow_with_partners(world):
    with tenant_context(world.tenant):
        cert = Certification.objects.create(tenant=world.tenant, code="C1", name="C1")
    bulk_certificates(world, cert, world.partner, 1)
    client = portal_client(world.tenant, world.channel_manager)
    one = queries(client, "/training/readiness/")
    for i in range(8):
        partner = PartnerFactory(tenant=world.tenant, name=f"Extra {i}")
        bulk_certificates(world, cert, partner, 2)
    assert queries(client, "/training/readiness/") <= one
    partner_page = f"/training/readiness/partners/{world.partner.pk}/"
    few = queries(client, partner_page)
    bulk_certificates(world, cert, world.partner, 10)
    assert queries(client, partner_page) <= few


def test_admin_course_list_query_count_does_not_grow(world):
    make_course(world)
    client = portal_client(world.tenant, world.admin)
    one = queries(client, "/program/training/")
    bulk_courses(world, 20)
    assert queries(client, "/program/training/") <= one


@pytest.mark.parametrize(
    "url,role",
    [
        ("/api/v1/courses/", "partner_user"),
        ("/api/v1/enrollments/", "admin"),
        ("/api/v1/certificates/", "channel_manager"),
        ("/api/v1/certifications/", "partner_admin"),
        ("/api/v1/quiz-attempts/", "admin"),
    ],
)
def test_api_list_query_counts_do_not_grow(world, url, role, django_assert_max_num_queries):
    course = make_course(world, quiz_cooldown_hours=0)
    cert = certify(world, courses=[course])
    pass_course(world, world.partner_user, course)
    client = api_client(world.tenant, world.member(role))
    client.get(url)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url).status_code == 200
    for c in bulk_courses(world, 10):
        enrol(world, world.partner_user, c)
    bulk_certificates(world, cert, world.partner, 10)
    other = make_course(world, code="MORE-1", quiz_cooldown_hours=0)
    enrol(world, world.partner_admin, other)
    for _ in range(3):
        take_quiz(world, world.partner_admin, other, wrong_answers(world, other))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# --- Statistics and readiness -------------------------------------------------------------


def test_course_statistics(world):
    course = make_course(world, quiz_cooldown_hours=0)
    enrol(world, world.partner_user, course)
    enrol(world, world.partner_admin, course)
    enrol(world, world.other_partner_user, course)
    take_quiz(world, world.partner_user, course, wrong_answers(world, course))  # 0
    take_quiz(world, world.partner_user, course, right_answers(world, course))  # 100
    take_quiz(world, world.partner_admin, course, wrong_answers(world, course))  # 0
    do_lessons(world, world.partner_user, course)  # quiz passed, lessons done: complete
    with tenant_context(world.tenant):
        stats = selectors.course_stats().get(pk=course.pk)
    assert (stats.enrolled, stats.completed, stats.takers, stats.passers) == (3, 1, 2, 1)
    assert round(stats.avg_score) == 33 and selectors.pass_rate(stats) == 50
    html = portal_client(world.tenant, world.admin).get("/program/training/").content.decode()
    assert "50\u00a0%" in html and "33\u00a0%" in html  # one percentage format (fmt.percent)


def test_readiness_shows_who_is_certified_and_what_expires_soon(world):
    course = make_course(world)
    certify(world, courses=[course])
    pass_course(world, world.partner_user, course)
    with tenant_context(world.tenant):
        Certificate.objects.update(expires_at=timezone.now() + datetime.timedelta(days=12))
        row = selectors.readiness().get(pk=world.partner.pk)
    assert (row.people, row.certified, row.valid_certificates, row.expiring) == (2, 1, 1, 1)
    client = portal_client(world.tenant, world.channel_manager)
    html = client.get("/training/readiness/").content.decode()
    assert world.partner_user.user.full_name in html  # in "expiring soon"
    page = client.get(f"/training/readiness/partners/{world.partner.pk}/").content.decode()
    assert "Certification ACSP" in page and world.partner_user.user.email in page


def test_readiness_csv_export(world):
    course = make_course(world)
    certify(world, courses=[course])
    pass_course(world, world.partner_user, course)
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(name="=cmd|' /C calc'!A0")
    resp = portal_client(world.tenant, world.channel_manager).get("/training/readiness/export.csv")
    assert resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.getvalue().decode())))
    assert rows[0][:5] == ["partner", "person", "email", "training_role", "certification"]
    assert len(rows) == 2 and rows[1][0].startswith("'=") and rows[1][5] == "valid"


# --- The builder: bad input is a form error -------------------------------------------------


@pytest.mark.parametrize(
    "url,data,message",
    [
        ("/program/training/", {"code": "bad code!", "title": "X"}, "Use up to 40"),
        ("/program/training/", {"code": "", "title": ""}, "This field is required"),
        ("/program/training/paths/", {"name": ""}, "This field is required"),
        (
            "/program/training/certifications/",
            {"code": "C", "name": "C", "validity_months": "0"},
            "Error:",
        ),
    ],
)
def test_admin_forms_show_errors_not_500(world, url, data, message):
    resp = portal_client(world.tenant, world.admin).post(url, data)
    assert resp.status_code == 200
    assert message in resp.content.decode()


def test_duplicate_course_code_is_a_form_error(world):
    make_course(world)
    resp = portal_client(world.tenant, world.admin).post(
        "/program/training/", {"code": "sales-101", "title": "Again"}
    )
    assert resp.status_code == 200 and "Another course has this code" in resp.content.decode()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"text": "Q", "kind": "single", "option_1": "only one", "correct_1": "on"}, "two answers"),
        (
            {"text": "Q", "kind": "single", "option_1": "a", "option_2": "b"},
            "exactly one answer",
        ),
        (
            {
                "text": "Q",
                "kind": "single",
                "option_1": "a",
                "correct_1": "on",
                "option_2": "b",
                "correct_2": "on",
            },
            "exactly one answer",
        ),
        ({"text": "Q", "kind": "weird", "option_1": "a", "option_2": "b"}, "Select a valid"),
    ],
)
def test_question_builder_errors(world, data, message):
    course = make_course(world, questions=[], publish=False)
    resp = portal_client(world.tenant, world.admin).post(
        f"/program/training/courses/{course.pk}/questions/", data
    )
    assert resp.status_code == 400 and message in resp.content.decode()


def test_publishing_an_empty_course_is_refused(world):
    course = make_course(world, lessons=0, questions=[], publish=False)
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/program/training/courses/{course.pk}/publish/", follow=True)
    assert resp.status_code == 200 and "at least one lesson" in resp.content.decode()


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("draft", {"publish"}),
        ("published", {"unpublish", "archive"}),
        ("archived", {"publish"}),
    ],
)
def test_course_page_offers_exactly_the_allowed_status_actions(world, status, offered):
    from training.states import COURSE

    course = make_course(world, lessons=1, questions=[], publish=False)
    with tenant_context(world.tenant):
        Course.objects.filter(pk=course.pk).update(status=status)
    html = portal_client(world.tenant, world.admin).get(f"/program/training/courses/{course.pk}/")
    html = html.content.decode()
    for name in [name for name, act in COURSE.actions.items() if act.target]:
        url = f'action="/program/training/courses/{course.pk}/{name}/"'
        assert (url in html) == (name in offered), name


def test_course_status_actions_are_403_for_other_roles_and_404_across_tenants(world, stranger):
    own = make_course(world, lessons=1, questions=[], publish=False)
    foreign = make_course(stranger, lessons=1, questions=[], publish=False)
    for member in (world.channel_manager, world.partner_admin):
        resp = portal_client(world.tenant, member).post(
            f"/program/training/courses/{own.pk}/publish/"
        )
        assert resp.status_code == 403
    admin = portal_client(world.tenant, world.admin)
    assert admin.post(f"/program/training/courses/{foreign.pk}/publish/").status_code == 404
    assert admin.post(f"/program/training/courses/{own.pk}/publish/").status_code == 302


def test_api_course_create_and_update_errors(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post("/api/v1/courses/", {"code": "bad code!", "title": "X"}, format="json")
    assert resp.status_code == 400 and "code" in resp.json()["errors"]
    resp = client.post("/api/v1/courses/", {"code": "NEW-1", "title": "X"}, format="json")
    assert resp.status_code == 201 and resp.json()["status"] == "draft"
    url = f"/api/v1/courses/{resp.json()['id']}/"
    bad = client.patch(url, {"status": "published"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    bad = client.patch(url, {"quiz_pass_mark": 0}, format="json")
    assert bad.status_code == 400 and "quiz_pass_mark" in bad.json()["errors"]


# --- Demo seed ------------------------------------------------------------------------------


def test_demo_seed_has_courses_paths_people_at_every_stage_and_an_expiring_certificate():
    from django.core.management import call_command

    from partners.models import PartnerMetrics
    from prm.models import Tenant

    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        assert Course.objects.filter(status="published").count() == 3
        assert Course.objects.filter(questions__isnull=False).distinct().count() == 1
        from training.models import LearningPath

        assert LearningPath.objects.exists()
        stages = Enrollment.objects.filter(
            member__user__email__in=[
                "ada@northwind.example",
                "ben@northwind.example",
                "dev@stackforge.example",
            ]
        )
        assert stages.filter(completed_at__isnull=False).exists()
        assert stages.filter(completed_at__isnull=True, started_at__isnull=False).exists()
        assert stages.filter(started_at__isnull=True).exists()
        ada = Certificate.objects.get(member__user__email="ada@northwind.example")
        left = ada.expires_at - timezone.now()
        assert datetime.timedelta(days=15) < left < datetime.timedelta(days=25)
        northwind = PartnerMetrics.objects.get(partner__name="Northwind Resellers")
        assert northwind.certified_people == 4
