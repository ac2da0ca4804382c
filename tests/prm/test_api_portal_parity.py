"""Portal <-> API parity: everything a member can change in the portal, an API key with the
same role can change through /api/v1/.

PORTAL_ACTIONS maps each state-changing portal action (a portal URL name that accepts POST,
and the `op` of the form where one URL serves several) to the API operation doing the same
thing, with a role the portal allows. The tests check that
  - every POST-accepting portal URL is mapped, or listed in PORTAL_ONLY (with the reason) or
    in API_GAPS (known missing endpoints, each with what is missing);
  - every mapped operation is in the OpenAPI schema, and an API key of that role is not
    refused (403) when it calls it;
  - for a sample, the same action through the portal and the API has the same effect (state
    and audit trail).
"""

from __future__ import annotations

import inspect
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from prm import services
from prm.models import AuditEvent, Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

A, CM, PA, PU = "admin", "channel_manager", "partner_admin", "partner_user"


@dataclass(frozen=True)
class Action:
    url_name: str
    op: str  # the form's `op` ("" when the URL does one thing)
    role: str  # a role that may do it in the portal
    method: str
    path: str  # as in the schema

    def __str__(self) -> str:
        return f"{self.url_name}:{self.op or '-'} -> {self.method.upper()} {self.path}"


PORTAL_ACTIONS = [
    # Tenancy core
    Action("members", "", A, "post", "/api/v1/invitations/"),
    Action("members", "", PA, "post", "/api/v1/invitations/"),
    Action("member-change-role", "", A, "patch", "/api/v1/members/{id}/"),
    Action("member-deactivate", "", A, "patch", "/api/v1/members/{id}/"),
    Action("member-reactivate", "", A, "patch", "/api/v1/members/{id}/"),
    Action("invitation-revoke", "", A, "post", "/api/v1/invitations/{id}/revoke/"),
    Action("tenant-settings", "", A, "patch", "/api/v1/tenant/"),
    Action("tenant-host-add", "", A, "post", "/api/v1/tenant/hosts/"),
    Action("tenant-host-remove", "", A, "delete", "/api/v1/tenant/hosts/{id}/"),
    Action("tenant-host-verify", "", A, "post", "/api/v1/tenant/hosts/{id}/verify/"),
    Action("tenant-host-make-main", "", A, "post", "/api/v1/tenant/hosts/{id}/canonical/"),
    Action("tenant-host-stop-main", "", A, "post", "/api/v1/tenant/hosts/{id}/canonical/"),
    Action("api-keys", "", PU, "post", "/api/v1/api-keys/"),
    Action("api-key-revoke-portal", "", PU, "post", "/api/v1/api-keys/{id}/revoke/"),
    # Partners and the program
    Action("partner-list", "", A, "post", "/api/v1/partners/"),
    # Each status action of partners.states.PARTNER_STATUS has its own URL on both sides.
    *(
        Action(f"partner-{name}", "", CM, "post", f"/api/v1/partners/{{id}}/{name}/")
        for name in ("approve", "activate", "suspend", "reactivate", "reonboard", "offboard")
    ),
    Action("partner-set-tier", "", A, "post", "/api/v1/partners/{id}/tier/"),
    Action("partner-edit", "", CM, "patch", "/api/v1/partners/{id}/"),
    Action("company-edit", "", PA, "patch", "/api/v1/partners/{id}/"),
    Action("program-tiers", "", A, "post", "/api/v1/tiers/"),
    Action("program-tiers-evaluate", "", A, "post", "/api/v1/tiers/evaluate/"),
    Action("program-tier-edit", "", A, "patch", "/api/v1/tiers/{id}/"),
    Action("program-tier-preview", "", A, "post", "/api/v1/tiers/what-if/"),
    Action("program-tier-delete", "", A, "delete", "/api/v1/tiers/{id}/"),
    Action("program-what-if", "", A, "post", "/api/v1/tiers/what-if/"),
    *(
        Action(
            f"partner-domain-proposal-{name}",
            "",
            CM,
            "post",
            f"/api/v1/domain-proposals/{{id}}/{name}/",
        )
        for name in ("approve", "reject")
    ),
    Action("program-tier-change-approve", "", A, "post", "/api/v1/tier-changes/{id}/approve/"),
    Action("program-tier-change-reject", "", A, "post", "/api/v1/tier-changes/{id}/reject/"),
    Action("program-catalogue-products", "", A, "post", "/api/v1/products/"),
    Action("program-catalogue-specialties", "", A, "post", "/api/v1/specialties/"),
    Action("program-product-retire", "", A, "patch", "/api/v1/products/{id}/"),
    Action("program-product-restore", "", A, "patch", "/api/v1/products/{id}/"),
    Action("program-settings", "", A, "patch", "/api/v1/program-settings/"),
    # Onboarding
    Action("application-review", "", CM, "post", "/api/v1/applications/{id}/start-review/"),
    Action("application-approve", "", CM, "post", "/api/v1/applications/{id}/approve/"),
    Action("application-reject", "", CM, "post", "/api/v1/applications/{id}/reject/"),
    Action("application-reopen", "", CM, "post", "/api/v1/applications/{id}/reopen/"),
    Action(
        "onboarding-step-check-off",
        "",
        CM,
        "post",
        "/api/v1/onboarding-progress/{id}/complete-step/",
    ),
    Action("agreement-list", "", A, "post", "/api/v1/agreements/"),
    Action("workflow-list", "", A, "post", "/api/v1/workflow-templates/"),
    Action("workflow-save", "", A, "put", "/api/v1/workflow-templates/{id}/"),
    Action("workflow-step-add", "", A, "patch", "/api/v1/workflow-templates/{id}/"),
    Action("workflow-step-remove", "", A, "patch", "/api/v1/workflow-templates/{id}/"),
    Action("workflow-delete", "", A, "delete", "/api/v1/workflow-templates/{id}/"),
    Action("agreement-accept", "", PA, "post", "/api/v1/agreements/{id}/accept/"),
    Action("onboarding-rules-save", "", A, "patch", "/api/v1/onboarding-settings/"),
    Action(
        "onboarding-ipp-save",
        "",
        A,
        "patch",
        "/api/v1/onboarding-settings/ideal-partner-profile/",
    ),
    Action("my-onboarding-upload", "", PA, "post", "/api/v1/onboarding-progress/{id}/documents/"),
    # Training
    Action("training-course-enrol", "", PU, "post", "/api/v1/courses/{id}/enrol/"),
    Action("training-course-restart", "", PU, "post", "/api/v1/enrollments/{id}/restart/"),
    Action("training-lesson", "", PU, "post", "/api/v1/training-progress/"),
    Action("training-quiz", "", PU, "post", "/api/v1/quiz-attempts/"),
    Action("training-attempt", "", PU, "post", "/api/v1/quiz-attempts/{id}/submit/"),
    Action("training-admin-courses", "", A, "post", "/api/v1/courses/"),
    Action("training-admin-course-save", "", A, "patch", "/api/v1/courses/{id}/"),
    Action("training-admin-course-enrol", "", A, "post", "/api/v1/enrollments/"),
    *(
        Action(f"training-admin-course-{name}", "", A, "patch", "/api/v1/courses/{id}/")
        for name in ("publish", "unpublish", "archive")
    ),
    Action("training-admin-lesson-add", "", A, "post", "/api/v1/lessons/"),
    Action("training-admin-lesson-up", "", A, "post", "/api/v1/lessons/{id}/move/"),
    Action("training-admin-lesson-down", "", A, "post", "/api/v1/lessons/{id}/move/"),
    Action("training-admin-lesson-save", "", A, "patch", "/api/v1/lessons/{id}/"),
    Action("training-admin-lesson-file", "", A, "post", "/api/v1/lessons/{id}/file/"),
    Action("training-admin-lesson-file-remove", "", A, "delete", "/api/v1/lessons/{id}/file/"),
    Action("training-admin-lesson-delete", "", A, "delete", "/api/v1/lessons/{id}/"),
    Action("training-admin-questions", "", A, "post", "/api/v1/quiz-questions/"),
    Action("training-admin-question", "", A, "put", "/api/v1/quiz-questions/{id}/"),
    Action("training-admin-question-delete", "", A, "delete", "/api/v1/quiz-questions/{id}/"),
    Action("training-admin-paths", "", A, "post", "/api/v1/learning-paths/"),
    Action("training-admin-path", "", A, "put", "/api/v1/learning-paths/{id}/"),
    Action("training-admin-path-delete", "", A, "delete", "/api/v1/learning-paths/{id}/"),
    Action("training-admin-certifications", "", A, "post", "/api/v1/certifications/"),
    Action("training-admin-certification", "", A, "put", "/api/v1/certifications/{id}/"),
    Action("training-team", "", PA, "patch", "/api/v1/training-roles/{id}/"),
    Action("training-readiness-partner", "", CM, "patch", "/api/v1/training-roles/{id}/"),
    # Deal registration
    Action("deal-new", "", PA, "post", "/api/v1/deals/"),
    Action("deal-new-submit", "", PA, "post", "/api/v1/deals/"),
    Action("deal-precheck", "", PA, "post", "/api/v1/deals/pre-check/"),
    Action("deal-edit-precheck", "", PA, "post", "/api/v1/deals/pre-check/"),
    Action("deal-edit", "", PA, "patch", "/api/v1/deals/{id}/"),
    Action("deal-edit-submit", "", PA, "patch", "/api/v1/deals/{id}/"),
    Action("deal-submit", "", PA, "post", "/api/v1/deals/{id}/submit/"),
    Action("deal-withdraw", "", PA, "post", "/api/v1/deals/{id}/withdraw/"),
    Action("deal-extend", "", PA, "post", "/api/v1/deals/{id}/extend/"),
    Action("deal-approve", "", CM, "post", "/api/v1/deals/{id}/approve/"),
    Action("deal-reject", "", CM, "post", "/api/v1/deals/{id}/reject/"),
    Action("deal-recheck", "", CM, "post", "/api/v1/deals/{id}/recheck/"),
    Action("deal-close", "", CM, "post", "/api/v1/deals/{id}/close/"),
    Action("deal-extension-approve", "", CM, "post", "/api/v1/deals/{id}/extension-decision/"),
    Action("deal-extension-reject", "", CM, "post", "/api/v1/deals/{id}/extension-decision/"),
    Action("deal-influencer-add", "", CM, "post", "/api/v1/deals/{id}/influencers/"),
    Action(
        "deal-influencer-approve",
        "",
        CM,
        "post",
        "/api/v1/deals/{id}/influencers/{influencer_id}/approve/",
    ),
    Action(
        "deal-influencer-edit",
        "",
        CM,
        "post",
        "/api/v1/deals/{id}/influencers/{influencer_id}/edit/",
    ),
    Action(
        "deal-influencer-reject",
        "",
        CM,
        "post",
        "/api/v1/deals/{id}/influencers/{influencer_id}/reject/",
    ),
    Action("deal-review-approve", "", CM, "post", "/api/v1/deals/{id}/approve/"),
    Action("deal-review-reject", "", CM, "post", "/api/v1/deals/{id}/reject/"),
    Action("influence-new", "", PU, "post", "/api/v1/influence-claims/"),
    Action("influence-approve", "", CM, "post", "/api/v1/influence-claims/{id}/approve/"),
    Action("influence-reject", "", CM, "post", "/api/v1/influence-claims/{id}/reject/"),
    Action("influence-withdraw", "", PU, "post", "/api/v1/influence-claims/{id}/withdraw/"),
    Action("rules", "", A, "post", "/api/v1/rules/"),
    Action("named-accounts", "", A, "post", "/api/v1/named-accounts/"),
    Action("lead-list", "", CM, "post", "/api/v1/leads/"),
    Action("lead-route", "", CM, "post", "/api/v1/leads/{id}/route/"),
    Action("lead-offer-accept", "", PA, "post", "/api/v1/lead-offers/{id}/accept/"),
    Action("lead-offer-decline", "", PA, "post", "/api/v1/lead-offers/{id}/decline/"),
    # MDF
    Action("mdf-request-new", "", PA, "post", "/api/v1/mdf/requests/"),
    Action("mdf-request-edit", "", PA, "patch", "/api/v1/mdf/requests/{id}/"),
    Action("mdf-request-approve", "", CM, "post", "/api/v1/mdf/requests/{id}/approve/"),
    Action("mdf-request-reject", "", CM, "post", "/api/v1/mdf/requests/{id}/reject/"),
    Action("mdf-request-return", "", CM, "post", "/api/v1/mdf/requests/{id}/return/"),
    Action("mdf-request-cancel", "", PA, "post", "/api/v1/mdf/requests/{id}/cancel/"),
    Action("mdf-claim-new", "", PA, "post", "/api/v1/mdf/claims/"),
    # Incentives
    Action("incentives-program-new", "", A, "post", "/api/v1/incentives/programs/"),
    Action("incentives-program-edit", "", A, "patch", "/api/v1/incentives/programs/{id}/"),
    Action("incentives-version-save", "", A, "post", "/api/v1/incentives/programs/{id}/draft/"),
    Action(
        "incentives-version-publish", "", A, "post", "/api/v1/incentives/versions/{id}/publish/"
    ),
    Action(
        "incentives-earning-approve", "", CM, "post", "/api/v1/incentives/earnings/{id}/approve/"
    ),
    Action("incentives-earnings-approve", "", CM, "post", "/api/v1/incentives/earnings/approve/"),
    Action("incentives-adjustment-new", "", A, "post", "/api/v1/incentives/earnings/adjustments/"),
    Action(
        "incentives-earning-dispute", "", PU, "post", "/api/v1/incentives/earnings/{id}/dispute/"
    ),
    Action("incentives-dispute-answer", "", CM, "post", "/api/v1/incentives/disputes/{id}/answer/"),
    # Payouts (incentives/api_payouts.py)
    Action("incentives-payee", "", PA, "put", "/api/v1/incentives/payee/"),
    Action("incentives-payee-approve", "", A, "post", "/api/v1/incentives/payees/{id}/approve/"),
    Action("incentives-payee-reject", "", A, "post", "/api/v1/incentives/payees/{id}/reject/"),
    Action("incentives-batch-new", "", CM, "post", "/api/v1/incentives/payouts/"),
    Action("incentives-payout-settings", "", A, "put", "/api/v1/incentives/payout-settings/"),
    Action("incentives-batch-approve", "", CM, "post", "/api/v1/incentives/payouts/{id}/approve/"),
    Action(
        "incentives-batch-approve-second",
        "",
        A,
        "post",
        "/api/v1/incentives/payouts/{id}/second-approval/",
    ),
    Action("incentives-batch-paid", "", A, "post", "/api/v1/incentives/payouts/{id}/paid/"),
    Action("incentives-batch-cancel", "", A, "post", "/api/v1/incentives/payouts/{id}/cancel/"),
    Action(
        "incentives-batch-export-csv",
        "",
        A,
        "post",
        "/api/v1/incentives/payouts/{id}/export/csv/",
    ),
    Action(
        "incentives-batch-export-sepa",
        "",
        A,
        "post",
        "/api/v1/incentives/payouts/{id}/export/sepa/",
    ),
    Action(
        "incentives-statements-generate",
        "",
        CM,
        "post",
        "/api/v1/incentives/statements/generate/",
    ),
    # incent2: set-based recomputation of a commission program
    Action(
        "incentives-program-recompute", "", A, "post", "/api/v1/incentives/programs/{id}/recompute/"
    ),
    Action("mdf-claim-approve", "", CM, "post", "/api/v1/mdf/claims/{id}/approve/"),
    Action("mdf-claim-second-approval", "", A, "post", "/api/v1/mdf/claims/{id}/approve/"),
    Action("mdf-claim-reject", "", CM, "post", "/api/v1/mdf/claims/{id}/reject/"),
    Action("mdf-claim-second-reject", "", A, "post", "/api/v1/mdf/claims/{id}/reject/"),
    Action("mdf-claim-request-info", "", CM, "post", "/api/v1/mdf/claims/{id}/request-info/"),
    Action("mdf-claim-pay", "", A, "post", "/api/v1/mdf/claims/{id}/pay/"),
    Action("mdf-claim-respond", "", PA, "post", "/api/v1/mdf/claims/{id}/resubmit/"),
    Action("mdf-claim-documents", "", PA, "post", "/api/v1/mdf/claims/{id}/documents/"),
    Action("mdf-program-list", "", A, "post", "/api/v1/mdf/programs/"),
    Action("mdf-program-settings", "", A, "patch", "/api/v1/mdf/programs/{id}/"),
    Action("mdf-program-rule", "", A, "post", "/api/v1/mdf/programs/{id}/rules/"),
    Action("mdf-allocation-manual", "", A, "post", "/api/v1/mdf/allocations/"),
    Action(
        "mdf-allocation-tier",
        "",
        A,
        "post",
        "/api/v1/mdf/programs/{id}/allocate-by-tier/",
    ),
    Action("mdf-allocation-accrue", "", A, "post", "/api/v1/mdf/programs/{id}/accrue/"),
    Action("mdf-exchange-rate-add", "", A, "post", "/api/v1/mdf/exchange-rates/"),
    Action("mdf-exchange-rate-add", "import", A, "post", "/api/v1/mdf/exchange-rates/import/"),
    # Analytics
    Action("analytics-survey", "", PA, "post", "/api/v1/analytics/survey-answers/"),
    Action("analytics-recompute", "", A, "post", "/api/v1/analytics/runs/"),
    Action("analytics-settings", "", A, "patch", "/api/v1/analytics/settings/"),
    Action("analytics-costs", "", A, "post", "/api/v1/analytics/costs/"),
    Action("analytics-reviews", "", PA, "post", "/api/v1/analytics/reviews/"),
    Action("analytics-reviews", "", CM, "post", "/api/v1/analytics/reviews/"),
    # Personal and whole-tenant data
    Action("privacy", "", PU, "post", "/api/v1/me/data-export/"),
    Action("privacy-erase", "", A, "post", "/api/v1/members/{id}/erase/"),
    Action("tenant-data-export", "", A, "post", "/api/v1/tenant/exports/"),
    Action("tenant-data-delete", "", A, "post", "/api/v1/tenant/deletion/"),
    Action("tenant-data-delete-cancel", "", A, "post", "/api/v1/tenant/deletion/cancel/"),
    # Integrations
    Action("webhook-list", "", A, "post", "/api/v1/webhook-endpoints/"),
    Action("webhook-detail", "", A, "patch", "/api/v1/webhook-endpoints/{id}/"),
    Action("webhook-disable", "", A, "post", "/api/v1/webhook-endpoints/{id}/disable/"),
    Action("webhook-enable", "", A, "post", "/api/v1/webhook-endpoints/{id}/enable/"),
    Action(
        "webhook-rotate-secret",
        "",
        A,
        "post",
        "/api/v1/webhook-endpoints/{id}/rotate-secret/",
    ),
    Action("webhook-redeliver", "", A, "post", "/api/v1/webhook-deliveries/{id}/redeliver/"),
    Action("notification-mark-all-read", "", PU, "post", "/api/v1/notifications/mark-all-read/"),
    Action("notification-preferences", "", PU, "put", "/api/v1/notification-preferences/"),
    # --- account mapping: data ---
    Action("account-create", "", PA, "put", "/api/v1/accounts/{external_id}/"),
    Action("account-edit", "", PA, "put", "/api/v1/accounts/{external_id}/"),
    Action("account-delete", "", PA, "delete", "/api/v1/accounts/{external_id}/"),
    Action("population-create", "", PA, "post", "/api/v1/account-populations/"),
    Action("population-edit", "", PA, "patch", "/api/v1/account-populations/{id}/"),
    Action("population-delete", "", PA, "delete", "/api/v1/account-populations/{id}/"),
    # Account mapping: the sharing matrix and acting on overlaps
    Action("account-sharing", "", A, "post", "/api/v1/account-sharing-rules/"),
    Action("account-sharing", "", PA, "post", "/api/v1/account-sharing-rules/"),
    Action("account-sharing-partner", "", A, "post", "/api/v1/account-sharing-rules/"),
    Action("account-overlap-intro", "", PU, "post", "/api/v1/account-overlaps/{id}/intro/"),
    Action("account-overlap-lead", "", CM, "post", "/api/v1/account-overlaps/{id}/lead/"),
    Action("account-intro-accept", "", CM, "post", "/api/v1/account-intros/{id}/accept/"),
    Action("account-intro-decline", "", CM, "post", "/api/v1/account-intros/{id}/decline/"),
    # Joint business plans (jointplans.states.PLAN): one endpoint per portal action.
    Action("jointplan-new", "", CM, "post", "/api/v1/plans/"),
    Action("jointplan-edit", "", PA, "patch", "/api/v1/plans/{id}/"),
    *(
        Action(f"jointplan-{name}", "", role, "post", f"/api/v1/plans/{{id}}/{name}/")
        for name, role in (
            ("propose", CM),
            ("withdraw", CM),
            ("sign", PA),
            ("activate", CM),
            ("close", CM),
        )
    ),
    Action("jointplan-goal-add", "", PA, "post", "/api/v1/plans/{id}/goals/"),
    Action("jointplan-goal-edit", "", PA, "patch", "/api/v1/plan-goals/{id}/"),
    Action("jointplan-goal-remove", "", PA, "delete", "/api/v1/plan-goals/{id}/"),
    Action("jointplan-initiative-add", "", PA, "post", "/api/v1/plans/{id}/initiatives/"),
    Action("jointplan-initiative-edit", "", PA, "patch", "/api/v1/plan-initiatives/{id}/"),
    Action("jointplan-initiative-status", "", PU, "patch", "/api/v1/plan-initiatives/{id}/"),
    # Predictive models: retrain, the churn definition.
    Action("predict-train", "", A, "post", "/api/v1/prediction-models/train/"),
    Action("predict-settings", "", A, "patch", "/api/v1/prediction-settings/"),
    Action(
        "predict-ipp-accept", "", A, "post", "/api/v1/prediction-models/{id}/accept-suggestion/"
    ),
    Action("jointplan-initiative-remove", "", PA, "delete", "/api/v1/plan-initiatives/{id}/"),
    # Marketing: the asset library, co-brandable templates, the brand kit
    Action("marketing-asset-new", "", CM, "post", "/api/v1/marketing/assets/"),
    Action("marketing-asset-edit", "", CM, "patch", "/api/v1/marketing/assets/{id}/"),
    Action("marketing-version-add", "", CM, "post", "/api/v1/marketing/assets/{id}/versions/"),
    Action("marketing-asset-publish", "", CM, "post", "/api/v1/marketing/assets/{id}/publish/"),
    Action("marketing-asset-archive", "", CM, "post", "/api/v1/marketing/assets/{id}/archive/"),
    Action("marketing-brand-kit", "", PA, "put", "/api/v1/marketing/brand-kit/"),
    Action("marketing-template-new", "", A, "post", "/api/v1/marketing/templates/"),
    Action("marketing-template-edit", "", A, "patch", "/api/v1/marketing/templates/{id}/"),
    *(
        Action(
            f"marketing-template-{name}",
            "",
            A,
            "post",
            f"/api/v1/marketing/templates/{{id}}/{name}/",
        )
        for name in ("publish", "archive")
    ),
    Action("marketing-syndication", "", PA, "put", "/api/v1/marketing/syndication/"),
    Action("marketing-syndication-rotate", "", PA, "post", "/api/v1/marketing/syndication/rotate/"),
    # The partner locator and referrals
    Action("locator-profile", "", PA, "put", "/api/v1/locator/profile/"),
    Action("locator-profile-publish", "", PA, "post", "/api/v1/locator/profile/publish/"),
    Action("locator-profile-unpublish", "", PA, "post", "/api/v1/locator/profile/unpublish/"),
    Action("locator-referrals", "", PU, "post", "/api/v1/locator/referrals/"),
    # Campaigns (issue #21)
    Action("marketing-kit-new", "", CM, "post", "/api/v1/marketing/campaign-kits/"),
    Action("marketing-kit-edit", "", CM, "patch", "/api/v1/marketing/campaign-kits/{id}/"),
    *(
        Action(
            f"marketing-kit-{name}",
            "",
            CM,
            "post",
            f"/api/v1/marketing/campaign-kits/{{id}}/{name}/",
        )
        for name in ("publish", "retire")
    ),
    Action("marketing-kit-launch", "", PA, "post", "/api/v1/marketing/campaign-kits/{id}/launch/"),
    # The campaign's e-mail sequence (issue #21)
    Action(
        "marketing-contact-upload", "", PA, "post", "/api/v1/marketing/campaigns/{id}/contacts/"
    ),
    Action(
        "marketing-contact-remove",
        "",
        PA,
        "delete",
        "/api/v1/marketing/campaigns/{id}/contacts/{sub_id}/",
    ),
    *(
        Action(
            f"marketing-sequence-{name}",
            "",
            PA,
            "post",
            f"/api/v1/marketing/campaigns/{{id}}/sequence/{name}/",
        )
        for name in ("start", "pause", "resume")
    ),
    # Account mapping: people (territories, account owners)
    Action("account-owner-assign", "", A, "post", "/api/v1/account-owners/{id}/owner/"),
    Action("territory-list", "", A, "post", "/api/v1/territories/"),
    Action("territory-detail", "", A, "patch", "/api/v1/territories/{id}/"),
    Action("territory-delete", "", A, "delete", "/api/v1/territories/{id}/"),
    Action("territory-rep-add", "", A, "post", "/api/v1/territories/{id}/assign/"),
    Action("territory-rep-remove", "", A, "post", "/api/v1/territories/{id}/unassign/"),
    # Shared opportunities
    Action("cosell-open-deal", "", PA, "post", "/api/v1/shared-opportunities/"),
    Action("cosell-open-direct", "", CM, "post", "/api/v1/shared-opportunities/"),
    Action("cosell-close", "", CM, "post", "/api/v1/shared-opportunities/{id}/close/"),
    Action("cosell-reopen", "", CM, "post", "/api/v1/shared-opportunities/{id}/reopen/"),
    Action("cosell-comment-add", "", PA, "post", "/api/v1/shared-opportunities/{id}/comments/"),
    Action(
        "cosell-comment-edit",
        "",
        PA,
        "patch",
        "/api/v1/shared-opportunities/{id}/comments/{sub_id}/",
    ),
    Action(
        "cosell-comment-delete",
        "",
        PA,
        "delete",
        "/api/v1/shared-opportunities/{id}/comments/{sub_id}/",
    ),
    Action("cosell-partner-add", "", PA, "post", "/api/v1/shared-opportunities/{id}/partners/"),
    Action(
        "cosell-partner-remove",
        "",
        PA,
        "delete",
        "/api/v1/shared-opportunities/{id}/partners/{sub_id}/",
    ),
    Action("cosell-person-add", "", CM, "post", "/api/v1/shared-opportunities/{id}/people/"),
    Action(
        "cosell-person-remove",
        "",
        CM,
        "delete",
        "/api/v1/shared-opportunities/{id}/people/{sub_id}/",
    ),
    Action("cosell-task-add", "", PA, "post", "/api/v1/shared-opportunities/{id}/tasks/"),
    Action("cosell-file-upload", "", PA, "post", "/api/v1/shared-opportunities/{id}/files/"),
    Action(
        "cosell-task-done", "", PA, "patch", "/api/v1/shared-opportunities/{id}/tasks/{sub_id}/"
    ),
    Action(
        "cosell-task-undone", "", PA, "patch", "/api/v1/shared-opportunities/{id}/tasks/{sub_id}/"
    ),
    # Community (issue #23)
    Action("announcement-new", "", A, "post", "/api/v1/announcements/"),
    Action("announcement-edit", "", A, "patch", "/api/v1/announcements/{id}/"),
    Action("announcement-publish", "", A, "post", "/api/v1/announcements/{id}/publish/"),
    Action("announcement-unschedule", "", A, "post", "/api/v1/announcements/{id}/unschedule/"),
    Action("announcement-withdraw", "", A, "post", "/api/v1/announcements/{id}/withdraw/"),
    Action("question-new", "", PU, "post", "/api/v1/questions/"),
    Action("question-answer", "", PU, "post", "/api/v1/questions/{id}/answer/"),
    Action("question-accept", "", PU, "post", "/api/v1/questions/{id}/accept/"),
    Action("question-vote", "", PU, "post", "/api/v1/questions/{id}/vote/"),
    Action("question-follow", "", PU, "post", "/api/v1/questions/{id}/follow/"),
    Action("question-hide", "", CM, "post", "/api/v1/questions/{id}/hide/"),
    Action("question-unhide", "", CM, "post", "/api/v1/questions/{id}/unhide/"),
    Action("question-lock", "", CM, "post", "/api/v1/questions/{id}/lock/"),
    Action("question-unlock", "", CM, "post", "/api/v1/questions/{id}/unlock/"),
    Action("question-edit", "", CM, "patch", "/api/v1/questions/{id}/"),
    Action("answer-hide", "", CM, "patch", "/api/v1/question-answers/{id}/"),
    Action("answer-unhide", "", CM, "patch", "/api/v1/question-answers/{id}/"),
    Action("answer-edit", "", CM, "patch", "/api/v1/question-answers/{id}/"),
    Action("event-new", "", CM, "post", "/api/v1/community-events/"),
    Action("event-edit", "", CM, "patch", "/api/v1/community-events/{id}/"),
    Action("event-publish", "", CM, "post", "/api/v1/community-events/{id}/publish/"),
    Action("event-cancel", "", CM, "post", "/api/v1/community-events/{id}/cancel/"),
    Action("event-register", "", PU, "post", "/api/v1/community-events/{id}/register/"),
    Action("event-unregister", "", PU, "post", "/api/v1/community-events/{id}/unregister/"),
    Action("event-attendance", "", CM, "post", "/api/v1/community-events/{id}/attendance/"),
    Action("event-attendance-import", "", CM, "post", "/api/v1/community-events/{id}/attendance/"),
]

