"""CSV import jobs moved out of the core into the `imports` app by state-only migrations: a
database that holds import jobs written before the move still reads them through the new
app, and the content type keeps its id."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from imports.models import ImportJob
from prm.tenancy import set_db_tenant, tenant_context

BEFORE_THE_MOVE = [("prm", "0007_tenant_host_verification"), ("imports", None)]


def test_import_jobs_written_before_the_move_are_read_through_the_imports_app(world):
    job_type = ContentType.objects.get_for_model(ImportJob).pk
    executor = MigrationExecutor(connection)
    # Check the rows the fixtures wrote now: the migrations undone and redone here change keys
    # of their tables, which Postgres refuses while deferred checks are pending.
    with connection.cursor() as cursor:
        # The schema before the move knows no sales rep (prm 0012): the world's goes first.
        set_db_tenant(world.tenant.pk)
        cursor.execute("DELETE FROM prm_member WHERE role = 'sales_rep'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    old = executor.migrate(BEFORE_THE_MOVE).apps  # the models as they were before the move
    assert "imports" not in {m._meta.app_label for m in old.get_models()}

    # Written through the model as it was: the core's, before the move.
    set_db_tenant(world.tenant.pk)
    job = old.get_model("prm", "ImportJob").objects.create(
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

    executor.loader.build_graph()  # what is applied now
    # Check the rows written so far now: later migrations add keys to their tables, which
    # Postgres refuses while deferred checks are pending in this transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor.migrate(executor.loader.graph.leaf_nodes())

    with tenant_context(world.tenant):
        moved = ImportJob.objects.get(filename="before.csv")
        assert (moved.pk, moved.kind, moved.created_by_id) == (job.pk, "partners", world.admin.pk)
        assert (moved.status, moved.percent, moved.preview[0]["label"]) == (
            "done",
            100,
            "Northwind",
        )
    # The content type kept its id across the move (permissions, generic references).
    ContentType.objects.clear_cache()
    ct = ContentType.objects.get_for_model(ImportJob)
    assert (ct.app_label, ct.pk) == ("imports", job_type)
