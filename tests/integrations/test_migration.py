"""Webhooks moved out of the core into the `integrations` app by state-only migrations: a
database that holds endpoints, deliveries and attempts written before the move still reads
them through the new app, the content types keep their ids, and the tables keep their forced
row-level security."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations import services
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from prm import rls
from prm.tenancy import set_db_tenant, tenant_context

BEFORE_THE_MOVE = [("prm", "0008_importjob_moved_out"), ("integrations", None)]
TABLES = ("prm_deliveryattempt", "prm_webhookdelivery", "prm_webhookendpoint")


def test_webhook_rows_written_before_the_move_are_read_through_the_integrations_app(world):
    types = {m: ContentType.objects.get_for_model(m).pk for m in (WebhookEndpoint, WebhookDelivery)}
    executor = MigrationExecutor(connection)
    # Check the rows the fixtures wrote now: the migrations undone and redone here change keys
    # of their tables, which Postgres refuses while deferred checks are pending.
    with connection.cursor() as cursor:
        # The schema before the move knows no sales rep (prm 0012): the world's goes first.
        set_db_tenant(world.tenant.pk)
        cursor.execute("DELETE FROM prm_member WHERE role = 'sales_rep'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    old = executor.migrate(BEFORE_THE_MOVE).apps  # the models as they were before the move
    assert "integrations" not in {m._meta.app_label for m in old.get_models()}

    # Written through the models as they were: the core's, before the move.
    set_db_tenant(world.tenant.pk)
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

    executor.loader.build_graph()  # what is applied now
    # Check the rows written so far now: later migrations add keys to their tables, which
    # Postgres refuses while deferred checks are pending in this transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor.migrate(executor.loader.graph.leaf_nodes())

    with tenant_context(world.tenant):
        moved = WebhookEndpoint.objects.get(url="https://hooks.example.com/before")
        assert (moved.pk, moved.secret, moved.created_by_id) == (
            endpoint.pk,
            "whsec_before",
            world.admin.pk,
        )
        d = WebhookDelivery.objects.select_related("event").get(endpoint=moved)
        assert (d.pk, d.status, d.attempts, d.event.payload) == (
            delivery.pk,
            "failed",
            3,
            {"deal_id": 7},
        )
        attempt = DeliveryAttempt.objects.get(delivery=d)
        assert (attempt.response_code, attempt.error) == (502, "HTTP 502")
    # The content types kept their ids across the move (permissions, generic references).
    ContentType.objects.clear_cache()
    for model, pk in types.items():
        ct = ContentType.objects.get_for_model(model)
        assert (ct.app_label, ct.pk) == ("integrations", pk)


def test_the_moved_tables_keep_forced_row_level_security(world, stranger):
    assert set(TABLES) <= set(rls.tenant_tables())
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname "
            "AND p.policyname = %s) "
            "FROM pg_class c WHERE c.relname = ANY(%s) ORDER BY c.relname",
            [rls.POLICY, list(TABLES)],
        )
        assert cur.fetchall() == [(table, True, True, True) for table in TABLES]

    with tenant_context(stranger.tenant):
        theirs = services.webhook_endpoint_create(
            by=stranger.admin, url="https://hooks.example.com/theirs", event_types=["deal.won"]
        )
    with tenant_context(world.tenant):
        assert not WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
        # Even unscoped SQL sees only the tenant's own rows (the policy, not the ORM).
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM prm_webhookendpoint WHERE id = %s", [theirs.pk])
            assert cur.fetchone() == (0,)
