# Time-to-first-deal cohorts become one row per partner (with region and channel manager as
# dimensions); the table is rebuilt by every rollup run, so it is recreated rather than
# converted. Settings record when the stored rollups went stale; runs record why they were
# queued.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_kpis_funnel_cohorts"),
        ("partners", "0003_tierchange_partner_activated_at_and_more"),
        ("prm", "0002_integrations"),
    ]

    operations = [
        migrations.DeleteModel(name="FirstDealCohort"),
        migrations.CreateModel(
            name="FirstDealCohort",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("cohort_month", models.DateField()),
                ("partner_type", models.CharField(max_length=32)),
                ("region", models.CharField(blank=True, max_length=8)),
                ("first_deal_days", models.PositiveIntegerField(blank=True, null=True)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="prm.tenant",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.partner",
                    ),
                ),
                (
                    "tier",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.tier",
                    ),
                ),
                (
                    "manager",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="prm.member",
                    ),
                ),
            ],
            options={
                "ordering": ["cohort_month"],
                "indexes": [
                    models.Index(fields=["tenant", "cohort_month"], name="cohort_month_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "partner"), name="firstdealcohort_partner"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="analyticssettings",
            name="rollups_stale_since",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="analyticssettings",
            name="rollups_stale_reason",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="rolluprun",
            name="reason",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
