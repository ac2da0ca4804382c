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
