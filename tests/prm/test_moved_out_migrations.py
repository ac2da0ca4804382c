"""Four capabilities moved out of the core (and onboarding) into apps of their own by
state-only migrations: CSV imports (`imports`), whole-tenant export and deletion
(`tenantdata`), webhooks (`integrations`) and training (`training`). A database holding rows
written before the moves still reads them through the new apps, the content types keep their
ids, and row-level security still guards the moved tables.

The migrations are undone and redone once for the module (one back-and-forth over the four
moves costs what one move used to: rendering the model states, not the SQL, is the work); each
test then checks one move. Everything happens in one transaction that is rolled back at the
end, so the database is left as it was."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from imports.models import ImportJob
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from prm import rls
from prm.tenancy import set_db_tenant, system_context, tenant_context
from tenantdata.models import TenantDeletion, TenantExport, TenantTombstone
from tests.conftest import build_world
from training.models import Certificate, Course, Enrollment, LearningPath, QuizAttempt

# tests/conftest.py runs a module with this flag whole on one xdist worker: the migrations
# below are undone and redone once per process that runs any of its tests.
RUN_WHOLE_ON_ONE_WORKER = True

# The schema before every move: the core before imports moved out (prm 0007), onboarding
# before training moved out (0003), and none of the four new apps.
BEFORE_THE_MOVES = [
    ("prm", "0007_tenant_host_verification"),
    ("onboarding", "0003_application_language"),
    ("imports", None),
    ("tenantdata", None),
    ("integrations", None),
    ("training", None),
]
NEW_APPS = {"imports", "tenantdata", "integrations", "training"}


def _write_import_job(old, world):
    return old.get_model("prm", "ImportJob").objects.create(
        tenant_id=world.tenant.pk,
        kind="partners",
        created_by_id=world.admin.pk,
        filename="before.csv",
        content="name\nNorthwind\n",
        status="done",
        total_rows=1,
        rows_done=1,
        created=1,
        preview=[{"line": 2, "action": "create", "label": "Northwind", "errors": []}],
    )


def _write_tenant_data(old, world):
    now = timezone.now()
    export = old.get_model("prm", "TenantExport").objects.create(
        tenant_id=world.tenant.pk,
        requested_by_id=world.admin.pk,
        status="ready",
        tables_total=40,
        tables_done=40,
        rows=1234,
        file=f"tenant-exports/{world.tenant.pk}/before.zip",
        size=2048,
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=72),
    )
    deletion = old.get_model("prm", "TenantDeletion").objects.create(
        tenant_id=world.tenant.pk,
        requested_by_id=world.admin.pk,
        requested_at=now,
        due_at=now + datetime.timedelta(days=14),
    )
    set_db_tenant(None)
    tombstone = old.get_model("prm", "TenantTombstone").objects.create(
        tenant_pk=987654,
        slug="gone-before",
        name="Deleted before the move",
        requested_at=now - datetime.timedelta(days=20),
        row_counts={"partners_partner": 3},
        files_deleted=2,
    )
    set_db_tenant(world.tenant.pk)
    return SimpleNamespace(export=export, deletion=deletion, tombstone=tombstone)


def _write_webhooks(old, world):
    t = {"tenant_id": world.tenant.pk}
    endpoint = old.get_model("prm", "WebhookEndpoint").objects.create(
        **t,
        url="https://hooks.example.com/before",
        event_types=["deal.approved"],
        secret="whsec_before",
        created_by_id=world.admin.pk,
    )
    event = old.get_model("prm", "OutboxEvent").objects.create(
        **t, event_type="deal.approved", payload={"deal_id": 7}
    )
    delivery = old.get_model("prm", "WebhookDelivery").objects.create(
        **t, endpoint_id=endpoint.pk, event_id=event.pk, status="failed", attempts=3
    )
    old.get_model("prm", "DeliveryAttempt").objects.create(
        **t, delivery_id=delivery.pk, response_code=502, response_ms=40, error="HTTP 502"
    )
    return SimpleNamespace(endpoint=endpoint, delivery=delivery)


def _write_training(old, world):
    t = {"tenant_id": world.tenant.pk}
    member = world.partner_user.pk
    course = old.get_model("onboarding", "Course").objects.create(
        **t, code="OLD-1", title="Written before the move", status="published"
    )
    lesson = old.get_model("onboarding", "Lesson").objects.create(
        **t, course=course, title="Lesson one"
    )
    path = old.get_model("onboarding", "LearningPath").objects.create(**t, name="Sales path")
    old.get_model("onboarding", "PathCourse").objects.create(**t, path=path, course=course)
    enrollment = old.get_model("onboarding", "Enrollment").objects.create(
        **t,
        member_id=member,
        course=course,
        source="path",
        path=path,
        last_lesson=lesson,
        completed_at=timezone.now(),
    )
    old.get_model("onboarding", "LessonProgress").objects.create(
        **t, enrollment=enrollment, lesson=lesson
    )
    old.get_model("onboarding", "QuizAttempt").objects.create(
        **t, enrollment=enrollment, course=course, member_id=member, score=90, passed=True
    )
    certification = old.get_model("onboarding", "Certification").objects.create(
        **t, code="CERT-OLD", name="Old certification"
    )
    old.get_model("onboarding", "CertificationCourse").objects.create(
        **t, certification=certification, course=course
    )
    certificate = old.get_model("onboarding", "Certificate").objects.create(
        **t,
        certification=certification,
        member_id=member,
        holder_name="Pat Partner",
        code="OLDCODE2345678923456",
        expires_at=timezone.now() + datetime.timedelta(days=300),
    )
    old.get_model("onboarding", "CertificateNotice").objects.create(
        **t, certificate=certificate, kind="reminder_30", expires_at=certificate.expires_at
    )
    return SimpleNamespace(course=course, lesson=lesson, member=member)


@pytest.fixture(scope="module")
def moved(django_db_setup, django_db_blocker):
    """The rows of all four moves, written through the models as they were before the moves,
    then the migrations redone; the content type ids are the ones before the moves."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            try:
                world, stranger = build_world("own"), build_world("stranger")
                models = {
                    "import": ImportJob,
                    "export": TenantExport,
                    "deletion": TenantDeletion,
                    "endpoint": WebhookEndpoint,
                    "delivery": WebhookDelivery,
                    "course": Course,
                }
                type_ids = {k: ContentType.objects.get_for_model(m).pk for k, m in models.items()}
                with connection.cursor() as cursor:
                    # The schema before the moves knows no sales rep (prm 0012): the worlds' go
                    # first; and the rows written so far are checked now, since the migrations
                    # undone here change keys of their tables (refused while checks are pending).
                    for each in (world, stranger):
                        set_db_tenant(each.tenant.pk)
                        cursor.execute("DELETE FROM prm_member WHERE role = 'sales_rep'")
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                MigrationExecutor(connection).migrate(BEFORE_THE_MOVES)
                # The models as they were, from a second executor that finds nothing to undo: the
                # state the first one returns is wrong when several apps are migrated back (it
                # starts from the state before the last migration it undid, which here is not
                # the earliest of them in the forward plan).
                executor = MigrationExecutor(connection)
                old = executor.migrate(BEFORE_THE_MOVES).apps
                apps_before = {m._meta.app_label for m in old.get_models()}

                set_db_tenant(world.tenant.pk)
                rows = SimpleNamespace(
                    job=_write_import_job(old, world),
                    tenantdata=_write_tenant_data(old, world),
                    webhooks=_write_webhooks(old, world),
                    training=_write_training(old, world),
                )
                set_db_tenant(None)

                executor.loader.build_graph()  # what is applied now
                # Later migrations add keys to the tables just written: check the rows first.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                executor.migrate(executor.loader.graph.leaf_nodes())
                ContentType.objects.clear_cache()
                yield SimpleNamespace(
                    world=world,
                    stranger=stranger,
                    apps_before=apps_before,
                    type_ids=type_ids,
                    rows=rows,
                )
            finally:
                # Everything above is undone: the rows, and the migrations' own bookkeeping.
                transaction.set_rollback(True)
        ContentType.objects.clear_cache()


