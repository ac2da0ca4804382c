"""Row-level security and grants, applied after every `migrate`.

Every model with a `tenant` foreign key gets FORCED RLS with the `tenant_isolation` policy,
so no new table can be forgotten: the policy follows the model, not a hand-written migration.
The statements are idempotent and skipped when already in place.

The app role (settings.PRM_DB_APP_ROLE) gets DML on every table except the audit trail, where
it may only SELECT and INSERT, and `django_migrations`, which it may only read.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

CURRENT_TENANT = "NULLIF(current_setting('prm.tenant_id', true), '')::bigint"
CURRENT_USER = "NULLIF(current_setting('prm.user_id', true), '')::bigint"
POLICY = "tenant_isolation"

# Tables with a tenant column that are read before any tenant is known. Documented reference
# data, not tenant data: the host map resolves requests to tenants.
UNPROTECTED = {"prm_tenanthost"}

# Extra policies, OR-ed with tenant_isolation (permissive policies combine with OR).
EXTRA_POLICIES = {
    "prm_member": [
        # A person may list their own memberships in every tenant (the tenant switcher).
        ("member_self_read", f"FOR SELECT USING (user_id = {CURRENT_USER})"),
    ],
    "prm_auditevent": [
        # Sign-in events on the bare base domain carry no tenant: write-only for the app.
        (
            "audit_no_tenant_insert",
            f"FOR INSERT WITH CHECK (tenant_id IS NULL AND {CURRENT_TENANT} IS NULL)",
        ),
    ],
}

APPEND_ONLY = {
    "prm_auditevent",
    "mdf_ledgerentry",
    "dealreg_dealevent",
    "incentives_ledgerentry",
}
READ_ONLY = {"django_migrations"}


def tenant_tables() -> list[str]:
    """Every table of a concrete model that has a `tenant` foreign key, except UNPROTECTED."""
    tables = []
    for model in apps.get_models():
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        try:
            field = meta.get_field("tenant")
        except Exception:  # noqa: S112 - models without a tenant are global by design
            continue
        if field.is_relation and field.related_model._meta.label == "prm.Tenant":
            if meta.db_table not in UNPROTECTED:
                tables.append(meta.db_table)
    return sorted(tables)


def apply(using: str = "default") -> None:
    conn = connections[using]
    app_role = settings.PRM_DB_APP_ROLE
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        )
        flags = {name: (rls, forced) for name, rls, forced in cur.fetchall()}
        cur.execute(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
        )
        existing = {(t, p) for t, p in cur.fetchall()}
        qn = conn.ops.quote_name
        for table in tenant_tables():
            if table not in flags:
                continue
            rls, forced = flags[table]
            if not rls:
                cur.execute(f"ALTER TABLE {qn(table)} ENABLE ROW LEVEL SECURITY")
            if not forced:
                cur.execute(f"ALTER TABLE {qn(table)} FORCE ROW LEVEL SECURITY")
            if (table, POLICY) not in existing:
                cur.execute(
                    f"CREATE POLICY {POLICY} ON {qn(table)} "
                    f"USING (tenant_id = {CURRENT_TENANT}) "
                    f"WITH CHECK (tenant_id = {CURRENT_TENANT})"
                )
            for name, body in EXTRA_POLICIES.get(table, []):
                if (table, name) not in existing:
                    cur.execute(f"CREATE POLICY {name} ON {qn(table)} {body}")

        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
        if cur.fetchone() is None:
            log.warning("Database role %s does not exist; grants skipped.", app_role)
            return
        role = qn(app_role)
        cur.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cur.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cur.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        for table in APPEND_ONLY & flags.keys():
            cur.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {qn(table)} FROM {role}")
        for table in READ_ONLY & flags.keys():
            cur.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {qn(table)} FROM {role}")


def apply_after_migrate(sender, using="default", **kwargs) -> None:
    apply(using)
