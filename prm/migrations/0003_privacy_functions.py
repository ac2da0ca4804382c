"""SQL functions for personal-data erasure.

The app role may only SELECT and INSERT on the audit trail (it is append-only for the
application). Erasing a person must still pseudonymise their personal details in it, so the
one permitted change is a SECURITY DEFINER function owned by the owner role: it touches only
the personal columns (actor_label, ip, user_agent, and the e-mail in object_label) of one
user's rows, and only in the current tenant (the owner is subject to the forced RLS policy
too, and the WHERE clause repeats the tenant condition).
"""

from django.conf import settings
from django.db import migrations

PSEUDONYMISE = """
CREATE OR REPLACE FUNCTION prm_audit_pseudonymise(p_user_id bigint, p_email text, p_label text)
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
        RAISE EXCEPTION 'prm_audit_pseudonymise needs a tenant (prm.tenant_id)';
    END IF;
    UPDATE prm_auditevent
       SET actor_label = CASE WHEN actor_id = p_user_id OR lower(actor_label) = lower(p_email)
                              THEN p_label ELSE actor_label END,
           ip = CASE WHEN actor_id = p_user_id OR lower(actor_label) = lower(p_email)
                     THEN NULL ELSE ip END,
           user_agent = CASE WHEN actor_id = p_user_id OR lower(actor_label) = lower(p_email)
                             THEN '' ELSE user_agent END,
           object_label = CASE WHEN lower(object_label) = lower(p_email)
                               THEN p_label ELSE object_label END,
           "after" = CASE WHEN lower("after" ->> 'email') = lower(p_email)
                          THEN jsonb_set("after", '{email}', to_jsonb(p_label))
                          ELSE "after" END,
           "before" = CASE WHEN lower("before" ->> 'email') = lower(p_email)
                           THEN jsonb_set("before", '{email}', to_jsonb(p_label))
                           ELSE "before" END
     WHERE tenant_id = t
       AND (actor_id = p_user_id OR lower(actor_label) = lower(p_email)
            OR lower(object_label) = lower(p_email)
            OR lower("after" ->> 'email') = lower(p_email)
            OR lower("before" ->> 'email') = lower(p_email));
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;
"""

OTHER_TENANTS = """
CREATE OR REPLACE FUNCTION prm_user_other_tenant_count(p_user_id bigint)
RETURNS integer
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    -- Memberships of one user outside the current tenant: a count, nothing else, so that
    -- erasure in one tenant knows whether the account itself may be pseudonymised.
    SELECT count(*)::integer FROM prm_member
     WHERE user_id = p_user_id
       AND tenant_id IS DISTINCT FROM NULLIF(current_setting('prm.tenant_id', true), '')::bigint
$$;
"""


def grant(apps, schema_editor):
    conn = schema_editor.connection
    role = settings.PRM_DB_APP_ROLE
    qn = conn.ops.quote_name
    with conn.cursor() as cur:
        for sig in (
            "prm_audit_pseudonymise(bigint, text, text)",
            "prm_user_other_tenant_count(bigint)",
        ):
            cur.execute(f"REVOKE ALL ON FUNCTION {sig} FROM PUBLIC")
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cur.fetchone():
                cur.execute(f"GRANT EXECUTE ON FUNCTION {sig} TO {qn(role)}")


class Migration(migrations.Migration):
    dependencies = [("prm", "0002_integrations")]

    operations = [
        migrations.RunSQL(PSEUDONYMISE, "DROP FUNCTION IF EXISTS prm_audit_pseudonymise"),
        migrations.RunSQL(
            OTHER_TENANTS, "DROP FUNCTION IF EXISTS prm_user_other_tenant_count"
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