# Portal actions that belong to the browser, not to an integration.
PORTAL_ONLY = {
    "invitation-accept": "a person accepts an invitation by signing up or in; API keys "
    "belong to members that already exist",
    "switch-enter": "the browser hand-over between two tenant hosts of one person (sessions "
    "are per host; API keys are per tenant)",
    "apply": "the public, anonymous application form (API keys belong to members)",
    "profile": "the signed-in person's own name and language, shared by all their tenants",
    "import-upload": "CSV upload with a preview in the browser; integrations use the "
    "idempotent upserts instead (deals/sync, named-accounts, leads)",
    "import-start": "starts a CSV import previewed in the browser (see import-upload)",
    "notification-unsubscribe": "the one-click unsubscribe link of an e-mail",
    "account_confirm_email": "allauth's e-mail-verification link (bound to the host it was "
    "issued on, prm.auth_views); the person confirms their own address",
    "locator-contact": "the public, anonymous contact form of a partner's locator profile "
    "(API keys belong to members; a CRM creates leads through /api/v1/leads/)",
    "campaign-unsubscribe": "the public one-click unsubscribe link of a campaign e-mail (the "
    "signed token is the credential; a contact is no member and has no API key)",
    "campaign-lead": "the public, anonymous lead form of a campaign's landing page (API keys "
    "belong to members; a CRM creates leads through /api/v1/leads/)",
}