def _content_type_kept(model, app_label, pk):
    ct = ContentType.objects.get_for_model(model)
    assert (ct.app_label, ct.pk) == (app_label, pk)


def test_the_schema_before_the_moves_has_none_of_the_new_apps(moved, db):
    assert not NEW_APPS & moved.apps_before
    assert {"prm", "onboarding"} <= moved.apps_before


def test_import_jobs_written_before_the_move_are_read_through_the_imports_app(moved, db):
    world, job = moved.world, moved.rows.job
    with tenant_context(world.tenant):
        found = ImportJob.objects.get(filename="before.csv")
        assert (found.pk, found.kind, found.created_by_id) == (job.pk, "partners", world.admin.pk)
        assert (found.status, found.percent, found.preview[0]["label"]) == (
            "done",
            100,
            "Northwind",
        )
    # The content type kept its id across the move (permissions, generic references).
    _content_type_kept(ImportJob, "imports", moved.type_ids["import"])


def test_tenant_data_written_before_the_move_is_read_through_the_tenantdata_app(moved, db):
    world, rows = moved.world, moved.rows.tenantdata
    with tenant_context(world.tenant):
        export = TenantExport.objects.get(pk=rows.export.pk)
        assert (export.status, export.rows, export.requested_by_id) == (
            "ready",
            1234,
            world.admin.pk,
        )
        assert export.file.name.endswith("before.zip") and export.percent == 100
        pending = TenantDeletion.objects.get(pk=rows.deletion.pk)
        assert (pending.status, pending.requested_by_id) == ("pending", world.admin.pk)
    with system_context():
        gone = TenantTombstone.objects.get(pk=rows.tombstone.pk)
        assert (gone.slug, gone.row_counts, gone.files_deleted) == (
            "gone-before",
            {"partners_partner": 3},
            2,
        )
    # Row-level security still guards the moved tenant tables: another tenant sees nothing.
    assert {"prm_tenantdeletion", "prm_tenantexport"} <= set(rls.tenant_tables())
    with tenant_context(moved.stranger.tenant):
        assert not TenantExport.objects.filter(pk=rows.export.pk).exists()
        assert not TenantDeletion.objects.filter(pk=rows.deletion.pk).exists()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)",
            [["prm_tenantexport", "prm_tenantdeletion"]],
        )
        assert sorted(cur.fetchall()) == [
            ("prm_tenantdeletion", True, True),
            ("prm_tenantexport", True, True),
        ]
    _content_type_kept(TenantExport, "tenantdata", moved.type_ids["export"])
    _content_type_kept(TenantDeletion, "tenantdata", moved.type_ids["deletion"])


