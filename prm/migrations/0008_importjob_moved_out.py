"""CSV import jobs moved to their own app (`imports`): ImportJob leaves prm's migration state.

State only: the table prm_importjob stays as it is and now belongs to imports.ImportJob
(imports/migrations/0001_initial.py, which pins `db_table`). Nothing in the database changes,
in either direction.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('prm', '0007_tenant_host_verification'),
        ('imports', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='ImportJob')],
        ),
    ]
