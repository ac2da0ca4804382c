"""Webhooks moved to their own app (`integrations`): WebhookEndpoint, WebhookDelivery and
DeliveryAttempt leave prm's migration state.

State only: the tables prm_webhookendpoint, prm_webhookdelivery and prm_deliveryattempt stay
as they are and now belong to the integrations models (integrations/migrations/0001_initial.py,
which pins `db_table`). Nothing in the database changes, in either direction. The outbox and
notifications stay in the core.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('prm', '0009_tenantdata_moved_out'),
        ('integrations', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='DeliveryAttempt'),
                migrations.DeleteModel(name='WebhookDelivery'),
                migrations.DeleteModel(name='WebhookEndpoint'),
            ],
        ),
    ]