# Portal actions with no API endpoint yet: what is missing. Keep this list shrinking.
API_GAPS: dict[str, str] = {
    "mdf-program-remove-rule": "no API endpoint removes a program's activity rule yet "
    "(the portal's remove had hidden behind the program page's `op` field)",
    "onboarding-start": "no API endpoint starts a partner's onboarding by hand yet (it starts "
    "on approval and when a partner moves to onboarding; the portal's start had hidden "
    "behind the partner page's `op` field)",
    # The partner locator and referrals (issue #23) shipped portal-first.
    "locator-profile-hide": "no API endpoint takes a public profile down yet",
    "locator-profile-restore": "no API endpoint allows a taken-down profile again yet",
    "locator-settings": "no API endpoint changes the locator settings yet",
}


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if getattr(p.urlconf_module, "__name__", "").startswith(("allauth", "django")):
                continue
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _source(func) -> str:
    """The view's source and that of the module functions it calls (its form helpers)."""
    func = inspect.unwrap(func)
    try:
        text = inspect.getsource(func)
    except (OSError, TypeError):
        return ""
    for name in getattr(getattr(func, "__code__", None), "co_names", ()):
        helper = func.__globals__.get(name)
        if inspect.isfunction(helper) and helper.__module__ == func.__module__:
            text += inspect.getsource(helper)
    return text


