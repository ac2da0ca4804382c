"""factory_boy factories. Tenant-owned rows are created inside their tenant's context, so
RLS WITH CHECK accepts them exactly as it would in the app.

Every model that tests create in more than one test file has its factory here
(tests/prm/test_factories_cover_models.py checks it). A factory fills in only what the model
requires; related rows default to the same tenant. The core's integration and tenant-data
models are named by "app_label.Model" (resolved on first use), as they are moving out of the
core.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from analytics.models import BusinessReview, PartnerRollup, ProgramCost
from analytics.services.periods import quarter_start
from dealreg.models import Deal, DealInfluencer, Lead, LeadOffer
from jointplans.models import period_end
from mdf.models import ExchangeRate, LedgerEntry, LedgerKind, Period
from mdf.models import Program as MdfProgram
from partners.models import (
    Partner,
    PartnerDomain,
    PartnerMetrics,
    PartnerStatus,
    PartnerType,
    Product,
    Specialty,
    Tier,
    TierChange,
    TierChangeStatus,
)
from prm.models import Member, Tenant, User
from prm.roles import Role
from prm.tenancy import tenant_context

PASSWORD = "correct-horse-battery-9"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Vendor {n}")
    slug = factory.Sequence(lambda n: f"vendor{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = model_class.objects.create_user(*args, password=PASSWORD, **kwargs)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user


class TenantOwnedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant_context(kwargs["tenant"]):
            return model_class.objects.create(*args, **kwargs)


class PartnerFactory(TenantOwnedFactory):
    class Meta:
        model = Partner

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_type = PartnerType.RESELLER
    status = PartnerStatus.ACTIVE


class MemberFactory(TenantOwnedFactory):
    class Meta:
        model = Member

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN
    partner = None


def _same_tenant(sub_factory, **kwargs):
    """A related row of the tenant of the row being made."""
    return factory.SubFactory(sub_factory, tenant=factory.SelfAttribute("..tenant"), **kwargs)


class AuthenticatorFactory(factory.django.DjangoModelFactory):
    """allauth's MFA authenticator (TOTP unless `type` says otherwise)."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory)
    type = Authenticator.Type.TOTP
    data = factory.LazyFunction(dict)


# --- partners -----------------------------------------------------------------------------


class TierFactory(TenantOwnedFactory):
    class Meta:
        model = Tier

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: 1000 + n)


class TierChangeFactory(TenantOwnedFactory):
    class Meta:
        model = TierChange

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    direction = "up"
    status = TierChangeStatus.APPLIED


class PartnerMetricsFactory(TenantOwnedFactory):
    class Meta:
        model = PartnerMetrics

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)


class PartnerDomainFactory(TenantOwnedFactory):
    class Meta:
        model = PartnerDomain

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    domain = factory.Sequence(lambda n: f"partner{n}.example")


class ProductFactory(TenantOwnedFactory):
    class Meta:
        model = Product

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Product {n}")


class SpecialtyFactory(TenantOwnedFactory):
    class Meta:
        model = Specialty

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Specialty {n}")


# --- dealreg ------------------------------------------------------------------------------


class DealFactory(TenantOwnedFactory):
    """A deal row as stored (a draft unless `status` says otherwise), written directly: no
    normalisation, conflict check or audit (use dealreg.services for those)."""

    class Meta:
        model = Deal

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    customer_name = factory.Sequence(lambda n: f"Customer {n}")
    customer_name_normalised = factory.LazyAttribute(lambda o: o.customer_name.lower())


class DealInfluencerFactory(TenantOwnedFactory):
    class Meta:
        model = DealInfluencer

    tenant = factory.SubFactory(TenantFactory)
    deal = _same_tenant(DealFactory)
    partner = _same_tenant(PartnerFactory)


class LeadFactory(TenantOwnedFactory):
    class Meta:
        model = Lead

    tenant = factory.SubFactory(TenantFactory)
    company = factory.Sequence(lambda n: f"Lead {n}")


class LeadOfferFactory(TenantOwnedFactory):
    class Meta:
        model = LeadOffer

    tenant = factory.SubFactory(TenantFactory)
    lead = _same_tenant(LeadFactory)
    partner = _same_tenant(PartnerFactory)
    score = Decimal("10")
    respond_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))


