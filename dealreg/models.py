"""Deal registration: deals, their conflicts and timeline, rules of engagement, named
accounts, leads."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from dealreg.rules import name_tokens
from partners.domains import normalise_company_name
from partners.freemail import validate_company_domain
from prm.tenancy import TenantModel


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses in which a deal holds (or claims) its customer: conflicts are checked against these.
ACTIVE_STATUSES = (DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW, DealStatus.APPROVED)

STATUS_TONES = {
    DealStatus.APPROVED: "ok",
    DealStatus.WON: "ok",
    DealStatus.REJECTED: "bad",
    DealStatus.LOST: "bad",
    DealStatus.SUBMITTED: "warn",
    DealStatus.UNDER_REVIEW: "warn",
}


def protection_today():
    """The day protections are measured against: a protection lasts through its
    `protected_until` day and has ended the day after (the expiry sweep uses the same)."""
    return timezone.now().date()


# The derived columns of a deal's company name, computed from `customer_name` in one place
# (Deal.derive_name_fields) whatever writes the deal: conflict detection compares them, and
# the lookup keys (DealNameKey) are made from the tokens by the database's triggers.
NAME_FIELDS = ("customer_name_normalised", "customer_name_tokens")


def derived_name_fields(customer_name: str) -> dict:
    normalised = normalise_company_name((customer_name or "").strip())
    return {"customer_name_normalised": normalised, "customer_name_tokens": name_tokens(normalised)}


class DealQuerySet(models.QuerySet):
    """Bulk writes keep the derived name columns too: `bulk_create` derives them for every
    row, and an `update()` of `customer_name` sets them with it (an expression, which cannot
    be derived in Python, is refused)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.derive_name_fields()
        return super().bulk_create(objs, *args, **kwargs)

    def with_current_status(self, status: str):
        """Deals whose status as shown (Deal.current_status) is `status`: an approved deal
        whose protection has ended counts as expired before the sweep records it."""
        today = protection_today()
        lapsed = Q(status=DealStatus.APPROVED, protected_until__lt=today)
        if status == DealStatus.APPROVED:
            return self.filter(status=status).exclude(lapsed)
        if status == DealStatus.EXPIRED:
            return self.filter(Q(status=status) | lapsed)
        return self.filter(status=status)

    def update(self, **kwargs):
        if "customer_name" in kwargs:
            name = kwargs["customer_name"]
            if not isinstance(name, str):
                raise ValueError("update(customer_name=...) takes a plain string")
            kwargs.update(derived_name_fields(name))
        elif any(f in kwargs for f in NAME_FIELDS):
            raise ValueError("the derived name columns follow customer_name: update that")
        return super().update(**kwargs)


DealManager = models.Manager.from_queryset(DealQuerySet)


# The moves between statuses are declared once, with who may make them, in dealreg/states.py.


class DealType(models.TextChoices):
    NEW = "new", _("New business")
    UPSELL = "upsell", _("Upsell")
    RENEWAL = "renewal", _("Renewal")


class PartnerRole(models.TextChoices):
    RESELL = "resell", _("Resell")
    REFERRAL = "referral", _("Referral")
    INFLUENCE = "influence", _("Influence")


class DealSource(models.TextChoices):
    PARTNER = "partner", _("Partner-sourced")
    VENDOR_LEAD = "vendor_lead", _("Vendor lead")


