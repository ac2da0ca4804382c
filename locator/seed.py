"""Demo data for the partner locator: Northwind and BluePeak publish their public profiles
(Northwind shows its tier, which the demo program allows, and a verified certification),
StackForge has a draft it has not published; Northwind has referred a company. Runs inside
the demo tenant's context after the other apps' seeds (manage.py seed_demo)."""

from __future__ import annotations

from locator import referrals, selectors, services
from partners.models import Product, Specialty
from prm.models import Member

PROFILES = {
    "Northwind Resellers": {
        "admin": "ada@northwind.example",
        "headline": "Acme resellers for the mid-market in North America",
        "description": (
            "<p>Northwind helps mid-sized companies choose, buy and roll out Acme. "
            "We size the platform with you, migrate your workloads and stay on call.</p>"
            "<ul><li>Licensing and renewals</li><li>Migration in weeks, not months</li></ul>"
        ),
        "services": ["Licensing", "Implementation", "Support"],
        "specialties": ["Cloud migration", "Managed services"],
        "products": ["Acme Compute", "Acme Storage"],
        "regions": ["na"],
        "languages": ["en", "es"],
        "show_tier": True,
        "publish": True,
    },
    "BluePeak Integrators": {
        "admin": "carla@bluepeak.example",
        "headline": "Data and security integration across Europe",
        "description": (
            "<p>BluePeak designs and builds analytics and security platforms on Acme for "
            "regulated industries, from the first workshop to operations.</p>"
        ),
        "services": ["Consulting", "Integration", "Training"],
        "specialties": ["Data & analytics", "Security", "Healthcare"],
        "products": ["Acme Analytics", "Acme Security Suite"],
        "regions": ["emea"],
        "languages": ["de", "en", "fr"],
        "show_tier": False,
        "publish": True,
    },
    "StackForge": {
        "admin": "dev@stackforge.example",
        "headline": "DevOps tooling for Acme",
        "description": "<p>Draft: not ready to publish yet.</p>",
        "services": ["Software"],
        "specialties": ["DevOps"],
        "products": ["Acme Compute"],
        "regions": ["emea"],
        "languages": ["en"],
        "show_tier": False,
        "publish": False,
    },
}


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role="admin").first()
    services.locator_settings_update(by=admin, allow_tier=True, embed_origin="")
    specialties = dict(Specialty.objects.values_list("name", "pk"))
    products = dict(Product.objects.values_list("name", "pk"))
    for name, spec in PROFILES.items():
        partner = partners[name]
        by = Member.objects.get(user__email=spec["admin"])
        certificates = list(selectors.certificates_of(partner).values_list("pk", flat=True)[:2])
        profile = services.profile_update(
            partner=partner,
            by=by,
            headline=spec["headline"],
            description=spec["description"],
            services=spec["services"],
            specialties=[specialties[s] for s in spec["specialties"] if s in specialties],
            products=[products[p] for p in spec["products"] if p in products],
            regions=spec["regions"],
            languages=spec["languages"],
            certificates=certificates,
            website=partner.website,
            show_tier=spec["show_tier"],
        )
        if spec["publish"]:
            services.profile_publish(profile=profile, by=by)
    # Northwind invited a company it works with; it has not applied yet.
    referrals.referral_invite(
        partner=partners["Northwind Resellers"],
        by=Member.objects.get(user__email="ben@northwind.example"),
        company_name="Contoso Consulting",
        contact_email="hello@contoso-consulting.example",
        note="We co-deliver projects with Contoso; they would be a strong partner for Acme.",
    )
