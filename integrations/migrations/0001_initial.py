"""Webhook endpoints, deliveries and the delivery log, moved out of the core (`prm`) into the
`integrations` app: state only.

The tables were created by prm/migrations/0002_integrations.py and keep their names
(`db_table`), data, indexes, constraints, row-level security policies and grants; this
migration only tells Django that the `integrations` app owns them from now on. prm's
0010_webhooks_moved_out removes them from prm's state.
"""

import django.contrib.postgres.fields
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
                    name='WebhookEndpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('url', models.URLField(max_length=500, verbose_name='URL')),
                        ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                        ('event_types', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=60), size=None, verbose_name='events')),
                        ('secret', models.CharField(max_length=100)),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('disabled_reason', models.CharField(blank=True, max_length=300)),
                        ('disabled_at', models.DateTimeField(blank=True, null=True)),
                        ('failing_since', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'prm_webhookendpoint',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='pending', max_length=12)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('response_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('response_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('error', models.CharField(blank=True, max_length=300)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.outboxevent')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                        ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='integrations.webhookendpoint')),
                    ],
                    options={
                        'db_table': 'prm_webhookdelivery',
                    },
                ),
                migrations.CreateModel(
                    name='DeliveryAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('attempted_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('response_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('response_ms', models.PositiveIntegerField(default=0)),
                        ('ok', models.BooleanField(default=False)),
                        ('error', models.CharField(blank=True, max_length=300)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='integrations.webhookdelivery')),
                    ],
                    options={
                        'db_table': 'prm_deliveryattempt',
                        'indexes': [models.Index(fields=['tenant', 'delivery'], name='webhook_attempt_delivery')],
                    },
                ),
                migrations.AddIndex(
                    model_name='webhookdelivery',
                    index=models.Index(condition=models.Q(('status', 'pending')), fields=['tenant', 'next_attempt_at'], name='webhook_delivery_due_idx'),
                ),
                migrations.AddIndex(
                    model_name='webhookdelivery',
                    index=models.Index(fields=['tenant', 'endpoint', '-created_at'], name='webhook_delivery_ep'),
                ),
                migrations.AddConstraint(
                    model_name='webhookdelivery',
                    constraint=models.UniqueConstraint(fields=('tenant', 'endpoint', 'event'), name='webhook_delivery_unique'),
                ),
            ],
        ),
    ]
