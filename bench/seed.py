# Table names in the SQL below come from model _meta, never from input; values are parameters.
# ruff: noqa: S608
"""Bulk data for the benchmarks (`manage.py bench_seed --scale small|large`).

Rows are generated in Python (so company names, domains and their normalised forms come from
the app's own `normalise_company_name`, `name_tokens` and `registrable_domain`), copied into a
narrow temporary table with COPY, and moved into the real table with one INSERT ... SELECT
that fills every other column with the model's default. No ORM save per row.

Everything for one tenant runs inside `tenant_context(tenant)`, so the forced row-level
security policies accept the writes whichever role the command connects as.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from prm.audit import audit_context, log_action
from prm.tenancy import tenant_context

BENCH_PREFIX = "bench-"
BENCH_EMAIL_DOMAIN = "bench.example"
BIG_SLUG = "bench-big"


@dataclass(frozen=True)
class Size:
    partners: int
    deals: int
    claims: int
    members: int
    weeks: int  # weekly health snapshots going back this many weeks
    named_accounts: int


SCALES = {
    "small": (Size(2_000, 40_000, 8_000, 4_000, 52, 200), 20, Size(50, 500, 50, 100, 12, 10)),
    "large": (
        Size(50_000, 1_000_000, 200_000, 100_000, 52, 2_000),
        20,
        Size(500, 5_000, 500, 1_000, 12, 20),
    ),
}

# --- Vocabulary for realistic company names --------------------------------------------------

STEMS_A = [
    "blue",
    "north",
    "south",
    "east",
    "west",
    "bright",
    "silver",
    "golden",
    "red",
    "green",
    "iron",
    "stone",
    "river",
    "lake",
    "cloud",
    "star",
    "sun",
    "moon",
    "oak",
    "pine",
    "cedar",
    "maple",
    "summit",
    "peak",
    "harbor",
    "bay",
    "coast",
    "crest",
    "ridge",
    "valley",
    "granite",
    "crystal",
    "rapid",
    "swift",
    "prime",
    "true",
    "clear",
    "deep",
    "high",
    "open",
    "polar",
    "nova",
    "terra",
    "aero",
    "vertex",
    "apex",
    "alpha",
    "delta",
    "sigma",
    "omega",
    "quantum",
    "fusion",
    "vector",
    "orbit",
    "pixel",
    "matrix",
]
STEMS_B = [
    "wave",
    "field",
    "gate",
    "point",
    "line",
    "bridge",
    "stone",
    "works",
    "forge",
    "path",
    "port",
    "wood",
    "view",
    "rock",
    "light",
    "shore",
    "well",
    "brook",
    "mark",
    "wind",
    "fire",
    "side",
    "land",
    "dale",
    "ford",
    "haven",
    "mont",
    "sphere",
    "scale",
    "stack",
    "core",
    "base",
    "grid",
    "loop",
    "mind",
    "tree",
    "leaf",
    "wing",
    "bird",
    "fox",
    "hawk",
    "wolf",
    "bear",
    "lynx",
    "spark",
    "flow",
]
INDUSTRY = [
    "Analytics",
    "Logistics",
    "Health",
    "Pharma",
    "Retail",
    "Foods",
    "Energy",
    "Mining",
    "Capital",
    "Insurance",
    "Media",
    "Robotics",
    "Aerospace",
    "Motors",
    "Textiles",
    "Chemicals",
    "Builders",
    "Dental",
    "Legal",
    "Marine",
    "Hotels",
    "Airlines",
    "Telecom",
    "Security",
    "Networks",
    "Devices",
    "Instruments",
    "Biotech",
    "Farms",
    "Apparel",
    "Furniture",
    "Printing",
    "Packaging",
    "Freight",
    "Clinics",
    "Learning",
    "Payments",
    "Realty",
    "Studios",
]
LEGAL = ["Inc", "Inc.", "LLC", "Ltd", "GmbH", "AG", "S.A.", "Corp.", "B.V.", "Pty Ltd", "", ""]
TLDS = ["com", "com", "com", "io", "net", "de", "co.uk", "fr", "com.au", "nl", "co.jp", "ca"]
COUNTRIES = ["US", "US", "US", "DE", "GB", "FR", "AU", "NL", "JP", "CA", "BR", "IN"]
REGION_OF = {"US": "na", "CA": "na", "BR": "latam", "AU": "apac", "JP": "apac", "IN": "apac"}
PARTNER_TYPES = ["reseller"] * 5 + ["referral"] * 2 + ["system_integrator", "msp", "isv"]
SIZE_BANDS = ["1-9", "10-49", "50-249", "250-999", "1000+"]


def _customer(rng: random.Random, c: int) -> tuple[str, str]:
    """The canonical name and domain of customer number c (distinct for every c)."""
    a = STEMS_A[c % len(STEMS_A)]
    b = STEMS_B[(c // len(STEMS_A)) % len(STEMS_B)]
    ind = INDUSTRY[(c // (len(STEMS_A) * len(STEMS_B))) % len(INDUSTRY)]
    gen = c // (len(STEMS_A) * len(STEMS_B) * len(INDUSTRY))
    stem = (a + b).capitalize() + (f" {gen + 1}" if gen else "")
    legal = LEGAL[c % len(LEGAL)]
    name = f"{stem} {ind} {legal}".strip()
    domain = f"{a}{b}{ind.lower()}{gen or ''}.{TLDS[c % len(TLDS)]}"
    return name, domain


def _name_variant(rng: random.Random, name: str) -> str:
    """Near-duplicates as partners type them: case, legal suffix, 'The', a typo."""
    r = rng.random()
    if r < 0.55:
        return name
    if r < 0.65:
        return name.upper()
    if r < 0.75:
        return "The " + name
    if r < 0.85:
        words = name.split()
        return " ".join(words[:-1] + [rng.choice(["Corporation", "Limited", "Group", "Co"])])
    # one dropped letter in the first word
    first, _, rest = name.partition(" ")
    i = rng.randrange(1, max(2, len(first)))
    return f"{first[:i]}{first[i + 1 :]} {rest}".strip()


def _domain_variant(rng: random.Random, domain: str) -> str:
    r = rng.random()
    if r < 0.4:
        return domain
    if r < 0.6:
        return f"https://www.{domain}/"
    if r < 0.8:
        return f"buyer@{domain}"
    return f"sales.{domain}"


# --- Bulk loading ---------------------------------------------------------------------------


def _column_default(field: models.Field):
    if field.has_default():
        return field.get_db_prep_save(field.get_default(), connection)
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value")


def bulk_load(model, columns: list[str], rows, **constants) -> int:
    """COPY `rows` (tuples matching `columns`) into `model`'s table; columns not given are
    set from `constants` or the field's default. Returns the number of rows inserted."""
    table = model._meta.db_table
    qn = connection.ops.quote_name
    fields = {f.column: f for f in model._meta.concrete_fields}
    rest = [c for c in fields if c not in columns and c != "id"]
    exprs, params = [], []
    for col in rest:
        field = fields[col]
        value = (
            field.get_db_prep_save(constants[col], connection)
            if col in constants
            else _column_default(field)
        )
        exprs.append(f"%s::{field.cast_db_type(connection)}")
        params.append(value)
    cols_sql = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        raw = cur.cursor
        raw.execute("DROP TABLE IF EXISTS bench_stage")
        raw.execute(
            f"CREATE TEMP TABLE bench_stage ON COMMIT DROP AS SELECT {cols_sql} "
            f"FROM {qn(table)} WITH NO DATA"
        )
        with raw.copy(f"COPY bench_stage ({cols_sql}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        all_cols = ", ".join(qn(c) for c in [*columns, *rest])
        select = ", ".join([*(qn(c) for c in columns), *exprs])
        raw.execute(
            f"INSERT INTO {qn(table)} ({all_cols}) SELECT {select} FROM bench_stage",
            params,
        )
        n = raw.rowcount
        raw.execute("DROP TABLE bench_stage")
    return n


def _ids(model, **filters) -> list[int]:
    return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))