# --- mdf ----------------------------------------------------------------------------------


class MdfProgramFactory(TenantOwnedFactory):
    class Meta:
        model = MdfProgram

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"MDF {n}")
    period = Period.YEAR
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2026, 12, 31)
    currency = "USD"


class LedgerEntryFactory(TenantOwnedFactory):
    class Meta:
        model = LedgerEntry

    tenant = factory.SubFactory(TenantFactory)
    program = _same_tenant(MdfProgramFactory)
    partner = _same_tenant(PartnerFactory)
    kind = LedgerKind.ALLOCATE
    amount = Decimal("1000")


class ExchangeRateFactory(TenantOwnedFactory):
    class Meta:
        model = ExchangeRate

    tenant = factory.SubFactory(TenantFactory)
    from_currency = "EUR"
    to_currency = "USD"
    rate = Decimal("1.1")
    valid_from = datetime.date(2026, 1, 1)


# --- analytics ----------------------------------------------------------------------------


class ProgramCostFactory(TenantOwnedFactory):
    """A program cost for one partner, or for a tier when `tier` is given."""

    class Meta:
        model = ProgramCost

    tenant = factory.SubFactory(TenantFactory)
    tier = None
    partner = factory.Maybe(
        "tier", yes_declaration=None, no_declaration=_same_tenant(PartnerFactory)
    )
    amount = Decimal("100")
    currency = "USD"
    incurred_on = datetime.date(2026, 1, 15)
    description = factory.Sequence(lambda n: f"Cost {n}")


class PartnerRollupFactory(TenantOwnedFactory):
    class Meta:
        model = PartnerRollup

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    period_start = datetime.date(2026, 1, 1)
    currency = "USD"
    partner_type = PartnerType.RESELLER
    gross_margin_pct = Decimal("30")


class BusinessReviewFactory(TenantOwnedFactory):
    class Meta:
        model = BusinessReview

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    period_start = datetime.date(2024, 1, 1)


# --- the core's integrations and tenant data ----------------------------------------------


class TenantExportFactory(TenantOwnedFactory):
    class Meta:
        model = "tenantdata.TenantExport"

    tenant = factory.SubFactory(TenantFactory)


class OutboxEventFactory(TenantOwnedFactory):
    class Meta:
        model = "prm.OutboxEvent"

    tenant = factory.SubFactory(TenantFactory)
    event_type = "deal.approved"
    payload = factory.LazyFunction(dict)


class NotificationFactory(TenantOwnedFactory):
    class Meta:
        model = "prm.Notification"

    tenant = factory.SubFactory(TenantFactory)
    member = _same_tenant(MemberFactory)
    event_type = "deal.approved"
    group = "deals"
    title = "Deal registration approved"


class WebhookEndpointFactory(TenantOwnedFactory):
    class Meta:
        model = "integrations.WebhookEndpoint"

    tenant = factory.SubFactory(TenantFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example/prm")
    event_types = factory.LazyFunction(lambda: ["deal.approved"])
    secret = factory.Sequence(lambda n: f"whsec-{n:032d}")


class WebhookDeliveryFactory(TenantOwnedFactory):
    class Meta:
        model = "integrations.WebhookDelivery"

    tenant = factory.SubFactory(TenantFactory)
    endpoint = _same_tenant(WebhookEndpointFactory)
    event = _same_tenant(OutboxEventFactory)


class TenantHostFactory(factory.django.DjangoModelFactory):
    """A custom domain of a tenant, pending verification unless told otherwise."""

    class Meta:
        model = "prm.TenantHost"

    tenant = factory.SubFactory(TenantFactory)
    host = factory.Sequence(lambda n: f"partners{n}.example")


class DomainProposalFactory(TenantOwnedFactory):
    """A partner admin's pending proposal of its company's domains."""

    class Meta:
        model = "partners.DomainProposal"

    tenant = factory.SubFactory(TenantFactory)
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))
    domains = factory.LazyFunction(lambda: ["proposed.example"])