class RulesVersion(TenantModel):
    """The published rules of engagement, versioned with an effective date. A decision
    records the version it applied."""

    version = models.PositiveIntegerField()
    effective_from = models.DateTimeField(default=timezone.now)
    default_protection_days = models.PositiveSmallIntegerField(
        _("default protection days"), default=90, validators=[MinValueValidator(1)]
    )
    use_tier_protection_days = models.BooleanField(
        _("use each tier's protection days"), default=True
    )
    max_extensions = models.PositiveSmallIntegerField(_("maximum extensions"), default=1)
    extension_days = models.PositiveSmallIntegerField(_("days per extension"), default=30)
    auto_approve = models.BooleanField(_("auto-approve clean deals"), default=True)
    auto_approve_max_amount = models.DecimalField(
        _("auto-approve up to this amount"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("50000"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    auto_approve_tier_ids = ArrayField(
        models.BigIntegerField(),
        default=list,
        blank=True,
        verbose_name=_("tiers eligible for auto-approval"),
    )
    require_current_agreement = models.BooleanField(
        _("auto-approve only with a current agreement"), default=True
    )
    auto_reject_named_accounts = models.BooleanField(
        _("auto-reject deals for named direct accounts"), default=False
    )
    name_similarity_threshold = models.DecimalField(
        _("company-name similarity threshold"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.85"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1"))],
    )
    review_sla_hours = models.PositiveSmallIntegerField(_("review target (hours)"), default=48)
    auto_approve_on_sla_timeout = models.BooleanField(
        _("auto-approve low-risk deals when the review target passes"), default=False
    )
    lead_response_hours = models.PositiveSmallIntegerField(
        _("hours a partner has to accept a lead"), default=48
    )
    influence_review_hours = models.PositiveSmallIntegerField(
        _("influence claim review target (hours)"), default=72, validators=[MinValueValidator(1)]
    )
    notes = models.TextField(_("notes for partners"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="rules_unique_version")
        ]
        indexes = [models.Index(fields=["tenant", "-effective_from"], name="rules_effective_idx")]


class NamedAccount(TenantModel):
    """The vendor's own named/direct accounts and open direct opportunities."""

    class Kind(models.TextChoices):
        NAMED = "named", _("Named direct account")
        OPPORTUNITY = "opportunity", _("Open direct opportunity")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NAMED)
    name = models.CharField(max_length=200)
    name_normalised = models.CharField(max_length=200, db_index=False)
    name_tokens = ArrayField(models.CharField(max_length=60), default=list)
    domain = models.CharField(max_length=253, blank=True)
    owner = models.CharField(_("account owner"), max_length=200, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="namedaccount_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "domain"], name="namedaccount_domain_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(TenantModel):
    objects = ScopedManager(tenant="tenant", _manager_class=DealManager)

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="deals")
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=14, choices=DealStatus.choices, default=DealStatus.DRAFT)
    source = models.CharField(max_length=12, choices=DealSource.choices, default=DealSource.PARTNER)
    customer_name = models.CharField(_("customer company"), max_length=200)
    customer_name_normalised = models.CharField(max_length=200)
    customer_name_tokens = ArrayField(models.CharField(max_length=60), default=list)
    customer_domain_input = models.CharField(
        _("customer website or e-mail domain"),
        max_length=300,
        blank=True,
        validators=[validate_company_domain],
    )
    customer_domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region"), max_length=8, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    products = models.ManyToManyField("partners.Product", through="DealProduct", blank=True)
    amount = models.DecimalField(
        _("estimated amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        null=True,
        blank=True,
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    deal_type = models.CharField(
        _("deal type"), max_length=10, choices=DealType.choices, default=DealType.NEW
    )
    partner_role = models.CharField(
        _("your role"), max_length=10, choices=PartnerRole.choices, default=PartnerRole.RESELL
    )
    notes = models.TextField(_("notes"), blank=True)
    mdf_campaign_code = models.CharField(_("MDF campaign code"), max_length=40, blank=True)
    external_id = models.CharField(_("CRM id"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField(max_length=500, blank=True)
    rules_version = models.ForeignKey(
        RulesVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    protected_until = models.DateField(null=True, blank=True)
    extensions_used = models.PositiveSmallIntegerField(default=0)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_escalated_at = models.DateTimeField(null=True, blank=True)
    won_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    closed_at = models.DateField(null=True, blank=True)
    lost_reason = models.CharField(max_length=500, blank=True)
    has_conflicts = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # First in wins, guaranteed by the database: one approved deal per customer domain.
            models.UniqueConstraint(
                fields=["tenant", "customer_domain"],
                condition=Q(status="approved") & ~Q(customer_domain=""),
                name="deal_one_approved_per_domain",
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="deal_unique_external_id",
            ),
            # An active registration always has name tokens, so the triggers give it lookup
            # keys (issue #17: seeded deals without tokens were invisible to conflicts).
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "under_review", "approved"])
                | Q(customer_name_tokens__len__gt=0),
                name="deal_active_has_name_tokens",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "customer_domain"],
                condition=Q(status__in=["submitted", "under_review", "approved"]),
                name="deal_active_domain_idx",
            ),
            # An exact normalised name is looked up directly, whatever the key statistics.
            models.Index(
                fields=["tenant", "customer_name_normalised"],
                condition=Q(status__in=["submitted", "under_review", "approved"]),
                name="deal_active_name_idx",
            ),
            models.Index(fields=["tenant", "partner", "-created_at"], name="deal_partner_idx"),
            # The deal list's order (newest first), so a page reads 50 index entries.
            models.Index(fields=["tenant", "-created_at"], name="deal_created_idx"),
            models.Index(fields=["tenant", "status", "submitted_at"], name="deal_queue_idx"),
            # The review queue's orders over both waiting statuses, and the approved deals by
            # end of protection, so their pages read 50 (or 20) index entries, not every one.
            models.Index(
                fields=["tenant", "submitted_at"],
                condition=Q(status__in=["submitted", "under_review"]),
                name="deal_review_idx",
            ),
            models.Index(
                fields=["tenant", "sla_due_at"],
                condition=Q(status__in=["submitted", "under_review"]),
                name="deal_review_sla_idx",
            ),
            models.Index(
                fields=["tenant", "protected_until"],
                condition=Q(status="approved"),
                name="deal_protection_idx",
            ),
            models.Index(
                fields=["tenant", "mdf_campaign_code"],
                condition=~Q(mdf_campaign_code=""),
                name="deal_campaign_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer_name}"

    def derive_name_fields(self) -> None:
        for f, value in derived_name_fields(self.customer_name).items():
            setattr(self, f, value)

    def save(self, *args, update_fields=None, **kwargs):
        # Every save that writes the name writes its derived columns with it, so no writer
        # (a seed, a test, a future service) can leave an active deal without lookup keys.
        if update_fields is None:
            self.derive_name_fields()
        elif "customer_name" in update_fields or any(f in update_fields for f in NAME_FIELDS):
            self.derive_name_fields()
            update_fields = {*update_fields, *NAME_FIELDS}
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def number(self) -> str:
        return f"DR-{self.pk}" if self.pk else "DR-new"

    # What pages say about a status (never what may happen next: see dealreg/states.py).
    @property
    def tone(self) -> str:
        """The status badge's colour class."""
        return STATUS_TONES.get(self.current_status, "off")

    @property
    def awaiting_rules(self) -> bool:
        """Submitted: the rules engine is deciding it (the page polls for the outcome)."""
        return self.status == DealStatus.SUBMITTED

    @property
    def protection_ended(self) -> bool:
        """Approved, but its protection is over: shown as expired everywhere even before the
        expiry sweep (every few minutes) records the move."""
        return (
            self.status == DealStatus.APPROVED
            and self.protected_until is not None
            and self.protected_until < protection_today()
        )

    @property
    def current_status(self) -> str:
        """The status pages and the API show."""
        return DealStatus.EXPIRED if self.protection_ended else self.status

    @property
    def current_status_label(self) -> str:
        return DealStatus(self.current_status).label

    @property
    def is_protected(self) -> bool:
        return self.current_status == DealStatus.APPROVED

    @property
    def is_rejected(self) -> bool:
        return self.status == DealStatus.REJECTED

    @property
    def is_pending(self) -> bool:
        """Waiting for a decision (by the rules or a person)."""
        return self.status in (DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW)


class DealNameKey(TenantModel):
    """The lookup keys of an active registration's company name, for conflict detection:
    each significant token and, for tokens of four letters or more, every spelling of it with
    one letter left out (so "bluepak" finds "bluepeak": both have the key "bluepak").

    Filled by database triggers on dealreg_deal (migration 0003), whatever writes the deal:
    rows exist only while the deal's status is active. A B-tree lookup on (tenant, key) uses
    only leak-proof equality, so the index is used under forced row-level security, which a
    GIN index over the token array is not (array overlap is not leak-proof)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["tenant", "key", "deal"], name="dealnamekey_key_idx")]


class DealProduct(TenantModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE)
    product = models.ForeignKey("partners.Product", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "deal", "product"], name="dealproduct_unique")
        ]


class MatchKind(models.TextChoices):
    DOMAIN = "domain", _("Same customer domain")
    NAME = "name", _("Similar company name")
    PRODUCTS = "products", _("Overlapping products")
    NAMED_ACCOUNT = "named_account", _("Named direct account")
    DIRECT_OPPORTUNITY = "direct_opportunity", _("Open direct opportunity")
    DUPLICATE = "duplicate", _("Your earlier registration")


class DealMatch(TenantModel):
    """One explainable conflict found for a deal. `reason` names the other party (staff
    only); `partner_reason` never does."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="matches")
    kind = models.CharField(max_length=20, choices=MatchKind.choices)
    score = models.DecimalField(max_digits=4, decimal_places=3)
    matched_deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    matched_account = models.ForeignKey(
        NamedAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300)
    partner_reason = models.CharField(max_length=300)
    found_at = models.DateTimeField(default=timezone.now)


class DealEvent(TenantModel):
    """Append-only timeline of a deal, visible to both sides (staff-only notes flagged)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    staff_only = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["tenant", "deal", "at"], name="dealevent_deal_idx")]


class InfluencerRole(models.TextChoices):
    SI = "si", _("Systems integrator")
    ISV = "isv", _("ISV")
    ADVISOR = "advisor", _("Advisor")
    REFERRAL = "referral", _("Referral")


class DealInfluencer(TenantModel):
    """A partner that influenced a deal another partner (or the vendor) sourced. Staff set
    its `weight` (its share of the influenced revenue under weighted attribution) and role."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="influencers")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    role = models.CharField(_("role"), max_length=10, choices=InfluencerRole.choices, blank=True)
    added_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The approved influence claim that credited the partner (none: added by hand).
    claim = models.ForeignKey(
        "InfluenceClaim",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deal_credits",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "deal", "partner"], name="dealinfluencer_unique"
            )
        ]


class ExtensionRequest(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "deal"],
                condition=Q(status="pending"),
                name="extension_one_pending",
            )
        ]


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    OFFERED = "offered", _("Offered to a partner")
    ACCEPTED = "accepted", _("Accepted")
    UNASSIGNED = "unassigned", _("No partner available")
    CLOSED = "closed", _("Closed")


