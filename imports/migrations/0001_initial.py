"""The CSV import job, moved out of the core (`prm`) into the `imports` app: state only.

The table was created by prm/migrations/0004_importjob.py and keeps its name (`db_table`),
data, index, row-level security policy and grants; this migration only tells Django that the
`imports` app owns it from now on. prm's 0008_importjob_moved_out removes it from prm's state.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('prm', '0007_tenant_host_verification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=30)),
                        ('filename', models.CharField(blank=True, max_length=200)),
                        ('content', models.TextField()),
                        ('status', models.CharField(choices=[('previewed', 'Previewed'), ('queued', 'Queued'), ('running', 'Running'), ('done', 'Done')], default='previewed', max_length=10)),
                        ('total_rows', models.PositiveIntegerField(default=0)),
                        ('rows_done', models.PositiveIntegerField(default=0)),
                        ('preview', models.JSONField(default=list)),
                        ('created', models.PositiveIntegerField(default=0)),
                        ('updated', models.PositiveIntegerField(default=0)),
                        ('skipped', models.PositiveIntegerField(default=0)),
                        ('failed', models.PositiveIntegerField(default=0)),
                        ('error_rows', models.JSONField(default=list)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'prm_importjob',
                        'indexes': [models.Index(fields=['tenant', 'kind', '-created_at'], name='importjob_list')],
                    },
                ),
            ],
        ),
    ]
