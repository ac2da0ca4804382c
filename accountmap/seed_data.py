"""The demo tenant's accounts (demo seed, SEED_MODULES): a few hundred of the vendor's and
some of each demo partner's, a share of them the same companies, so the demo shows overlaps;
a custom population on each side. The overlaps are computed at once (the worker may not run
while the demo is seeded)."""

from __future__ import annotations

import random

from accountmap import overlaps
from accountmap.models import Account, AccountSource, Population
from dealreg.models import NamedAccount
from partners.domains import normalise_company_name

FIRST = ["Blue", "North", "Silver", "Granite", "Harbor", "Summit", "Cedar", "Orbit", "Maple",
         "Quartz", "Falcon", "Willow", "Crescent", "Atlas", "Beacon"]  # fmt: skip
SECOND = ["Logistics", "Health", "Foods", "Bank", "Energy", "Robotics", "Media", "Retail",
          "Pharma", "Motors", "Telecom", "Insurance", "Textiles", "Analytics", "Labs"]  # fmt: skip
LEGAL = ["Inc", "GmbH", "Ltd", "LLC", "AG", "S.A."]
INDUSTRY = {"Bank": "Banking", "Health": "Healthcare", "Pharma": "Healthcare",
            "Retail": "Retail", "Foods": "Retail", "Energy": "Energy"}  # fmt: skip
REGIONS = ["NA", "NA", "EMEA", "EMEA", "APAC"]
COUNTRIES = {"NA": "US", "EMEA": "DE", "APAC": "AU"}
STATUSES = ["customer", "customer", "prospect", "prospect", "prospect", "opportunity"]
# partner name -> (own accounts, of which the vendor's companies)
PARTNER_ACCOUNTS = {
    "Northwind Resellers": (60, 22),
    "BluePeak Integrators": (40, 14),
    "StackForge": (30, 9),
}
OWNERS = ["Jordan Lee", "Priya Shah", "Tom Becker", "Lena Fischer"]


def _company(i: int) -> tuple[str, str, str]:
    a, b = FIRST[i % len(FIRST)], SECOND[(i // len(FIRST)) % len(SECOND)]
    n = i // (len(FIRST) * len(SECOND))
    stem = f"{a}{b.lower()}{n or ''}"
    return f"{a} {b}{f' {n + 1}' if n else ''} {LEGAL[i % len(LEGAL)]}", f"{stem}.example", b


def _account(tenant, partner, i: int, rng: random.Random, source: str) -> Account:
    name, domain, kind = _company(i)
    region = rng.choice(REGIONS)
    return Account(
        tenant=tenant,
        partner=partner,
        name=name,
        name_normalised=normalise_company_name(name),
        domain=domain,
        status=rng.choice(STATUSES),
        owner_name=rng.choice(OWNERS) if partner is None else "",
        industry=INDUSTRY.get(kind, "Technology"),
        region=region,
        country=COUNTRIES[region],
        employees=rng.choice([40, 120, 800, 2500, 12000]),
        source=source,
        external_id=f"{'CRM' if partner is None else 'P'}-{i:04d}",
    )


def seed(*, tenant, partners: dict) -> None:
    rng = random.Random(19)
    vendor = [_account(tenant, None, i, rng, AccountSource.CRM) for i in range(300)]
    # The named accounts deal registration's seed made are the vendor's accounts too (as the
    # migration made them of a tenant's earlier ones). The companies above are not named
    # accounts: the demo's registrations are not meant to conflict with them.
    vendor += [
        Account(
            tenant=tenant,
            partner=None,
            name=n.name,
            name_normalised=n.name_normalised,
            domain=n.domain,
            status="opportunity" if n.kind == "opportunity" else "customer",
            owner_name=n.owner,
            external_id=n.external_id,
            source=AccountSource.NAMED,
            named_account=n,
            is_active=n.is_active,
        )  # fmt: skip
        for n in NamedAccount.objects.all()
    ]
    Account.objects.bulk_create(vendor)
    start = 1000
    for name, (count, shared) in PARTNER_ACCOUNTS.items():
        partner = partners.get(name)
        if partner is None:
            continue
        picked = rng.sample(range(300), shared)
        rows = [_account(tenant, partner, i, rng, AccountSource.CSV) for i in picked]
        rows += [
            _account(tenant, partner, start + j, rng, AccountSource.CSV)
            for j in range(count - shared)
        ]
        start += count
        Account.objects.bulk_create(rows)
        Population.objects.create(
            tenant=tenant, partner=partner, name="EMEA prospects",
            statuses=["prospect"], regions=["EMEA"],
        )  # fmt: skip
    Population.objects.create(
        tenant=tenant, name="Enterprise customers", statuses=["customer"], min_employees=1000
    )
    overlaps.overlaps_compute_full(tenant)
