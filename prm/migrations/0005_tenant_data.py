"""Whole-tenant export and deletion (prm/tenant_data.py), and MFA for partner admins.

`prm_tenant_purge_append_only` lets the app role delete the append-only tables' rows of the
current tenant, in batches, and only while a deletion of that tenant is running: the app
role itself has no DELETE on them (prm.rls.APPEND_ONLY). SECURITY DEFINER, owned by the
owner role, which is subject to the forced RLS policy too.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

PURGE = """
CREATE OR REPLACE FUNCTION prm_tenant_purge_append_only(p_table text, p_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    t bigint := NULLIF(current_setting('prm.tenant_id', true), '')::bigint;
    n integer;
BEGIN
    IF t IS NULL THEN
        RAISE EXCEPTION 'prm_tenant_purge_append_only needs a tenant (prm.tenant_id)';
    END IF;
    IF p_table NOT IN ('prm_auditevent', 'mdf_ledgerentry', 'dealreg_dealevent') THEN
        RAISE EXCEPTION 'prm_tenant_purge_append_only: % is not an append-only table', p_table;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM prm_tenantdeletion
                    WHERE tenant_id = t AND status = 'running') THEN
        RAISE EXCEPTION 'prm_tenant_purge_append_only: no deletion of tenant % is running', t;
    END IF;
    EXECUTE format(
        'DELETE FROM %I WHERE id IN (SELECT id FROM %I WHERE tenant_id = $1 LIMIT $2)',
        p_table, p_table
    ) USING t, p_limit;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
"""
SIGNATURE = "prm_tenant_purge_append_only(text, integer)"


def grant(apps, schema_editor):
    conn = schema_editor.connection
    role = settings.PRM_DB_APP_ROLE
    with conn.cursor() as cur:
        cur.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cur.fetchone():
            cur.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {conn.ops.quote_name(role)}")


class Migration(migrations.Migration):
    dependencies = [
        ("prm", "0004_importjob"),
    ]

    operations = [
        migrations.CreateModel(
            name="TenantTombstone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("tenant_pk", models.BigIntegerField(unique=True)),
                ("slug", models.CharField(max_length=40)),
                ("name", models.CharField(max_length=120)),
                ("requested_at", models.DateTimeField()),
                ("requested_by_member", models.BigIntegerField(blank=True, null=True)),
                ("deleted_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("row_counts", models.JSONField(default=dict)),
                ("files_deleted", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="tenant",
            name="require_mfa_for_partner_admins",
            field=models.BooleanField(
                default=False, verbose_name="require two-factor authentication for partner admins"
            ),
        ),
        migrations.CreateModel(
            name="TenantDeletion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("cancelled", "Cancelled"),
                            ("running", "Running"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("due_at", models.DateTimeField()),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="prm.member",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="prm.member",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="prm.tenant",
                    ),
                ),
            ],
            options={
                "ordering": ["-requested_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status__in", ["pending", "running"])),
                        fields=("tenant",),
                        name="tenantdeletion_one_open",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TenantExport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("tables_total", models.PositiveIntegerField(default=0)),
                ("tables_done", models.PositiveIntegerField(default=0)),
                ("rows", models.PositiveBigIntegerField(default=0)),
                ("file", models.FileField(blank=True, upload_to="tenant-exports/")),
                ("size", models.PositiveBigIntegerField(default=0)),
                ("error", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="prm.member",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="prm.tenant",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["tenant", "-created_at"], name="tenantexport_recent_idx")
                ],
            },
        ),
        migrations.RunSQL(PURGE, f"DROP FUNCTION IF EXISTS {SIGNATURE}"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
