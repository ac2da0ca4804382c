"""Factories for the first wave's apps: partners, dealreg, MDF, analytics and the core's
integrations and tenant data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from analytics.models import BusinessReview, PartnerRollup, ProgramCost
from dealreg.models import Deal, DealInfluencer, Lead, LeadOffer
from mdf.models import ExchangeRate, LedgerEntry, LedgerKind, Period
from mdf.models import Program as MdfProgram
from partners.models import (
    PartnerDomain,
    PartnerMetrics,
    PartnerType,
    Product,
    Specialty,
    Tier,
    TierChange,
    TierChangeStatus,
)
from tests.factories.base import (
    MemberFactory,
    PartnerFactory,
    TenantFactory,
    TenantOwnedFactory,
    same_tenant,
)

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
    partner = same_tenant(PartnerFactory)
    direction = "up"
    status = TierChangeStatus.APPLIED


class PartnerMetricsFactory(TenantOwnedFactory):
    class Meta:
        model = PartnerMetrics

    tenant = factory.SubFactory(TenantFactory)
    partner = same_tenant(PartnerFactory)


class PartnerDomainFactory(TenantOwnedFactory):
    class Meta:
        model = PartnerDomain

    tenant = factory.SubFactory(TenantFactory)
    partner = same_tenant(PartnerFactory)
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
    partner = same_tenant(PartnerFactory)
    customer_name = factory.Sequence(lambda n: f"Customer {n}")
    customer_name_normalised = factory.LazyAttribute(lambda o: o.customer_name.lower())


class DealInfluencerFactory(TenantOwnedFactory):
    class Meta:
        model = DealInfluencer

    tenant = factory.SubFactory(TenantFactory)
    deal = same_tenant(DealFactory)
    partner = same_tenant(PartnerFactory)


class LeadFactory(TenantOwnedFactory):
    class Meta:
        model = Lead

    tenant = factory.SubFactory(TenantFactory)
    company = factory.Sequence(lambda n: f"Lead {n}")


class LeadOfferFactory(TenantOwnedFactory):
    class Meta:
        model = LeadOffer

    tenant = factory.SubFactory(TenantFactory)
    lead = same_tenant(LeadFactory)
    partner = same_tenant(PartnerFactory)
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
    program = same_tenant(MdfProgramFactory)
    partner = same_tenant(PartnerFactory)
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
        "tier", yes_declaration=None, no_declaration=same_tenant(PartnerFactory)
    )
    amount = Decimal("100")
    currency = "USD"
    incurred_on = datetime.date(2026, 1, 15)
    description = factory.Sequence(lambda n: f"Cost {n}")


class PartnerRollupFactory(TenantOwnedFactory):
    class Meta:
        model = PartnerRollup

    tenant = factory.SubFactory(TenantFactory)
    partner = same_tenant(PartnerFactory)
    period_start = datetime.date(2026, 1, 1)
    currency = "USD"
    partner_type = PartnerType.RESELLER
    gross_margin_pct = Decimal("30")


class BusinessReviewFactory(TenantOwnedFactory):
    class Meta:
        model = BusinessReview

    tenant = factory.SubFactory(TenantFactory)
    partner = same_tenant(PartnerFactory)
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
    member = same_tenant(MemberFactory)
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
    endpoint = same_tenant(WebhookEndpointFactory)
    event = same_tenant(OutboxEventFactory)


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
