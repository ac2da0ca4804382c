"""Issue #17: free-mail and ISP domains are never a company's domain. The website field
refuses them (a validator), and deals and leads stored with one lose it: such a domain is no
evidence of the customer, and the one-approved-deal-per-domain constraint must not hold two
customers of gmail.com apart."""

from django.db import migrations, models

import partners.freemail


def forget_freemail_domains(apps, schema_editor):
    from partners.freemail import is_freemail

    Deal = apps.get_model("dealreg", "Deal")
    Lead = apps.get_model("dealreg", "Lead")
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id FROM prm_tenant ORDER BY id")
        tenant_ids = [r[0] for r in cur.fetchall()]
    for tenant_id in tenant_ids:
        # Forced row-level security applies to the table owner too: one tenant at a time.
        with schema_editor.connection.cursor() as cur:
            cur.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(tenant_id)])
        deal_domains = set(
            Deal.objects.filter(tenant_id=tenant_id)
            .exclude(customer_domain="")
            .values_list("customer_domain", flat=True)
            .distinct()
        )
        free = [d for d in deal_domains if is_freemail(d)]
        if free:
            Deal.objects.filter(tenant_id=tenant_id, customer_domain__in=free).update(
                customer_domain=""
            )
        lead_domains = set(
            Lead.objects.filter(tenant_id=tenant_id)
            .exclude(domain="")
            .values_list("domain", flat=True)
            .distinct()
        )
        free = [d for d in lead_domains if is_freemail(d)]
        if free:
            Lead.objects.filter(tenant_id=tenant_id, domain__in=free).update(domain="")
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT set_config('prm.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("dealreg", "0005_name_integrity"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deal",
            name="customer_domain_input",
            field=models.CharField(
                blank=True,
                max_length=300,
                validators=[partners.freemail.validate_company_domain],
                verbose_name="customer website or e-mail domain",
            ),
        ),
        migrations.RunPython(forget_freemail_domains, migrations.RunPython.noop),
    ]
