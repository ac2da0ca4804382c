"""Whole-tenant export and deletion, moved out of the core (`prm`) into the `tenantdata`
app: state only.

The tables were created by prm/migrations/0005_tenant_data.py and keep their names
(`db_table`), data, index, constraint, row-level security policies and grants, and the SQL
function that purges append-only rows during a deletion (it reads prm_tenantdeletion by name);
this migration only tells Django that `tenantdata` owns them from now on. prm's
0009_tenantdata_moved_out removes them from prm's state.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('prm', '0008_importjob_moved_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='TenantTombstone',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('tenant_pk', models.BigIntegerField(unique=True)),
                        ('slug', models.CharField(max_length=40)),
                        ('name', models.CharField(max_length=120)),
                        ('requested_at', models.DateTimeField()),
                        ('requested_by_member', models.BigIntegerField(blank=True, null=True)),
                        ('deleted_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('row_counts', models.JSONField(default=dict)),
                        ('files_deleted', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'prm_tenanttombstone',
                    },
                ),
                migrations.CreateModel(
                    name='TenantDeletion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('cancelled', 'Cancelled'), ('running', 'Running')], default='pending', max_length=10)),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('due_at', models.DateTimeField()),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                        ('cancelled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='prm.member')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'prm_tenantdeletion',
                        'ordering': ['-requested_at', '-pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'running'])), fields=('tenant',), name='tenantdeletion_one_open')],
                    },
                ),
                migrations.CreateModel(
                    name='TenantExport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('ready', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('tables_total', models.PositiveIntegerField(default=0)),
                        ('tables_done', models.PositiveIntegerField(default=0)),
                        ('rows', models.PositiveBigIntegerField(default=0)),
                        ('file', models.FileField(blank=True, upload_to='tenant-exports/')),
                        ('size', models.PositiveBigIntegerField(default=0)),
                        ('error', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'prm_tenantexport',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['tenant', '-created_at'], name='tenantexport_recent_idx')],
                    },
                ),
            ],
        ),
    ]
