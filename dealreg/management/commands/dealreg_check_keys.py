"""`manage.py dealreg_check_keys --tenant SLUG [--repair]`: compare a tenant's active deal
registrations with the lookup data conflict detection reads (dealreg.services.keys)."""

from django.core.management.base import BaseCommand, CommandError

from dealreg.services.keys import name_keys_check
from prm.audit import audit_context
from prm.models import Tenant
from prm.tenancy import tenant_context


class Command(BaseCommand):
    help = (
        "Check that every active deal registration of a tenant has the name lookup keys "
        "conflict detection reads; --repair recomputes those out of step."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--repair", action="store_true", help="fix what is out of step")

    def handle(self, *args, tenant, repair, **opts):
        t = Tenant.objects.filter(slug=tenant).first()
        if t is None:
            raise CommandError(f"No tenant {tenant!r}")
        with audit_context(actor_label="cli:dealreg_check_keys"), tenant_context(t):
            report = name_keys_check(tenant=t, repair=repair)
        self.stdout.write(
            f"{report.deals_checked} active registrations checked in {t.slug}: "
            f"{report.names_out_of_step} with name columns out of step, "
            f"{report.deals_with_wrong_keys} with wrong keys "
            f"({report.keys_missing} missing, {report.keys_extra} extra)."
        )
        if report.consistent:
            self.stdout.write(self.style.SUCCESS("Keys match the deals."))
        elif report.repaired:
            self.stdout.write(self.style.SUCCESS("Repaired."))
        else:
            raise CommandError("Keys out of step with the deals; run again with --repair.")
