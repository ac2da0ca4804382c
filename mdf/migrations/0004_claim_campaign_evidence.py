from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mdf", "0003_request_funded_campaign"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="campaign_evidence",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