class RiskEpisodeFactory(TenantOwnedFactory):
    """An open at-risk episode of a partner (analytics' health rules open them)."""

    class Meta:
        model = "analytics.RiskEpisode"

    tenant = factory.SubFactory(TenantFactory)
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))
    started_on = factory.LazyFunction(lambda: timezone.localdate())
    reason = "Health score 31 is below the threshold of 40."
    score = 31


# --- data (account mapping) ---


def _normalised(name: str) -> str:
    # local: keeps this block's one import out of the shared header the other parts edit
    from partners.domains import normalise_company_name

    return normalise_company_name(name)


class AccountFactory(TenantOwnedFactory):
    """A vendor account unless given a partner; name_normalised follows the name."""

    class Meta:
        model = "accountmap.Account"

    tenant = factory.SubFactory(TenantFactory)
    partner = None
    name = factory.Sequence(lambda n: f"Account {n} Ltd")
    name_normalised = factory.LazyAttribute(lambda o: _normalised(o.name))
    domain = factory.Sequence(lambda n: f"account{n}.example")
    status = "customer"


class PopulationFactory(TenantOwnedFactory):
    class Meta:
        model = "accountmap.Population"

    tenant = factory.SubFactory(TenantFactory)
    partner = None
    name = factory.Sequence(lambda n: f"Population {n}")


# --- accountmap: sharing ---


class OverlapFactory(TenantOwnedFactory):
    """A vendor account and a partner's account of the same company."""

    class Meta:
        model = "accountmap.Overlap"

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    vendor_account = _same_tenant(AccountFactory)
    partner_account = factory.SubFactory(
        AccountFactory,
        tenant=factory.SelfAttribute("..tenant"),
        partner=factory.SelfAttribute("..partner"),
        name=factory.SelfAttribute("..vendor_account.name"),
        domain=factory.SelfAttribute("..vendor_account.domain"),
    )
    matched_on = "domain"


class SharingRuleFactory(TenantOwnedFactory):
    """One cell of the sharing matrix: the vendor's default for a standard population."""

    class Meta:
        model = "accountmap.SharingRule"

    tenant = factory.SubFactory(TenantFactory)
    side = "vendor"
    partner = None
    status = "customer"
    population = None
    level = "counts"
    fields = factory.LazyFunction(list)


class IntroRequestFactory(TenantOwnedFactory):
    class Meta:
        model = "accountmap.IntroRequest"

    tenant = factory.SubFactory(TenantFactory)
    overlap = _same_tenant(OverlapFactory)
    partner = factory.SelfAttribute("overlap.partner")


# --- incentives ---------------------------------------------------------------------------


class IncentiveProgramFactory(TenantOwnedFactory):
    """An incentive program (commission unless `kind` says otherwise), without versions."""

    class Meta:
        model = "incentives.IncentiveProgram"

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Incentive program {n}")
    kind = "commission"
    currency = "USD"
    clawback_days = 30


class ProgramVersionFactory(TenantOwnedFactory):
    """A published version of a program, in force since 2020 unless told otherwise; `rules`
    as incentives.rules.clean_rules returns them."""

    class Meta:
        model = "incentives.ProgramVersion"

    tenant = factory.SubFactory(TenantFactory)
    program = _same_tenant(IncentiveProgramFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = "published"
    effective_from = factory.LazyFunction(
        lambda: datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    rules = factory.LazyFunction(dict)


class CertificationFactory(TenantOwnedFactory):
    class Meta:
        model = "training.Certification"

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"CERT-{n}")
    name = factory.Sequence(lambda n: f"Certification {n}")


class CertificateFactory(TenantOwnedFactory):
    """A member's active certificate, valid for a year."""

    class Meta:
        model = "training.Certificate"

    tenant = factory.SubFactory(TenantFactory)
    certification = _same_tenant(CertificationFactory)
    member = _same_tenant(MemberFactory)
    holder_name = "Certified Person"
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=365))


# --- jointplans ---


def _this_quarter():
    return quarter_start(timezone.localdate())


class JointPlanFactory(TenantOwnedFactory):
    """A draft quarterly joint business plan for the current quarter."""

    class Meta:
        model = "jointplans.JointPlan"

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    title = factory.Sequence(lambda n: f"Joint plan {n}")
    period_kind = "quarter"
    start_date = factory.LazyFunction(_this_quarter)
    end_date = factory.LazyAttribute(lambda o: period_end(o.period_kind, o.start_date))
    review_date = factory.SelfAttribute("end_date")


