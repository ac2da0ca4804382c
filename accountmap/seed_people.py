"""The demo's people mapping: Sam, the vendor's sales rep, owns a few accounts and sells the
North America territory; Northwind's Ben sells its West territory; the open opportunities
that overlap have been told to both.

Runs after the account map's own seed: it maps the accounts that seed made. When there are
none (the account map's seed did not run), it adds a handful of its own, with the overlaps
and the sharing the demo needs, so My accounts is never empty."""

from __future__ import annotations

from django.db.models import Q

from accountmap import people
from accountmap.models import Account, AccountStatus, Level, Overlap, SharingRule, Side
from accountmap.people_notify import overlaps_notify
from partners.domains import normalise_company_name
from prm.models import Member
from prm.roles import Role

REP_EMAIL = "sam@acme.example"
PARTNER_REP_EMAIL = "ben@northwind.example"

# (name, domain, vendor population, partner population at Northwind or None, country, region)
OWN_ACCOUNTS = [
    ("Initech", "initech.example", "opportunity", "customer", "US", "West"),
    ("Globex Manufacturing", "globex.example", "customer", "opportunity", "US", "Midwest"),
    ("Umbrella Health", "umbrella.example", "prospect", "opportunity", "CA", "East"),
    ("Hooli", "hooli.example", "opportunity", None, "US", "West"),
    ("Vandelay Imports", "vandelay.example", "customer", None, "US", "East"),
]


def _account(tenant, *, partner, name, domain, status, country, region, owner=None):
    return Account.objects.create(
        tenant=tenant,
        partner=partner,
        name=name,
        name_normalised=normalise_company_name(name),
        domain=domain,
        status=status,
        country=country,
        region=region,
        owner_member=owner,
        owner_name=owner.user.display_name if owner else "",
        owner_email=owner.user.email if owner else "",
        source="manual",
    )


def _own_accounts(tenant, northwind, ben) -> None:
    for name, domain, status, theirs, country, region in OWN_ACCOUNTS:
        vendor = _account(
            tenant,
            partner=None,
            name=name,
            domain=domain,
            status=status,
            country=country,
            region=region,
        )
        if theirs:
            mine = _account(
                tenant,
                partner=northwind,
                name=name,
                domain=domain,
                status=theirs,
                country=country,
                region=region,
                owner=ben,
            )
            Overlap.objects.create(
                tenant=tenant,
                partner=northwind,
                vendor_account=vendor,
                partner_account=mine,
                matched_on="domain",
            )
    # Northwind shows the vendor its customers and open opportunities that overlap (with
    # their population and owner); the vendor shows Northwind its open opportunities.
    for status in (AccountStatus.CUSTOMER, AccountStatus.OPPORTUNITY):
        SharingRule.objects.get_or_create(
            tenant=tenant,
            side=Side.PARTNER,
            partner=northwind,
            status=status,
            population=None,
            defaults={"level": Level.OVERLAPS, "fields": ["status", "owner"]},
        )
    SharingRule.objects.get_or_create(
        tenant=tenant,
        side=Side.VENDOR,
        partner=None,
        status=AccountStatus.OPPORTUNITY,
        population=None,
        defaults={"level": Level.OVERLAPS, "fields": ["status", "owner"]},
    )


def seed(*, tenant, partners: dict) -> None:
    rep = Member.objects.filter(role=Role.SALES_REP, user__email=REP_EMAIL).first()
    admin = Member.objects.filter(role=Role.ADMIN).order_by("pk").first()
    northwind = partners.get("Northwind Resellers")
    if rep is None or admin is None or northwind is None:
        return
    ben = Member.objects.filter(partner=northwind, user__email=PARTNER_REP_EMAIL).first()
    partner_admin = Member.objects.filter(partner=northwind, role=Role.PARTNER_ADMIN).first()
    if not Account.objects.filter(partner__isnull=True).exists():
        _own_accounts(tenant, northwind, ben)

    territory = people.territory_create(
        by=admin, data={"name": "North America", "countries": ["US", "CA"]}
    )
    people.territory_rep_add(by=admin, territory=territory, member_id=rep.pk)
    # Sam owns the vendor's open opportunities outright (the rest reach him by territory).
    for account in Account.objects.filter(
        partner__isnull=True, status=AccountStatus.OPPORTUNITY, owner_member__isnull=True
    ).order_by("pk")[:20]:
        people.account_owner_assign(by=admin, account=account, member_id=rep.pk)

    if partner_admin is not None and ben is not None:
        west = people.territory_create(
            by=partner_admin, data={"name": "West", "countries": ["US"], "regions": ["West"]}
        )
        people.territory_rep_add(by=partner_admin, territory=west, member_id=ben.pk)

    # Tell both sides of the overlaps on open opportunities, as the computation would.
    overlaps = Overlap.objects.filter(partner=northwind).filter(
        Q(vendor_account__status=AccountStatus.OPPORTUNITY)
        | Q(partner_account__status=AccountStatus.OPPORTUNITY)
    )
    overlaps_notify(
        partner_id=northwind.pk, overlap_ids=list(overlaps.values_list("pk", flat=True)[:50])
    )