class Lead(TenantModel):
    company = models.CharField(_("company"), max_length=200)
    domain = models.CharField(_("website or domain"), max_length=253, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region"), max_length=8, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    specialties = models.ManyToManyField("partners.Specialty", through="LeadSpecialty", blank=True)
    amount = models.DecimalField(
        _("estimated amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(max_length=3, default="USD")
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)
    external_id = models.CharField(max_length=100, blank=True)
    deal = models.OneToOneField(
        Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="lead"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="lead_unique_external_id",
            )
        ]


class LeadSpecialty(TenantModel):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE)
    specialty = models.ForeignKey("partners.Specialty", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "lead", "specialty"], name="leadspecialty_unique"
            )
        ]


class LeadOffer(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the partner")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        TIMED_OUT = "timed_out", _("No answer in time")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    score = models.DecimalField(max_digits=6, decimal_places=2)
    explanation = models.JSONField(default=list)
    offered_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "lead"], condition=Q(status="open"), name="leadoffer_one_open"
            ),
            models.UniqueConstraint(
                fields=["tenant", "lead", "partner"], name="leadoffer_once_per_partner"
            ),
        ]


class InfluenceClaim(TenantModel):
    """A partner's claim to have influenced a customer's buying decision, with evidence.
    Staff approve or reject it (with a reason) within the review target of the rules in force
    (`due_at`); the partner may withdraw it while it waits. Moves: dealreg.states."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    customer_name = models.CharField(_("customer company"), max_length=200)
    customer_domain = models.CharField(_("customer website or domain"), max_length=253, blank=True)
    role = models.CharField(_("your role"), max_length=10, choices=InfluencerRole.choices)
    evidence = models.TextField(_("evidence"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "due_at"], name="influenceclaim_queue_idx"),
            models.Index(
                fields=["tenant", "partner", "-created_at"], name="influenceclaim_ptr_idx"
            ),
        ]

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.due_at < timezone.now()


class DirectDeal(TenantModel):
    """One of the vendor's own deals, kept in step with the CRM by its id (no partner sourced
    it, so it is no Deal: conflicts and partner metrics never see it). Partners that
    influenced it are its influencers, credited with influenced revenue when it is won."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    external_id = models.CharField(_("CRM id"), max_length=100)
    customer_name = models.CharField(_("customer company"), max_length=200)
    customer_name_normalised = models.CharField(max_length=200)
    customer_domain = models.CharField(_("customer domain"), max_length=253, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="directdeal_unique_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "customer_name_normalised"], name="directdeal_name_idx"),
            models.Index(fields=["tenant", "customer_domain"], name="directdeal_domain_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.customer_name}"

    @property
    def tone(self) -> str:
        return {"won": "ok", "lost": "bad"}.get(self.status, "off")


class DirectDealInfluencer(TenantModel):
    """A partner that influenced one of the vendor's direct deals, with its weight (share of
    the influenced revenue under weighted attribution) and role. Set by the CRM, or by an
    approved influence claim (`claim`)."""

    direct_deal = models.ForeignKey(
        DirectDeal, on_delete=models.CASCADE, related_name="influencers"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    role = models.CharField(_("role"), max_length=10, choices=InfluencerRole.choices, blank=True)
    claim = models.ForeignKey(
        InfluenceClaim,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_credits",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "direct_deal", "partner"], name="directdealinfluencer_unique"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "partner"], name="directdealinf_partner_idx"),
        ]
