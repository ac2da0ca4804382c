"""Whole-tenant export and deletion moved out of the core into the `tenantdata` app by
state-only migrations: a database that holds exports, a pending deletion and a tombstone
written before the move still reads them through the new app, the content types keep their
ids, and row-level security still guards the moved tables."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from prm import rls
from prm.tenancy import set_db_tenant, system_context, tenant_context
from tenantdata.models import TenantDeletion, TenantExport, TenantTombstone

BEFORE_THE_MOVE = [("prm", "0008_importjob_moved_out"), ("tenantdata", None)]
MOVED_TABLES = ("prm_tenantdeletion", "prm_tenantexport", "prm_tenanttombstone")


def test_tenant_data_written_before_the_move_is_read_through_the_tenantdata_app(world, stranger):
    export_type = ContentType.objects.get_for_model(TenantExport).pk
    deletion_type = ContentType.objects.get_for_model(TenantDeletion).pk
    executor = MigrationExecutor(connection)
    with connection.cursor() as cursor:
        # The schema before the move knows no sales rep (prm 0012): the world's goes first;
        # and the rows the fixtures wrote are checked now, since the migrations undone and
        # redone here change keys of their tables (refused while checks are pending).
        for tenant in (world.tenant, stranger.tenant):
            set_db_tenant(tenant.pk)
            cursor.execute("DELETE FROM prm_member WHERE role = 'sales_rep'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    old = executor.migrate(BEFORE_THE_MOVE).apps  # the models as they were before the move
    assert "tenantdata" not in {m._meta.app_label for m in old.get_models()}

    # Written through the models as they were: the core's, before the move.
    now = timezone.now()
    set_db_tenant(world.tenant.pk)
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

    executor.loader.build_graph()  # what is applied now
    executor.migrate(executor.loader.graph.leaf_nodes())

    with tenant_context(world.tenant):
        moved = TenantExport.objects.get(pk=export.pk)
        assert (moved.status, moved.rows, moved.requested_by_id) == ("ready", 1234, world.admin.pk)
        assert moved.file.name.endswith("before.zip") and moved.percent == 100
        pending = TenantDeletion.objects.get(pk=deletion.pk)
        assert (pending.status, pending.requested_by_id) == ("pending", world.admin.pk)
    with system_context():
        gone = TenantTombstone.objects.get(pk=tombstone.pk)
        assert (gone.slug, gone.row_counts, gone.files_deleted) == (
            "gone-before",
            {"partners_partner": 3},
            2,
        )
    # Row-level security still guards the moved tenant tables: another tenant sees nothing.
    assert {"prm_tenantdeletion", "prm_tenantexport"} <= set(rls.tenant_tables())
    with tenant_context(stranger.tenant):
        assert not TenantExport.objects.filter(pk=export.pk).exists()
        assert not TenantDeletion.objects.filter(pk=deletion.pk).exists()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)",
            [list(MOVED_TABLES)],
        )
        flags = {name: (on, forced) for name, on, forced in cur.fetchall()}
    assert flags["prm_tenantexport"] == flags["prm_tenantdeletion"] == (True, True)
    # The content types kept their ids across the move (permissions, generic references).
    ContentType.objects.clear_cache()
    for model, pk in ((TenantExport, export_type), (TenantDeletion, deletion_type)):
        ct = ContentType.objects.get_for_model(model)
        assert (ct.app_label, ct.pk) == ("tenantdata", pk)