class PlanGoalFactory(TenantOwnedFactory):
    class Meta:
        model = "jointplans.PlanGoal"

    tenant = factory.SubFactory(TenantFactory)
    plan = _same_tenant(JointPlanFactory)
    metric = "certified_people"
    target = Decimal("5")


class InitiativeFactory(TenantOwnedFactory):
    class Meta:
        model = "jointplans.Initiative"

    tenant = factory.SubFactory(TenantFactory)
    plan = _same_tenant(JointPlanFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


# --- direct deals and courses (lists sorted in tests/prm/test_sorted_lists.py) -------------


class DirectDealFactory(TenantOwnedFactory):
    """A vendor's direct deal from the CRM."""

    class Meta:
        model = "dealreg.DirectDeal"

    tenant = factory.SubFactory(TenantFactory)
    external_id = factory.Sequence(lambda n: f"OPP-{n}")
    customer_name = factory.Sequence(lambda n: f"Direct Customer {n}")
    amount = Decimal("10000")


class DirectDealInfluencerFactory(TenantOwnedFactory):
    """A partner credited on a direct deal."""

    class Meta:
        model = "dealreg.DirectDealInfluencer"

    tenant = factory.SubFactory(TenantFactory)
    direct_deal = factory.SubFactory(DirectDealFactory, tenant=factory.SelfAttribute("..tenant"))
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))


class CourseFactory(TenantOwnedFactory):
    """A draft course."""

    class Meta:
        model = "training.Course"

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    code = factory.Sequence(lambda n: f"C{n}")


# --- co-selling: reps and notification groups ---


class NotificationPreferenceFactory(TenantOwnedFactory):
    class Meta:
        model = "prm.NotificationPreference"

    tenant = factory.SubFactory(TenantFactory)
    member = _same_tenant(MemberFactory)
    group = "deals"
    mode = "immediate"


# --- marketing ---


class AssetFactory(TenantOwnedFactory):
    """A draft PDF asset for every partner (no version yet)."""

    class Meta:
        model = "marketing.Asset"

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Asset {n}")
    kind = "pdf"
    language = "en"


class AssetVersionFactory(TenantOwnedFactory):
    """A video-link version (no file to store)."""

    class Meta:
        model = "marketing.AssetVersion"

    tenant = factory.SubFactory(TenantFactory)
    asset = _same_tenant(AssetFactory)
    number = factory.Sequence(lambda n: n + 1)
    url = "https://videos.example.com/watch/1"


class CobrandTemplateFactory(TenantOwnedFactory):
    class Meta:
        model = "marketing.CobrandTemplate"

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"One-pager {n}")
    kind = "one_pager"
    body = "<h1>{{ partner.name }}</h1><p>{{ partner.logo }}</p><p>{{ partner.contact }}</p>"


class BrandKitFactory(TenantOwnedFactory):
    class Meta:
        model = "marketing.BrandKit"

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    contact_name = "Pat Partner"
    contact_email = "pat@partner.example"


class CampaignKitFactory(TenantOwnedFactory):
    """A published campaign kit with one e-mail step."""

    class Meta:
        model = "marketing.CampaignKit"

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Campaign kit {n}")
    landing_headline = "Move to the cloud"
    landing_body = "<p>{{ partner.name }}</p>"
    email_steps = factory.LazyFunction(
        lambda: [{"subject": "Hello", "body": "<p>From {{ partner.name }}</p>", "delay_days": 0}]
    )
    status = "published"


class CampaignFactory(TenantOwnedFactory):
    """A partner's campaign of a kit (codes here are made up; the service issues real ones)."""

    class Meta:
        model = "marketing.Campaign"

    tenant = factory.SubFactory(TenantFactory)
    kit = _same_tenant(CampaignKitFactory)
    partner = _same_tenant(PartnerFactory)
    code = factory.Sequence(lambda n: f"F{n:07d}")


