from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from prm import services
from prm.audit import audit_context
from prm.errors import DomainError
from prm.roles import Role
from prm.tenancy import tenant_context


class Command(BaseCommand):
    help = "Create a tenant and invite its first admin (prints the invitation link)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args, **kwargs):
        with audit_context(actor_label=f"cli:{__name__.rsplit('.', 1)[-1]}"):
            return self._handle(*args, **kwargs)

    def _handle(self, *args, slug, name, admin_email, currency, timezone, **opts):
        try:
            with transaction.atomic():
                tenant = services.tenant_create(
                    name=name, slug=slug, currency=currency, timezone_name=timezone
                )
                with tenant_context(tenant):
                    _inv, url = services.member_invite(
                        tenant=tenant, by=None, email=admin_email, role=Role.ADMIN
                    )
        except DomainError as exc:
            raise CommandError(exc.message)
        except Exception as exc:
            if hasattr(exc, "message_dict"):
                raise CommandError(str(exc.message_dict))
            raise
        self.stdout.write(f"Created tenant {tenant.slug} ({tenant.name}).")
        self.stdout.write(f"Admin invitation for {admin_email}:")
        self.stdout.write(url)