def test_webhook_rows_written_before_the_move_are_read_through_the_integrations_app(moved, db):
    world, rows = moved.world, moved.rows.webhooks
    with tenant_context(world.tenant):
        endpoint = WebhookEndpoint.objects.get(url="https://hooks.example.com/before")
        assert (endpoint.pk, endpoint.secret, endpoint.created_by_id) == (
            rows.endpoint.pk,
            "whsec_before",
            world.admin.pk,
        )
        d = WebhookDelivery.objects.select_related("event").get(endpoint=endpoint)
        assert (d.pk, d.status, d.attempts, d.event.payload) == (
            rows.delivery.pk,
            "failed",
            3,
            {"deal_id": 7},
        )
        attempt = DeliveryAttempt.objects.get(delivery=d)
        assert (attempt.response_code, attempt.error) == (502, "HTTP 502")
    with tenant_context(moved.stranger.tenant):
        assert not WebhookEndpoint.objects.filter(pk=rows.endpoint.pk).exists()
    _content_type_kept(WebhookEndpoint, "integrations", moved.type_ids["endpoint"])
    _content_type_kept(WebhookDelivery, "integrations", moved.type_ids["delivery"])


def test_training_written_before_the_move_is_read_through_the_training_app(moved, db):
    world, rows = moved.world, moved.rows.training
    lesson = rows.lesson
    with tenant_context(world.tenant):
        course = Course.objects.get(code="OLD-1")
        assert course.pk == rows.course.pk and course.title == "Written before the move"
        assert [x.title for x in course.lessons.all()] == ["Lesson one"]
        e = Enrollment.objects.get(course=course, member_id=rows.member)
        assert (e.path.name, e.last_lesson_id, e.progress.get().lesson_id) == (
            "Sales path",
            lesson.pk,
            lesson.pk,
        )
        assert e.attempts.get().score == 90
        assert QuizAttempt.objects.get(course=course).enrollment_id == e.pk
        assert list(LearningPath.objects.get(name="Sales path").courses.all()) == [course]
        cert = Certificate.objects.get(code="OLDCODE2345678923456")
        assert list(cert.certification.courses.all()) == [course]
        assert cert.notices.get().kind == "reminder_30" and cert.is_valid()
        assert cert.member_id == rows.member
    with tenant_context(moved.stranger.tenant):
        assert not Course.objects.filter(pk=rows.course.pk).exists()
    _content_type_kept(Course, "training", moved.type_ids["course"])
