"""Factories for the second wave's apps: account mapping, co-selling, incentives, joint plans,
marketing, community, locator and prediction."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from analytics.services.periods import quarter_start
from jointplans.models import period_end
from partners.domains import normalise_company_name
from tests.factories.base import (
    MemberFactory,
    PartnerFactory,
    TenantFactory,
    TenantOwnedFactory,
    same_tenant,
)
from tests.factories.core_apps import (
    SpecialtyFactory,
)

# --- data (account mapping) ---


def _normalised(name: str) -> str:
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
    partner = same_tenant(PartnerFactory)
    vendor_account = same_tenant(AccountFactory)
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
    overlap = same_tenant(OverlapFactory)
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
    program = same_tenant(IncentiveProgramFactory)
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
    certification = same_tenant(CertificationFactory)
    member = same_tenant(MemberFactory)
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
    partner = same_tenant(PartnerFactory)
    title = factory.Sequence(lambda n: f"Joint plan {n}")
    period_kind = "quarter"
    start_date = factory.LazyFunction(_this_quarter)
    end_date = factory.LazyAttribute(lambda o: period_end(o.period_kind, o.start_date))
    review_date = factory.SelfAttribute("end_date")


class PlanGoalFactory(TenantOwnedFactory):
    class Meta:
        model = "jointplans.PlanGoal"

    tenant = factory.SubFactory(TenantFactory)
    plan = same_tenant(JointPlanFactory)
    metric = "certified_people"
    target = Decimal("5")


class InitiativeFactory(TenantOwnedFactory):
    class Meta:
        model = "jointplans.Initiative"

    tenant = factory.SubFactory(TenantFactory)
    plan = same_tenant(JointPlanFactory)
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
    member = same_tenant(MemberFactory)
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
    asset = same_tenant(AssetFactory)
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
    partner = same_tenant(PartnerFactory)
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
    kit = same_tenant(CampaignKitFactory)
    partner = same_tenant(PartnerFactory)
    code = factory.Sequence(lambda n: f"F{n:07d}")


class CampaignContactFactory(TenantOwnedFactory):
    """A subscribed contact of a campaign; its partner is the campaign's."""

    class Meta:
        model = "marketing.CampaignContact"

    tenant = factory.SubFactory(TenantFactory)
    campaign = same_tenant(CampaignFactory)
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
    question = same_tenant(QuestionFactory)
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
    event = same_tenant(CommunityEventFactory)
    member = same_tenant(MemberFactory)
    status = "registered"


# --- locator ---


class PublicProfileFactory(TenantOwnedFactory):
    """A partner's published public profile."""

    class Meta:
        model = "locator.PublicProfile"

    tenant = factory.SubFactory(TenantFactory)
    partner = same_tenant(PartnerFactory)
    slug = factory.Sequence(lambda n: f"partner-{n}")
    status = "published"
    headline = "Cloud migrations done right"
    search_text = factory.LazyAttribute(lambda o: f"{o.partner.name} {o.headline}".lower())


class PartnerSpecialtyFactory(TenantOwnedFactory):
    """A specialty on a partner's own (staff-kept) record, not on its public profile."""

    class Meta:
        model = "partners.PartnerSpecialty"

    tenant = factory.SubFactory(TenantFactory)
    partner = same_tenant(PartnerFactory)
    specialty = same_tenant(SpecialtyFactory)


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
