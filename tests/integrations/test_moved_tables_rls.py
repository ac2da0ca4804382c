"""Webhooks moved out of the core into the `integrations` app by state-only migrations: the
moved tables keep their forced row-level security. (Rows written before the move are read
through the new app: tests/prm/test_moved_out_migrations.py.)"""

from __future__ import annotations

from django.db import connection

from integrations import services
from integrations.models import WebhookEndpoint
from prm import rls
from prm.tenancy import tenant_context

TABLES = ("prm_deliveryattempt", "prm_webhookdelivery", "prm_webhookendpoint")


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