# --- Removing earlier bench data ------------------------------------------------------------


def drop_bench_tenants(log=print) -> int:
    """Delete every tenant whose slug starts with `bench-` and the people made for them.
    All rows of a tenant go in one transaction (foreign keys are checked at commit)."""
    from prm.models import AuditEvent, Tenant, TenantHost, User
    from prm.rls import tenant_tables
    from prm.tenancy import system_context

    with system_context():
        tenants = list(Tenant.objects.filter(slug__startswith=BENCH_PREFIX))
    qn = connection.ops.quote_name
    for tenant in tenants:
        started = time.monotonic()
        with tenant_context(tenant), connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in [*tenant_tables(), AuditEvent._meta.db_table]:
                cur.execute(f"DELETE FROM {qn(table)} WHERE tenant_id = %s", [tenant.pk])
            cur.execute(
                f"DELETE FROM {qn(TenantHost._meta.db_table)} WHERE tenant_id = %s", [tenant.pk]
            )
            cur.execute(f"DELETE FROM {qn(Tenant._meta.db_table)} WHERE id = %s", [tenant.pk])
        log(f"dropped {tenant.slug} in {time.monotonic() - started:.1f}s")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"DELETE FROM {qn(User._meta.db_table)} WHERE email LIKE %s",
            [f"%@{BENCH_EMAIL_DOMAIN}"],
        )
    return len(tenants)


