from django.core.management.base import BaseCommand, CommandError

from prm import services
from prm.audit import audit_context
from prm.errors import DomainError
from prm.models import Member, Tenant
from prm.tenancy import tenant_context


class Command(BaseCommand):
    help = "Create an API key for a member; prints the key alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", default="read,write")

    def handle(self, *args, **kwargs):
        with audit_context(actor_label=f"cli:{__name__.rsplit('.', 1)[-1]}"):
            return self._handle(*args, **kwargs)

    def _handle(self, *args, tenant, email, name, scopes, **opts):
        t = Tenant.objects.filter(slug=tenant).first()
        if t is None:
            raise CommandError(f"No tenant {tenant!r}")
        with tenant_context(t):
            member = Member.objects.filter(user__email__iexact=email, is_active=True).first()
            if member is None:
                raise CommandError(f"{email} is not an active member of {tenant}")
            try:
                api_key, key = services.api_key_create(
                    member=member, name=name, scopes=[s.strip() for s in scopes.split(",")]
                )
            except DomainError as exc:
                raise CommandError(exc.message)
        self.stdout.write(
            f"Key {api_key.name} (prm_{api_key.prefix}_…) for {email}, "
            f"scopes {','.join(api_key.scopes)}:"
        )
        self.stdout.write(key)
