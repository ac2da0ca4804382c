"""The demo tenant. Runs once: a second call finds Acme Cloud and leaves it alone."""

import importlib

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from analytics.seed import placements_since_activation
from dealreg.services import metrics_refresh
from partners.models import Partner, PartnerStatus, PartnerType
from partners.services import tiers_evaluate
from prm import history, notifications, services
from prm.audit import audit_context
from prm.models import Tenant, User
from prm.roles import Role
from prm.tenancy import tenant_context

PASSWORD = "demo-password-1"
# Unread notifications each demo person starts with (the newest ones).
DEMO_UNREAD = 5

# Each app's part of the demo, in dependency order; demo.campaign writes the deals that carry
# the MDF roadshow's campaign code and accrues the program, before analytics rolls up.
SEED_MODULES = (
    "partners.seed",
    "onboarding.seed",
    "training.seed",
    "dealreg.seed",
    "mdf.seed",
    "cosell.seed",
    "demo.campaign",
    "accountmap.seed_data",
    "incentives.seed",
    "incentives.seed_payouts",
    "analytics.seed",
    "accountmap.seed_sharing",
    "accountmap.seed_people",
    "jointplans.seed",
    "marketing.seed",
    "marketing.syndication_seed",
    "marketing.campaign_seed",
    "community.seed",
    "locator.seed",
    "predict.seed",
)

PARTNERS = [
    ("Northwind Resellers", PartnerType.RESELLER, "US", "https://northwind.example"),
    ("BluePeak Integrators", PartnerType.SYSTEM_INTEGRATOR, "DE", "https://bluepeak.example"),
    ("StackForge", PartnerType.ISV, "GB", "https://stackforge.example"),
]

PEOPLE = [
    ("admin@acme.example", "Alex Admin", Role.ADMIN, None, "Partner program director"),
    ("manager@acme.example", "Morgan Manager", Role.CHANNEL_MANAGER, None, "Channel manager"),
    ("sam@acme.example", "Sam Sales", Role.SALES_REP, None, "Account executive"),
    (
        "ada@northwind.example",
        "Ada Northwind",
        Role.PARTNER_ADMIN,
        "Northwind Resellers",
        "Alliance lead",
    ),
    (
        "ben@northwind.example",
        "Ben Northwind",
        Role.PARTNER_USER,
        "Northwind Resellers",
        "Account executive",
    ),
    (
        "carla@bluepeak.example",
        "Carla BluePeak",
        Role.PARTNER_ADMIN,
        "BluePeak Integrators",
        "Managing partner",
    ),
    ("dev@stackforge.example", "Dev StackForge", Role.PARTNER_ADMIN, "StackForge", "CTO"),
]


class Command(BaseCommand):
    help = "Create the demo tenant Acme Cloud with staff, partners and partner users (once)."

    def handle(self, *args, **opts):
        if Tenant.objects.filter(slug="acme").exists():
            self.stdout.write("Demo tenant already present; leaving it as it is.")
            return
        with transaction.atomic(), audit_context(actor_label="seed"):
            tenant = services.tenant_create(
                name="Acme Cloud", slug="acme", currency="USD", timezone_name="America/New_York"
            )
            tenant.primary_colour = "#3b4cca"
            tenant.save(update_fields=["primary_colour"])
            with tenant_context(tenant):
                partners = {}
                for name, ptype, country, site in PARTNERS:
                    partners[name] = Partner.objects.create(
                        tenant=tenant,
                        name=name,
                        partner_type=ptype,
                        country=country,
                        website=site,
                        status=PartnerStatus.ACTIVE,
                    )
                for email, full_name, role, partner, title in PEOPLE:
                    user = User.objects.filter(email=email).first() or User.objects.create_user(
                        email, PASSWORD, full_name=full_name
                    )
                    EmailAddress.objects.get_or_create(
                        user=user, email=email, defaults={"verified": True, "primary": True}
                    )
                    services.member_add(
                        tenant=tenant,
                        user=user,
                        role=role,
                        partner=partners.get(partner),
                        title=title,
                    )
                # What the seed sets off, now or later on the worker, is history (prm.history).
                with history.recording():
                    for name in SEED_MODULES:
                        try:
                            module = importlib.import_module(name)
                        except ModuleNotFoundError:
                            continue
                        module.seed(tenant=tenant, partners=partners)
                    # The figures tiers and dashboards show come from the seeded deals
                    # themselves, never from hand-typed numbers: recompute them, then place
                    # partners in tiers.
                    metrics_refresh(tenant=tenant)
                    tiers_evaluate(tenant=tenant)
                    # ... from the day after each partner's activation, as the nightly
                    # evaluation would have, so their history counts under their tier.
                    placements_since_activation()
                # The seeded history is not news: its events notify no one, and each person
                # keeps only their few newest unread notifications (a handful to try the
                # bell on, not the hundred the history would make).
                notifications.notifications_seed_history(keep=DEMO_UNREAD)
        self.stdout.write(self.style.SUCCESS("Seeded the demo tenant Acme Cloud (acme)."))