# --- One tenant -----------------------------------------------------------------------------


TIERS = [
    # name, rank, min revenue, min deals, min health, discount, protection, mdf allocation
    ("Registered", 0, None, None, None, "5", 60, "0"),
    ("Silver", 1, "50000", 2, None, "10", 90, "5000"),
    ("Gold", 2, "250000", 6, 40, "15", 120, "15000"),
    ("Platinum", 3, "1000000", 15, 60, "20", 180, "40000"),
]
PRODUCTS = ["Compute", "Storage", "Networking", "Security Suite", "Analytics Cloud", "Support"]


def seed_tenant(
    *, slug: str, name: str, size: Size, seed: int, log=print, analyze: bool = True
) -> dict:
    """Build one bench tenant. Returns what the benchmarks need to find (slugs, e-mails).

    `analyze` refreshes the planner statistics of the bulk-loaded tables before the derived
    figures are computed. ANALYZE samples the whole table whatever the tenant, so it costs
    the same for a 50-partner tenant as for the big one: the small tenants, loaded after the
    big one, skip it and seed() analyzes once at the end."""
    from analytics.models import HealthSnapshot
    from analytics.services import health_compute, rollups_compute
    from dealreg.models import Deal, DealInfluencer, NamedAccount
    from dealreg.rules import name_tokens
    from dealreg.services import current_rules, metrics_refresh
    from mdf.models import ActivityRule, Claim, FundRequest, LedgerEntry, Program
    from partners.domains import normalise_company_name, registrable_domain
    from partners.models import (
        Partner,
        PartnerDomain,
        PartnerProduct,
        Product,
        ProgramSettings,
        Tier,
    )
    from prm import services
    from prm.models import Member, User

    rng = random.Random(seed)
    now = timezone.now()
    today = now.date()
    timings: dict[str, float] = {}
    mark = time.monotonic()

    def step(label: str) -> None:
        nonlocal mark
        timings[label] = round(time.monotonic() - mark, 2)
        log(f"  {slug}: {label} {timings[label]:.1f}s")
        mark = time.monotonic()

    with audit_context(actor_label="bench_seed"):
        tenant = services.tenant_create(name=name, slug=slug, currency="USD")
    with tenant_context(tenant), audit_context(actor_label="bench_seed"):
        tiers = [
            Tier.objects.create(
                tenant=tenant,
                name=n,
                rank=rank,
                min_won_revenue_12m=Decimal(rev) if rev else None,
                min_won_deals_12m=deals,
                min_health_score=health,
                discount_pct=Decimal(disc),
                protection_days=prot,
                mdf_allocation=Decimal(mdf),
            )
            for n, rank, rev, deals, health, disc, prot, mdf in TIERS
        ]
        products = [Product.objects.create(tenant=tenant, name=n) for n in PRODUCTS]
        ProgramSettings.for_tenant(tenant)
        rules = current_rules(tenant)

        # Staff: one admin, channel managers (one per 1,000 partners, at least 2).
        n_staff = max(2, size.partners // 1000) + 1
        staff_emails = [f"{slug}-admin@{BENCH_EMAIL_DOMAIN}"] + [
            f"{slug}-manager{i}@{BENCH_EMAIL_DOMAIN}" for i in range(1, n_staff)
        ]
        pw = "!bench-unusable"  # an unusable password hash: nobody signs in as these
        bulk_load(
            User,
            ["email", "full_name"],
            ((e, e.split("@")[0]) for e in staff_emails),
            password=pw,
            date_joined=now,
        )
        staff_users = dict(User.objects.filter(email__in=staff_emails).values_list("email", "pk"))
        bulk_load(
            Member,
            ["user_id", "role"],
            (
                (staff_users[e], "admin" if i == 0 else "channel_manager")
                for i, e in enumerate(staff_emails)
            ),
            tenant_id=tenant.pk,
            created_at=now,
        )
        managers = _ids(Member, role="channel_manager")
        step("tenant, tiers, staff")

        # Partners, their domains and products.
        def partner_rows():
            for i in range(size.partners):
                country = COUNTRIES[i % len(COUNTRIES)]
                created = now - datetime.timedelta(days=30 + rng.randrange(1500))
                status = rng.choices(
                    ["active", "onboarding", "applicant", "suspended", "offboarded"],
                    [85, 6, 4, 3, 2],
                )[0]
                tier = (
                    tiers[min(3, int(rng.paretovariate(1.6)) - 1)]
                    if status != "applicant"
                    else None
                )
                yield (
                    f"{STEMS_A[i % len(STEMS_A)].capitalize()}"
                    f"{STEMS_B[i % len(STEMS_B)]} Partners {i + 1}",
                    PARTNER_TYPES[i % len(PARTNER_TYPES)],
                    status,
                    f"https://p{i + 1}-{slug}.example",
                    country,
                    REGION_OF.get(country, "emea"),
                    SIZE_BANDS[i % 5],
                    managers[i % len(managers)],
                    tier.pk if tier else None,
                    created,
                    created,
                    created if status in ("active", "suspended", "offboarded") else None,
                )

        bulk_load(
            Partner,
            [
                "name",
                "partner_type",
                "status",
                "website",
                "country",
                "region",
                "size_band",
                "owner_id",
                "tier_id",
                "created_at",
                "status_changed_at",
                "activated_at",
            ],
            partner_rows(),
            tenant_id=tenant.pk,
        )
        partner_ids = _ids(Partner)
        statuses = dict(Partner.objects.values_list("pk", "status"))
        live_partners = [p for p in partner_ids if statuses[p] in ("active", "onboarding")]
        bulk_load(
            PartnerDomain,
            ["partner_id", "domain"],
            ((pid, f"p{i + 1}-{slug}.example") for i, pid in enumerate(partner_ids)),
            tenant_id=tenant.pk,
        )
        bulk_load(
            PartnerProduct,
            ["partner_id", "product_id"],
            ((pid, prod.pk) for i, pid in enumerate(partner_ids) for prod in products[: 1 + i % 3]),
            tenant_id=tenant.pk,
        )
        step("partners")

        # Partner people: a partner admin per partner, the rest partner users.
        def people():
            for i in range(size.members - len(staff_emails)):
                yield (f"{slug}-u{i}@{BENCH_EMAIL_DOMAIN}", f"Person {i}")

        bulk_load(User, ["email", "full_name"], people(), password=pw, date_joined=now)
        user_ids = list(
            User.objects.filter(email__startswith=f"{slug}-u")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        member_partner: list[int] = [
            partner_ids[i % len(partner_ids)] for i in range(len(user_ids))
        ]
        bulk_load(
            Member,
            ["user_id", "role", "partner_id"],
            (
                (uid, "partner_admin" if i < len(partner_ids) else "partner_user", pid)
                for i, (uid, pid) in enumerate(zip(user_ids, member_partner, strict=True))
            ),
            tenant_id=tenant.pk,
            created_at=now,
        )
        partner_member = dict(
            Member.objects.filter(role="partner_admin").values_list("partner_id", "pk")
        )
        step("members")

        # Deals: one customer per five deals, with near-duplicate names and domains.
        n_customers = max(1, size.deals // 5)
        customers = [_customer(rng, c) for c in range(n_customers)]
        norm_cache: dict[str, tuple[str, list[str]]] = {}
        dom_cache: dict[str, str] = {}
        statuses_w = (
            [
                "won",
                "lost",
                "expired",
                "rejected",
                "withdrawn",
                "submitted",
                "under_review",
                "draft",
            ],
            [30, 22, 18, 8, 4, 2, 5, 3],
        )
        active_live = live_partners or partner_ids

        def deal_rows():
            for i in range(size.deals):
                c = i % n_customers
                cname, cdomain = customers[c]
                name = _name_variant(rng, cname)
                dinput = _domain_variant(rng, cdomain)
                if name not in norm_cache:
                    normalised = normalise_company_name(name)
                    norm_cache[name] = (normalised, name_tokens(normalised))
                normalised, tokens = norm_cache[name]
                if dinput not in dom_cache:
                    dom_cache[dinput] = registrable_domain(dinput)
                domain = dom_cache[dinput]
                if i < n_customers and c % 2 == 0:
                    status = "approved"
                else:
                    status = rng.choices(*statuses_w)[0]
                pid = rng.choice(active_live)
                created = now - datetime.timedelta(
                    days=rng.randrange(1, 460), seconds=rng.randrange(86400)
                )
                submitted = None if status == "draft" else created + datetime.timedelta(hours=1)
                decided = (
                    created + datetime.timedelta(hours=rng.randrange(2, 96))
                    if status not in ("draft", "submitted", "under_review")
                    else None
                )
                amount = Decimal(rng.randrange(2_000, 120_000))
                closed = None
                won_amount = None
                if status in ("won", "lost"):
                    closed = min(
                        today, (created + datetime.timedelta(days=rng.randrange(10, 120))).date()
                    )
                    if status == "won":
                        won_amount = (
                            amount * Decimal(rng.choice(["0.8", "1", "1", "1.1"]))
                        ).quantize(Decimal("0.01"))
                yield (
                    pid,
                    partner_member.get(pid),
                    status,
                    name,
                    normalised,
                    tokens,
                    dinput,
                    domain,
                    "resell" if i % 7 else "referral",
                    amount,
                    (created + datetime.timedelta(days=90)).date(),
                    created,
                    submitted,
                    decided,
                    rules.pk if decided else None,
                    today + datetime.timedelta(days=rng.randrange(5, 90))
                    if status == "approved"
                    else None,
                    closed,
                    won_amount,
                    f"pat@{cdomain}",
                    submitted + datetime.timedelta(hours=48) if submitted else None,
                    status in ("under_review",) and rng.random() < 0.5,
                )

        bulk_load(
            Deal,
            [
                "partner_id",
                "created_by_id",
                "status",
                "customer_name",
                "customer_name_normalised",
                "customer_name_tokens",
                "customer_domain_input",
                "customer_domain",
                "partner_role",
                "amount",
                "expected_close_date",
                "created_at",
                "submitted_at",
                "decided_at",
                "rules_version_id",
                "protected_until",
                "closed_at",
                "won_amount",
                "contact_email",
                "sla_due_at",
                "has_conflicts",
            ],
            deal_rows(),
            tenant_id=tenant.pk,
            currency="USD",
        )
        step(f"deals ({size.deals})")
        with connection.cursor() as cur:
            # Influencers on one won deal in twenty (influenced revenue for ROPI): referral
            # partners numbered in a CTE and joined (indexing a 10,000-element array per row
            # copies the whole array each time).
            cur.execute(
                f"""
                WITH r AS (
                    SELECT id, (row_number() OVER (ORDER BY id) - 1)::bigint AS n
                    FROM {Partner._meta.db_table}
                    WHERE tenant_id = %(t)s AND partner_type = 'referral'
                ), rc AS (SELECT count(*)::bigint AS c FROM r)
                INSERT INTO {DealInfluencer._meta.db_table}
                    (tenant_id, deal_id, partner_id, status, weight, role, created_at)
                SELECT d.tenant_id, d.id, r.id, 'approved', 1, 'referral', d.decided_at
                FROM {Deal._meta.db_table} d
                CROSS JOIN rc
                JOIN r ON r.n = d.id %% NULLIF(rc.c, 0)
                WHERE d.tenant_id = %(t)s AND d.status = 'won' AND d.id %% 20 = 0
                  AND r.id <> d.partner_id
                """,
                {"t": tenant.pk},
            )
        accounts = [_customer(rng, n_customers + a) for a in range(size.named_accounts)]

        def account_rows():
            for a, (aname, adomain) in enumerate(accounts):
                normalised = normalise_company_name(aname)
                yield (
                    "named" if a % 4 else "opportunity",
                    aname,
                    normalised,
                    name_tokens(normalised),
                    adomain,
                    f"CRM-{a}",
                )

        bulk_load(
            NamedAccount,
            ["kind", "name", "name_normalised", "name_tokens", "domain", "external_id"],
            account_rows(),
            tenant_id=tenant.pk,
            created_at=now,
        )
        step("influencers, named accounts")

        # MDF: one yearly program, tier allocations, requests, claims, and the ledger.
        start = today - datetime.timedelta(days=365)
        program = Program.objects.create(
            tenant=tenant,
            name="MDF trailing year",
            period="year",
            start_date=start,
            end_date=today + datetime.timedelta(days=30),
            currency="USD",
            budget=Decimal(20_000) * len(partner_ids),
        )
        for kind in ("event", "webinar", "digital_campaign"):
            ActivityRule.objects.create(tenant=tenant, program=program, activity_type=kind)
        alloc = Decimal("20000")
        bulk_load(
            LedgerEntry,
            ["partner_id", "kind", "amount", "key"],
            ((pid, "allocate", alloc, "tier-allocation") for pid in partner_ids),
            tenant_id=tenant.pk,
            program_id=program.pk,
            created_at=datetime.datetime.combine(start, datetime.time(9), tzinfo=datetime.UTC),
            memo="bench allocation",
        )
        # Claims cycle over partners: at most ceil(claims / partners) per partner, each small
        # enough that allocations are never over-committed.
        per = -(-size.claims // len(partner_ids))
        each = (alloc / per / 2).quantize(Decimal("1"))
        claim_plan = []
        for k in range(size.claims):
            pid = partner_ids[k % len(partner_ids)]
            begin = today - datetime.timedelta(days=rng.randrange(25, 340))
            status = rng.choices(["paid", "approved", "submitted", "rejected"], [55, 20, 20, 5])[0]
            claim_plan.append((pid, begin, status, partner_member.get(pid)))
        bulk_load(
            FundRequest,
            [
                "partner_id",
                "submitted_by_id",
                "status",
                "activity_type",
                "title",
                "start_date",
                "end_date",
                "planned_cost",
                "requested_amount",
                "approved_amount",
                "campaign_code",
                "claim_deadline",
                "decided_at",
                "submitted_at",
                "created_at",
            ],
            (
                (
                    pid,
                    mid,
                    "completed" if st in ("paid", "approved") else "approved",
                    ("event", "webinar", "digital_campaign")[k % 3],
                    f"Campaign {k}",
                    begin,
                    begin + datetime.timedelta(days=3),
                    each * 2,
                    each,
                    each,
                    f"B{tenant.pk}-{k}",
                    begin + datetime.timedelta(days=63),
                    datetime.datetime.combine(begin, datetime.time(10), tzinfo=datetime.UTC)
                    - datetime.timedelta(days=14),
                    datetime.datetime.combine(begin, datetime.time(9), tzinfo=datetime.UTC)
                    - datetime.timedelta(days=15),
                    datetime.datetime.combine(begin, datetime.time(9), tzinfo=datetime.UTC)
                    - datetime.timedelta(days=15),
                )
                for k, (pid, begin, st, mid) in enumerate(claim_plan)
            ),
            tenant_id=tenant.pk,
            program_id=program.pk,
            description="Bench campaign",
            target_audience="IT buyers",
        )
        request_ids = _ids(FundRequest)
        bulk_load(
            Claim,
            [
                "request_id",
                "partner_id",
                "submitted_by_id",
                "status",
                "activity_start",
                "activity_end",
                "actual_cost",
                "amount_claimed",
                "approved_amount",
                "approved_amount_program",
                "exchange_rate",
                "submitted_at",
                "decided_at",
                "paid_on",
                "leads",
                "attendees",
            ],
            (
                (
                    rid,
                    pid,
                    mid,
                    st,
                    begin,
                    begin + datetime.timedelta(days=3),
                    each * 2,
                    each,
                    each if st in ("paid", "approved") else None,
                    each if st in ("paid", "approved") else None,
                    Decimal(1) if st in ("paid", "approved") else None,
                    datetime.datetime.combine(
                        begin + datetime.timedelta(days=5), datetime.time(9), tzinfo=datetime.UTC
                    ),
                    datetime.datetime.combine(
                        begin + datetime.timedelta(days=8), datetime.time(9), tzinfo=datetime.UTC
                    )
                    if st != "submitted"
                    else None,
                    begin + datetime.timedelta(days=20) if st == "paid" else None,
                    rng.randrange(0, 40),
                    rng.randrange(0, 200),
                )
                for rid, (pid, begin, st, mid) in zip(request_ids, claim_plan, strict=True)
            ),
            tenant_id=tenant.pk,
            program_id=program.pk,
            currency="USD",
        )
        with connection.cursor() as cur:
            # The ledger follows each request and claim: commitment at approval, the claim
            # replaces it when approved, payment when paid. (Rejected claims keep the
            # commitment open, as mdf.services does until the request is cancelled.)
            cur.execute(
                f"""
                INSERT INTO {LedgerEntry._meta.db_table}
                    (tenant_id, program_id, partner_id, kind, amount, request_id, claim_id,
                     key, memo, created_at)
                SELECT r.tenant_id, r.program_id, r.partner_id, x.kind, r.approved_amount,
                       r.id, CASE WHEN x.kind = 'commit' THEN NULL ELSE c.id END, '', '',
                       CASE x.kind WHEN 'commit' THEN r.decided_at
                            WHEN 'claim_approved' THEN c.decided_at
                            ELSE c.paid_on::timestamptz END
                FROM {FundRequest._meta.db_table} r
                JOIN {Claim._meta.db_table} c ON c.request_id = r.id AND c.tenant_id = r.tenant_id
                CROSS JOIN (VALUES ('commit'), ('claim_approved'), ('payment')) AS x(kind)
                WHERE r.tenant_id = %(t)s
                  AND (x.kind = 'commit'
                       OR (x.kind = 'claim_approved' AND c.status IN ('approved', 'paid'))
                       OR (x.kind = 'payment' AND c.status = 'paid'))
                """,
                {"t": tenant.pk},
            )
        step(f"mdf ({size.claims} claims)")

        # Fresh statistics first: the planner must see the bulk-loaded tables as they are.
        if analyze:
            analyze_tables()
        # Figures the tiers and dashboards read, computed by the app's own set-based code.
        metrics_refresh(tenant=tenant)
        health_compute(tenant=tenant, today=today, notify=False)
        with connection.cursor() as cur:
            # A year of weekly history behind today's real snapshot (scores drift).
            cur.execute(
                f"""
                INSERT INTO {HealthSnapshot._meta.db_table}
                    (tenant_id, partner_id, day, score, components, drivers, at_risk,
                     risk_reason, computed_at)
                SELECT s.tenant_id, s.partner_id, (%(today)s::date - 7 * w),
                       GREATEST(0, LEAST(100, s.score + ((s.partner_id * 7 + w * 13) %% 21) - 10)),
                       '[]'::jsonb, '[]'::jsonb, false, '', now()
                FROM {HealthSnapshot._meta.db_table} s
                CROSS JOIN generate_series(1, %(weeks)s) AS w
                WHERE s.tenant_id = %(t)s AND s.day = %(today)s
                """,
                {"t": tenant.pk, "today": today, "weeks": size.weeks},
            )
            if analyze:
                cur.execute(f"ANALYZE {HealthSnapshot._meta.db_table}")
        rollups_compute(tenant=tenant)
        log_action(
            "bench.seeded",
            tenant=tenant,
            obj=tenant,
            after={
                "partners": size.partners,
                "deals": size.deals,
                "claims": size.claims,
                "members": size.members,
            },
        )
        step("metrics, health history, rollups")
    return {
        "slug": slug,
        "tenant_id": tenant.pk,
        "admin": staff_emails[0],
        "manager": staff_emails[1],
        "timings": timings,
    }


def analyze_tables(*, vacuum: bool = False) -> None:
    """Fresh planner statistics; with `vacuum` (outside a transaction) also the visibility
    map, so index-only scans (the name keys) need no heap visits, as after autovacuum."""
    from analytics.models import HealthSnapshot
    from dealreg.models import Deal, DealInfluencer, DealNameKey
    from mdf.models import Claim, FundRequest, LedgerEntry
    from partners.models import Partner
    from prm.models import Member

    tables = (
        Deal,
        DealInfluencer,
        DealNameKey,
        Partner,
        Member,
        LedgerEntry,
        Claim,
        FundRequest,
        HealthSnapshot,
    )
    with connection.cursor() as cur:
        for model in tables:
            verb = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
            cur.execute(f"{verb} {model._meta.db_table}")


# --- Account mapping (the `accounts` benchmark) ------------------------------------------------

# (vendor accounts, partners with accounts, accounts per partner, share of a partner's
# accounts that are also the vendor's)
ACCOUNTS = {"small": (40_000, 800, 100, 0.3), "large": (1_000_000, 20_000, 100, 0.3)}
ACCOUNT_STATUSES = ["customer", "customer", "prospect", "prospect", "prospect", "opportunity"]


def seed_accounts(tenant, scale: str, *, seed: int = 5, log=print) -> dict:
    """The vendor's accounts and the first partners' accounts of the big tenant, loaded by
    COPY. A share of each partner's accounts are vendor customers' (the same domain, or the
    same company under another domain: a name match); the rest are companies of its own."""
    from accountmap.models import Account
    from partners.domains import normalise_company_name
    from partners.models import Partner

    n_vendor, n_partners, per_partner, shared = ACCOUNTS[scale]
    rng = random.Random(seed)
    started = time.monotonic()
    industries = ["Software", "Retail", "Banking", "Health", "Energy", "Logistics"]
    regions = ["EMEA", "NA", "APAC", "LATAM"]

    def row(partner_id, c, domain_override=None):
        name, domain = _customer(rng, c)
        return (
            tenant.pk,
            partner_id,
            name,
            normalise_company_name(name),
            domain_override if domain_override is not None else domain,
            ACCOUNT_STATUSES[c % len(ACCOUNT_STATUSES)],
            industries[c % len(industries)],
            regions[(c // 7) % len(regions)],
            10 + (c % 5000),
        )

    columns = [
        "tenant_id", "partner_id", "name", "name_normalised", "domain", "status", "industry",
        "region", "employees",
    ]  # fmt: skip
    with tenant_context(tenant), transaction.atomic():
        bulk_load(Account, columns, (row(None, c) for c in range(n_vendor)), source="crm")
        partners = _ids(Partner)[:n_partners]

        def partner_rows():
            for i, partner_id in enumerate(partners):
                for j in range(per_partner):
                    if rng.random() < shared:
                        c = rng.randrange(n_vendor)
                        # one in five shared companies under another domain: a name match
                        other = f"p{i}-{j}.example" if rng.random() < 0.2 else None
                        yield row(partner_id, c, other)
                    else:
                        yield row(partner_id, n_vendor + i * per_partner + j)

        bulk_load(Account, columns, partner_rows(), source="csv")
    with connection.cursor() as cur:
        cur.execute("ANALYZE accountmap_account")
    seconds = round(time.monotonic() - started, 1)
    log(f"  accounts: {n_vendor} vendor, {len(partners) * per_partner} partner in {seconds}s")
    return {"vendor": n_vendor, "partners": len(partners), "seconds": seconds}


def seed(scale: str, *, log=print) -> dict:
    """Drop earlier bench tenants, then build the big tenant and the small ones."""
    big, n_small, small = SCALES[scale]
    started = time.monotonic()
    dropped = drop_bench_tenants(log=log)
    if dropped:
        log(f"dropped {dropped} earlier bench tenants")
    info = {
        "scale": scale,
        "big": seed_tenant(slug=BIG_SLUG, name="Bench Big", size=big, seed=1, log=log),
    }
    from prm.models import Tenant  # local: seed() runs after django.setup()

    info["accounts"] = seed_accounts(Tenant.objects.get(slug=BIG_SLUG), scale, log=log)
    small_started = time.monotonic()
    for i in range(n_small):
        seed_tenant(
            slug=f"bench-small-{i + 1}",
            name=f"Bench Small {i + 1}",
            size=small,
            seed=100 + i,
            log=lambda *_: None,
            # No ANALYZE per tenant (it samples the whole table: as costly for 500 partners
            # as for 50,000). The statistics then expect ~1 row for each new tenant, which
            # the full rollup survives because it runs without nested loops (analytics.
            # services.rollups_compute: 41 s -> 0.1 s for one 500-partner tenant at large).
            analyze=False,
        )
    analyze_tables(vacuum=not connection.in_atomic_block)
    log(f"{n_small} small tenants done in {time.monotonic() - small_started:.1f}s")
    info["seconds"] = round(time.monotonic() - started, 1)
    return info
