"""Account mapping: the vendor's accounts and each partner's, grouped in populations, the
overlaps between them, and what each side shares with the other.

Both sides keep their accounts in one table (`Account.partner` is null for the vendor's).
An account's standard population is its `status` (customer, prospect, open opportunity);
custom populations are saved filters (`Population`). Overlaps are matched on the registrable
domain and the normalised company name (`partners.domains`), computed set-based by a Celery
task, and stored one row per vendor account x partner account. `SharingRule` is the sharing
matrix: per side, population and (optionally) partner, one level and the fields shown.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel, tenant_without_key


class Side(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PARTNER = "partner", _("Partner")


class AccountStatus(models.TextChoices):
    """The three standard populations: every account is in exactly one of them."""

    CUSTOMER = "customer", _("Customer")
    PROSPECT = "prospect", _("Prospect")
    OPPORTUNITY = "opportunity", _("Open opportunity")


class AccountSource(models.TextChoices):
    CRM = "crm", _("CRM (API)")
    CSV = "csv", _("CSV import")
    API = "api", _("API")
    REGISTRATION = "registration", _("Deal registration")
    NAMED = "named", _("Named account")
    MANUAL = "manual", _("Entered by hand")


class Account(TenantModel):
    """One company on one side's list. `partner` null: the vendor's account."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mapped_accounts",
    )
    name = models.CharField(_("company name"), max_length=200)
    name_normalised = models.CharField(max_length=200)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    status = models.CharField(
        _("population"), max_length=12, choices=AccountStatus.choices, default="prospect"
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    owner_name = models.CharField(_("owner rep"), max_length=200, blank=True)
    owner_email = models.EmailField(_("owner rep e-mail"), blank=True)
    # The rep as a member of this tenant, when the owner's e-mail is one (people mapping).
    owner_member = models.ForeignKey(
        "prm.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_accounts",
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    source = models.CharField(max_length=12, choices=AccountSource.choices, default="manual")
    # A partner's own registration counts as its account (source=registration).
    deal = models.ForeignKey(
        "dealreg.Deal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mapped_accounts",
    )
    # A vendor customer or open opportunity keeps dealreg's named account (which conflict
    # detection reads) in step; this is the named account it keeps (accountmap.services).
    named_account = models.ForeignKey(
        "dealreg.NamedAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mapped_accounts",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "external_id"],
                condition=~Q(external_id=""),
                nulls_distinct=False,
                name="account_unique_external_id",
            ),
            # A partner's registration is one of its accounts, once.
            models.UniqueConstraint(
                fields=["tenant", "deal"],
                condition=Q(deal__isnull=False),
                name="account_unique_deal",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "domain"], name="account_side_domain_idx"),
            models.Index(
                fields=["tenant", "partner", "name_normalised"], name="account_side_name_idx"
            ),
            models.Index(fields=["tenant", "domain"], name="account_domain_idx"),
            models.Index(fields=["tenant", "name_normalised"], name="account_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def side(self) -> str:
        return Side.VENDOR if self.partner_id is None else Side.PARTNER


class Population(TenantModel):
    """A custom population: a saved filter over one side's accounts. The three standard
    populations are the account statuses and need no row."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="account_populations",
    )
    name = models.CharField(_("name"), max_length=80)
    statuses = ArrayField(
        models.CharField(max_length=12, choices=AccountStatus.choices), default=list, blank=True
    )
    industries = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    regions = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    countries = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    min_employees = models.PositiveIntegerField(null=True, blank=True)
    max_employees = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "name"],
                nulls_distinct=False,
                name="population_unique_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MatchKind(models.TextChoices):
    DOMAIN = "domain", _("Same domain")
    NAME = "name", _("Same company name")


class Overlap(TenantModel):
    """A vendor account and a partner account that are the same company."""

    # Derived rows: a full computation writes 1.5 million of these at large scale, all from
    # one statement (accountmap.sql.REFRESH) that matches the accounts it references in the
    # same transaction and deletes the pairs that no longer match. The database keeps no
    # key for them (prm.distribution.DERIVED: each key was one more check and row lock per
    # written overlap at commit, more than the computation itself); Django's on_delete still
    # removes a deleted account's or partner's overlaps. The keys served by an index that
    # starts with tenant_id have no index of their own (the partner: overlap_partner_idx;
    # the vendor account: overlap_unique_pair).
    tenant = tenant_without_key()
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="account_overlaps",
        db_constraint=False,
        db_index=False,
    )
    vendor_account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="overlaps_as_vendor",
        db_constraint=False,
        db_index=False,
    )
    partner_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="overlaps_as_partner", db_constraint=False
    )
    matched_on = models.CharField(max_length=8, choices=MatchKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "vendor_account", "partner_account"],
                name="overlap_unique_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner"], name="overlap_partner_idx"),
        ]


class Level(models.TextChoices):
    """How much of a population one side shows the other, least first."""

    HIDDEN = "hidden", _("Hidden")
    COUNTS = "counts", _("Overlap counts only")
    OVERLAPS = "overlaps", _("Overlapping accounts")
    ALL = "all", _("All accounts")


# The account fields a side may choose to show at the `overlaps` and `all` levels (the
# company name and domain are always shown at those levels).
SHAREABLE_FIELDS = ("status", "owner", "industry", "region", "country", "employees")


class SharingRule(TenantModel):
    """One cell of the sharing matrix. `side` is who shares. For the vendor, `partner` null is
    the default for every partner and a row with a partner overrides it; a partner's rows
    always name the partner (its own). `population` null with `status` set is a standard
    population; `population` set is a custom one."""

    side = models.CharField(max_length=8, choices=Side.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="account_sharing_rules",
    )
    status = models.CharField(max_length=12, choices=AccountStatus.choices, blank=True)
    population = models.ForeignKey(
        Population, on_delete=models.CASCADE, null=True, blank=True, related_name="rules"
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.COUNTS)
    fields = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "side", "partner", "status", "population"],
                nulls_distinct=False,
                name="sharingrule_unique_cell",
            ),
            models.CheckConstraint(
                condition=(Q(status="") & Q(population__isnull=False))
                | (~Q(status="") & Q(population__isnull=True)),
                name="sharingrule_status_xor_population",
            ),
        ]


# Models of two parts of this app live in their own modules (one engineer's part each: the
# introductions of the sharing part; territories, their reps and overlaps told of the people
# part), imported here so Django registers them with the app.
from accountmap.models_people import OverlapNotice, Territory, TerritoryRep  # noqa: E402, F401
from accountmap.models_sharing import IntroRequest, IntroStatus  # noqa: E402, F401