class CampaignContactFactory(TenantOwnedFactory):
    """A subscribed contact of a campaign; its partner is the campaign's."""

    class Meta:
        model = "marketing.CampaignContact"

    tenant = factory.SubFactory(TenantFactory)
    campaign = _same_tenant(CampaignFactory)
    partner = factory.SelfAttribute("campaign.partner")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    consent_text = "Agreed to receive marketing e-mail."


# --- community ---------------------------------------------------------------------------


class AnnouncementFactory(TenantOwnedFactory):
    """A published news announcement for everyone."""

    class Meta:
        model = "community.Announcement"

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Announcement {n}")
    body = "<p>News for partners.</p>"
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class QuestionFactory(TenantOwnedFactory):
    class Meta:
        model = "community.Question"

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"How do I do thing {n}?")
    body = "<p>Details.</p>"


class AnswerFactory(TenantOwnedFactory):
    class Meta:
        model = "community.Answer"

    tenant = factory.SubFactory(TenantFactory)
    question = _same_tenant(QuestionFactory)
    body = "<p>Like this.</p>"


class CommunityEventFactory(TenantOwnedFactory):
    """A published webinar tomorrow, one hour long."""

    class Meta:
        model = "community.Event"

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Webinar {n}")
    status = "published"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    join_url = "https://meet.example/webinar"


class RegistrationFactory(TenantOwnedFactory):
    """A seat taken at a community event."""

    class Meta:
        model = "community.Registration"

    tenant = factory.SubFactory(TenantFactory)
    event = _same_tenant(CommunityEventFactory)
    member = _same_tenant(MemberFactory)
    status = "registered"


# --- locator ---


class PublicProfileFactory(TenantOwnedFactory):
    """A partner's published public profile."""

    class Meta:
        model = "locator.PublicProfile"

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    slug = factory.Sequence(lambda n: f"partner-{n}")
    status = "published"
    headline = "Cloud migrations done right"
    search_text = factory.LazyAttribute(lambda o: f"{o.partner.name} {o.headline}".lower())


class PartnerSpecialtyFactory(TenantOwnedFactory):
    """A specialty on a partner's own (staff-kept) record, not on its public profile."""

    class Meta:
        model = "partners.PartnerSpecialty"

    tenant = factory.SubFactory(TenantFactory)
    partner = _same_tenant(PartnerFactory)
    specialty = _same_tenant(SpecialtyFactory)


# --- predict ---


class MemberActivityFactory(TenantOwnedFactory):
    """One member's portal use on one day (one sign-in)."""

    class Meta:
        model = "analytics.MemberActivity"

    tenant = factory.SubFactory(TenantFactory)
    member = factory.SubFactory(MemberFactory, tenant=factory.SelfAttribute("..tenant"))
    partner = factory.SelfAttribute("member.partner")
    day = factory.LazyFunction(lambda: timezone.localdate())
    sign_ins = 1


class HealthSnapshotFactory(TenantOwnedFactory):
    """A partner's health score on one day."""

    class Meta:
        model = "analytics.HealthSnapshot"

    tenant = factory.SubFactory(TenantFactory)
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))
    day = factory.LazyFunction(lambda: timezone.localdate())
    score = 50


class PredictionModelFactory(TenantOwnedFactory):
    """A churn model run (no estimator: a run that found too little history)."""

    class Meta:
        model = "predict.PredictionModel"

    tenant = factory.SubFactory(TenantFactory)
    task = "churn"
    version = factory.Sequence(lambda n: n + 1)
    status = "insufficient"


# --- polish ---


class PayoutSettingsFactory(TenantOwnedFactory):
    """A tenant's payout settings (minimum payout, the second-approval threshold)."""

    class Meta:
        model = "incentives.PayoutSettings"

    tenant = factory.SubFactory(TenantFactory)


class AnalyticsSettingsFactory(TenantOwnedFactory):
    """A tenant's analytics settings (attribution model, health weights: the model defaults)."""

    class Meta:
        model = "analytics.AnalyticsSettings"

    tenant = factory.SubFactory(TenantFactory)


class RulesVersionFactory(TenantOwnedFactory):
    """A rules-of-engagement version as stored (the model's defaults unless given)."""

    class Meta:
        model = "dealreg.RulesVersion"

    tenant = factory.SubFactory(TenantFactory)
    version = factory.Sequence(lambda n: n + 1)
