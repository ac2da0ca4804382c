from django.core.management.base import BaseCommand, CommandError

from prm import services
from prm.audit import audit_context
from prm.errors import DomainError
from prm.models import Member, Tenant, User
from prm.roles import Role
from prm.tenancy import tenant_context


class Command(BaseCommand):
    help = (
        "Add a person to a tenant with a role. An existing account is added at once; "
        "anyone else gets an invitation (its link is printed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--partner", type=int, help="partner id (partner roles)")

    def handle(self, *args, **kwargs):
        with audit_context(actor_label=f"cli:{__name__.rsplit('.', 1)[-1]}"):
            return self._handle(*args, **kwargs)

    def _handle(self, *args, tenant, email, role, partner, **opts):
        t = Tenant.objects.filter(slug=tenant).first()
        if t is None:
            raise CommandError(f"No tenant {tenant!r}")
        try:
            with tenant_context(t):
                p = None
                if partner is not None:
                    partners = Member.partner.field.related_model.objects
                    p = partners.filter(pk=partner).first()
                    if p is None:
                        raise CommandError(f"No partner {partner} in {tenant}")
                user = User.objects.filter(email__iexact=email).first()
                if user is None:
                    _inv, url = services.member_invite(
                        tenant=t, by=None, email=email, role=role, partner=p
                    )
                    self.stdout.write(f"Invited {email}; invitation link:")
                    self.stdout.write(url)
                    return
                member = services.member_add(tenant=t, user=user, role=role, partner=p)
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"{email} is now {member.get_role_display()} in {t.name}.")
