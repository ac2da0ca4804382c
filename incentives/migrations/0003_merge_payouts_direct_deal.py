from django.db import migrations


class Migration(migrations.Migration):
    """Joins the two parts built side by side: payouts and earnings on direct deals."""

    dependencies = [
        ("incentives", "0002_earning_direct_deal"),
        ("incentives", "0002_payouts"),
    ]

    operations = []
