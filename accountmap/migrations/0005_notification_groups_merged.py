"""Account mapping's three notification groups ("accounts": new overlaps; "accountmap":
introductions; "overlaps": overlapping open opportunities to co-sell) become one, "accounts"
(prm.events.GROUPS: "Accounts and overlaps").

Each member keeps one preference for it: the most notifying of the choices they had made
among the three (immediately, then the daily digest, then off); a member who chose none keeps
their role's default. Notifications already sent move to the group too.

Per tenant under that tenant's setting: forced row-level security applies to the owner too.
The tables are the core's (prm); the groups were this app's, so the move is this app's.
"""

from django.db import migrations

OLD = ["accountmap", "overlaps"]
ALL = ["accounts", *OLD]

# The most notifying choice per member among the three groups, as the "accounts" row.
MERGE_PREFERENCES = """
INSERT INTO prm_notificationpreference (tenant_id, member_id, "group", mode)
SELECT DISTINCT ON (p.member_id) p.tenant_id, p.member_id, 'accounts', p.mode
FROM prm_notificationpreference p
WHERE p.tenant_id = %s AND p."group" = ANY(%s)
ORDER BY p.member_id,
         CASE p.mode WHEN 'immediate' THEN 3 WHEN 'digest' THEN 2 ELSE 1 END DESC
ON CONFLICT (tenant_id, member_id, "group") DO UPDATE SET mode = EXCLUDED.mode
"""
DROP_OLD_PREFERENCES = """
DELETE FROM prm_notificationpreference WHERE tenant_id = %s AND "group" = ANY(%s)
"""
MOVE_NOTIFICATIONS = """
UPDATE prm_notification SET "group" = 'accounts' WHERE tenant_id = %s AND "group" = ANY(%s)
"""


def merge_groups(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id FROM prm_tenant ORDER BY id")
        tenant_ids = [r[0] for r in cur.fetchall()]
    for tenant_id in tenant_ids:
        with schema_editor.connection.cursor() as cur:
            cur.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(tenant_id)])
            cur.execute(MERGE_PREFERENCES, [tenant_id, ALL])
            cur.execute(DROP_OLD_PREFERENCES, [tenant_id, OLD])
            cur.execute(MOVE_NOTIFICATIONS, [tenant_id, OLD])


class Migration(migrations.Migration):
    dependencies = [
        ("accountmap", "0004_keys_with_tenant"),
        ("prm", "0012_member_role_sales_rep"),
    ]

    # Irreversible in substance (three choices became one); going back leaves the rows.
    operations = [migrations.RunPython(merge_groups, migrations.RunPython.noop)]