def portal_post_url_names() -> set[str]:
    """Portal URL names whose view handles POST (class views with `post`, function views
    that read request.POST, check for POST or are limited to it)."""
    names = set()
    for route, p in _walk(get_resolver("prm.urls")):
        module = getattr(p.callback, "__module__", "")
        if not p.name or route.startswith("api/") or module.startswith(("allauth", "django.")):
            continue
        view_class = getattr(p.callback, "view_class", None)
        if view_class is not None:
            accepts = hasattr(view_class, "post")
        else:
            accepts = re.search(r"POST\b", _source(p.callback)) is not None
        if accepts:
            names.add(p.name)
    return names


def test_every_post_accepting_portal_url_has_an_api_equivalent_or_a_reason():
    post_names = portal_post_url_names()
    assert {"deal-submit", "members", "mdf-claim-pay"} <= post_names  # the scan works
    mapped = {a.url_name for a in PORTAL_ACTIONS}
    unexplained = sorted(post_names - mapped - PORTAL_ONLY.keys() - API_GAPS.keys())
    assert not unexplained, (
        "map these portal actions to their API endpoint in PORTAL_ACTIONS (or add the "
        f"endpoint): {unexplained}"
    )
    stale = sorted((mapped | PORTAL_ONLY.keys() | API_GAPS.keys()) - post_names)
    assert not stale, f"no longer POST-accepting portal URLs, remove them: {stale}"


