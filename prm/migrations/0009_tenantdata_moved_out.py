"""Whole-tenant export and deletion moved to their own app (`tenantdata`): TenantExport,
TenantDeletion and TenantTombstone leave prm's migration state.

State only: the tables prm_tenantexport, prm_tenantdeletion and prm_tenanttombstone stay as
they are and now belong to tenantdata's models (tenantdata/migrations/0001_initial.py, which
pins `db_table`). Nothing in the database changes, in either direction.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('prm', '0008_importjob_moved_out'),
        ('tenantdata', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='TenantTombstone'),
                migrations.DeleteModel(name='TenantDeletion'),
                migrations.DeleteModel(name='TenantExport'),
            ],
        ),
    ]
