"""factory_boy factories. Tenant-owned rows are created inside their tenant's context, so
RLS WITH CHECK accepts them exactly as it would in the app.

Every model that tests create in more than one test file has its factory here
(tests/prm/test_factories_cover_models.py checks it). A factory fills in only what the model
requires; related rows default to the same tenant. The core's integration and tenant-data
models are named by "app_label.Model" (resolved on first use), as they are moving out of the
core.
"""

from tests.factories.base import (  # noqa: F401 (re-exported)
    PASSWORD,
    AuthenticatorFactory,
    MemberFactory,
    PartnerFactory,
    TenantFactory,
    TenantOwnedFactory,
    UserFactory,
    same_tenant,
)
from tests.factories.capabilities import (  # noqa: F401 (re-exported)
    AccountFactory,
    AnalyticsSettingsFactory,
    AnnouncementFactory,
    AnswerFactory,
    AssetFactory,
    AssetVersionFactory,
    BrandKitFactory,
    CampaignContactFactory,
    CampaignFactory,
    CampaignKitFactory,
    CertificateFactory,
    CertificationFactory,
    CobrandTemplateFactory,
    CommunityEventFactory,
    CourseFactory,
    DirectDealFactory,
    DirectDealInfluencerFactory,
    HealthSnapshotFactory,
    IncentiveProgramFactory,
    InitiativeFactory,
    IntroRequestFactory,
    JointPlanFactory,
    MemberActivityFactory,
    NotificationPreferenceFactory,
    OverlapFactory,
    PartnerSpecialtyFactory,
    PayoutSettingsFactory,
    PlanGoalFactory,
    PopulationFactory,
    PredictionModelFactory,
    ProgramVersionFactory,
    PublicProfileFactory,
    QuestionFactory,
    RegistrationFactory,
    RulesVersionFactory,
    SharingRuleFactory,
)
from tests.factories.core_apps import (  # noqa: F401 (re-exported)
    BusinessReviewFactory,
    DealFactory,
    DealInfluencerFactory,
    DomainProposalFactory,
    ExchangeRateFactory,
    LeadFactory,
    LeadOfferFactory,
    LedgerEntryFactory,
    MdfProgramFactory,
    NotificationFactory,
    OutboxEventFactory,
    PartnerDomainFactory,
    PartnerMetricsFactory,
    PartnerRollupFactory,
    ProductFactory,
    ProgramCostFactory,
    RiskEpisodeFactory,
    SpecialtyFactory,
    TenantExportFactory,
    TenantHostFactory,
    TierChangeFactory,
    TierFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