# --- Against the seeded demo tenant -------------------------------------------------------

ROLE_EMAILS = {
    A: "admin@acme.example",
    CM: "manager@acme.example",
    PA: "ada@northwind.example",
    PU: "ben@northwind.example",
}


@pytest.fixture
def acme(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    return Tenant.objects.get(slug="acme")


def _clients(tenant):
    from rest_framework.test import APIClient

    clients = {}
    with tenant_context(tenant):
        for role, email in ROLE_EMAILS.items():
            member = Member.objects.get(user__email=email)
            _row, key = services.api_key_create(
                member=member, name="parity", scopes=["read", "write"]
            )
            client = APIClient(HTTP_HOST=host_of(tenant))
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            clients[role] = client
    return clients


def _first_id(client, collection):
    resp = client.get(collection)
    if resp.status_code != 200:
        return None
    rows = resp.json()
    rows = rows.get("results", []) if isinstance(rows, dict) else rows
    return next((r["id"] for r in rows if isinstance(r, dict) and "id" in r), None)


def test_every_mapped_action_is_in_the_schema_and_allowed_for_the_role(acme, client):
    schema = client.get("/api/v1/schema/", {"format": "json"}, HTTP_HOST=host_of(acme)).json()
    missing = [str(a) for a in PORTAL_ACTIONS if a.method not in schema["paths"].get(a.path, {})]
    assert not missing, f"not in the schema: {missing}"

    clients = _clients(acme)
    refused = []
    for action in PORTAL_ACTIONS:
        api = clients[action.role]
        path = action.path
        if "{id}" in path:
            collection = path.split("{id}")[0]
            pk = _first_id(api, collection) or _first_id(clients[A], collection) or 999999
            path = path.replace("{id}", str(pk))
        resp = getattr(api, action.method)(path, {}, format="json")
        if resp.status_code == 403 or resp.status_code >= 500:
            refused.append(f"{action} as {action.role}: {resp.status_code} {resp.content[:200]}")
    assert not refused, "\n".join(refused)


def _audit_actions(tenant, prefix, object_id):
    with tenant_context(tenant):
        return list(
            AuditEvent.objects.filter(action__startswith=prefix, object_id=str(object_id))
            .order_by("id")
            .values_list("action", flat=True)
        )


def _portal(tenant, email):
    from django.test import Client

    client = Client(HTTP_HOST=host_of(tenant))
    with tenant_context(tenant):
        client.force_login(Member.objects.get(user__email=email).user)
    return client


def _new_deal(clients, name):
    resp = clients[PA].post(
        "/api/v1/deals/",
        {
            "customer_name": name,
            "customer_domain_input": f"{name.lower()}.example",
            "amount": "50000.00",
            "expected_close_date": (date.today() + timedelta(days=60)).isoformat(),
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def test_deal_submit_and_approve_have_the_same_effect_in_portal_and_api(acme):
    from dealreg.models import Deal

    clients = _clients(acme)
    by_portal, by_api = _new_deal(clients, "Portalia"), _new_deal(clients, "Apiland")

    resp = _portal(acme, ROLE_EMAILS[PA]).post(f"/deals/{by_portal}/submit/")
    assert resp.status_code == 302
    resp = clients[PA].post(f"/api/v1/deals/{by_api}/submit/", {}, format="json")
    assert resp.status_code == 200, resp.content

    with tenant_context(acme):
        statuses = {d.pk: d.status for d in Deal.objects.filter(pk__in=[by_portal, by_api])}
    assert statuses[by_portal] == statuses[by_api]
    object_type = "deal"
    assert _audit_actions(acme, object_type, by_portal) == _audit_actions(acme, object_type, by_api)
    assert _audit_actions(acme, object_type, by_api)  # audited at all


def test_member_role_change_has_the_same_effect_in_portal_and_api(acme):
    clients = _clients(acme)
    with tenant_context(acme):
        carla = Member.objects.get(user__email="carla@bluepeak.example")
        dev = Member.objects.get(user__email="dev@stackforge.example")
        last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    resp = _portal(acme, ROLE_EMAILS[A]).post(
        f"/members/{carla.pk}/role/", {"role": "partner_user"}
    )
    assert resp.status_code == 302
    resp = clients[A].patch(f"/api/v1/members/{dev.pk}/", {"role": "partner_user"}, format="json")
    assert resp.status_code == 200, resp.content

    with tenant_context(acme):
        carla.refresh_from_db()
        dev.refresh_from_db()
        assert carla.role == dev.role == "partner_user"
        before_after = [
            list(
                AuditEvent.objects.filter(object_id=str(m.pk), id__gt=last_event)
                .order_by("id")
                .values_list("action", "before", "after")
            )
            for m in (carla, dev)
        ]
    assert before_after[0] == before_after[1] and before_after[0]


def test_webhook_secret_rotation_through_the_api_is_audited(acme):
    clients = _clients(acme)
    resp = clients[A].post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://hooks.example/prm", "event_types": ["deal.approved"]},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    resp = clients[A].post(f"/api/v1/webhook-endpoints/{pk}/rotate-secret/", {}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["secret"]
    with tenant_context(acme):
        assert AuditEvent.objects.filter(action__contains="rotate").exists()
