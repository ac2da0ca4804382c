"""Recruiting and onboarding: applications vetted against the ideal partner profile (IPP),
onboarding workflows (templates and running instances), and versioned partner agreements."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerType, SizeBand
from prm.tenancy import TenantModel

# --- Settings and the ideal partner profile -----------------------------------------------


class OnboardingSettings(TenantModel):
    """Admin rules for applications, reminders and agreements (one row per tenant)."""

    auto_reject_below = models.PositiveSmallIntegerField(
        _("reject automatically below this fit score"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty to review every application by hand."),
    )
    auto_approve_above = models.PositiveSmallIntegerField(
        _("approve automatically at or above this fit score"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Possible duplicates are never approved automatically."),
    )
    auto_reject_reason = models.CharField(
        _("reason sent with automatic rejections"),
        max_length=500,
        blank=True,
        default="Your company does not match the profile of our partner program at this time.",
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind partners this many days before a step is due"),
        default=3,
        validators=[MaxValueValidator(60)],
    )
    block_deals_without_current_agreement = models.BooleanField(
        _("block deal registration until the current agreement is accepted"), default=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="onboardingsettings_one_per_tenant")
        ]

    @classmethod
    def for_tenant(cls, tenant) -> OnboardingSettings:
        obj, _created = cls.objects.get_or_create(tenant=tenant)
        return obj


class IdealPartnerProfile(TenantModel):
    """The traits of the vendor's best partners, as weighted criteria (one row per tenant).

    A criterion left empty is not assessed; weights are relative (0 switches one off)."""

    countries = models.JSONField(_("target countries"), default=list, blank=True)
    regions = models.JSONField(_("target regions"), default=list, blank=True)
    partner_types = models.JSONField(_("partner types"), default=list, blank=True)
    specialties = models.ManyToManyField(
        "partners.Specialty", through="IdealProfileSpecialty", blank=True, related_name="+"
    )
    size_bands = models.JSONField(_("company sizes"), default=list, blank=True)
    revenue_min = models.DecimalField(
        _("expected annual revenue, at least"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    revenue_max = models.DecimalField(
        _("expected annual revenue, at most"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    weight_geography = models.PositiveSmallIntegerField(
        _("weight: country/region"), default=20, validators=[MaxValueValidator(100)]
    )
    weight_type = models.PositiveSmallIntegerField(
        _("weight: partner type"), default=20, validators=[MaxValueValidator(100)]
    )
    weight_specialties = models.PositiveSmallIntegerField(
        _("weight: specialties"), default=20, validators=[MaxValueValidator(100)]
    )
    weight_size = models.PositiveSmallIntegerField(
        _("weight: company size"), default=20, validators=[MaxValueValidator(100)]
    )
    weight_revenue = models.PositiveSmallIntegerField(
        _("weight: expected revenue"), default=20, validators=[MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="idealprofile_one_per_tenant")
        ]

    @classmethod
    def for_tenant(cls, tenant) -> IdealPartnerProfile:
        obj, _created = cls.objects.get_or_create(tenant=tenant)
        return obj


class IdealProfileSpecialty(TenantModel):
    profile = models.ForeignKey(IdealPartnerProfile, on_delete=models.CASCADE)
    specialty = models.ForeignKey("partners.Specialty", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "profile", "specialty"], name="idealprofilespecialty_unique"
            )
        ]


# --- Applications -------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# The moves: onboarding.states.APPLICATION. Approved is final: a partner exists.
OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


class Application(TenantModel):
    """A company's request to join the program, with its fit score and duplicate matches."""

    company_name = models.CharField(_("company"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True)  # normalise_company_name()
    website = models.URLField(_("website"))
    country = models.CharField(_("country"), max_length=2)
    partner_type = models.CharField(_("partner type"), max_length=32, choices=PartnerType.choices)
    specialties = models.ManyToManyField(
        "partners.Specialty", through="ApplicationSpecialty", blank=True, related_name="+"
    )
    size_band = models.CharField(_("company size"), max_length=10, choices=SizeBand.choices)
    expected_revenue = models.DecimalField(
        _("expected annual revenue with us"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3)
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    # The portal language the applicant used on /apply: their e-mails are written in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    website_domain = models.CharField(max_length=253, blank=True, db_index=True)
    email_domain = models.CharField(max_length=253, blank=True, db_index=True)

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    fit_score = models.PositiveSmallIntegerField(_("fit score"), default=0)
    fit_reasons = models.JSONField(default=list, blank=True)
    duplicate_matches = models.JSONField(default=list, blank=True)
    is_possible_duplicate = models.BooleanField(_("possible duplicate"), default=False)

    reviewer = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_automatically = models.BooleanField(default=False)
    decision_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # The code of the referral link the applicant came with (a partner's referral, issue #23);
    # the locator app links it to its referral when the application is received.
    referral_code = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "-fit_score"], name="application_queue_idx")
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES


class ApplicationSpecialty(TenantModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE)
    specialty = models.ForeignKey("partners.Specialty", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "application", "specialty"], name="applicationspecialty_unique"
            )
        ]


# --- Workflows ----------------------------------------------------------------------------


class StepKind(models.TextChoices):
    ACCEPT_AGREEMENT = "accept_agreement", _("Accept the partner agreement")
    COMPLETE_COURSE = "complete_course", _("Complete a course")
    COMPLETE_PROFILE = "complete_profile", _("Complete the company profile")
    UPLOAD_DOCUMENT = "upload_document", _("Upload a document")
    REGISTER_FIRST_DEAL = "register_first_deal", _("Register a first deal")
    MANUAL = "manual", _("Checked off by the channel manager")


# Steps a channel manager may check off by hand. The agreement needs the partner's own
# click-wrap and a document needs its file, so those two are never ticked on their behalf.
STAFF_COMPLETABLE = frozenset(
    {
        StepKind.COMPLETE_COURSE,
        StepKind.COMPLETE_PROFILE,
        StepKind.REGISTER_FIRST_DEAL,
        StepKind.MANUAL,
    }
)


class WorkflowTemplate(TenantModel):
    """The onboarding plan for one partner type; running workflows copy its steps."""

    name = models.CharField(_("name"), max_length=120)
    partner_type = models.CharField(_("partner type"), max_length=32, choices=PartnerType.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner_type"],
                condition=models.Q(is_active=True),
                name="workflowtemplate_one_active_per_type",
            ),
            models.UniqueConstraint(fields=["tenant", "name"], name="workflowtemplate_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkflowStepTemplate(TenantModel):
    template = models.ForeignKey(WorkflowTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=24, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("instructions"), blank=True)
    ref = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("For a course step: the course it needs (empty: any course)."),
    )
    due_days = models.PositiveSmallIntegerField(
        _("due after (days)"), default=14, validators=[MaxValueValidator(365)]
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class WorkflowStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Workflow(TenantModel):
    """One partner's onboarding, started at approval."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="onboarding_workflows"
    )
    template = models.ForeignKey(
        WorkflowTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=120)
    status = models.CharField(
        max_length=10, choices=WorkflowStatus.choices, default=WorkflowStatus.RUNNING
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="workflow_one_per_partner")
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="workflow_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner_id})"


def document_path(instance: WorkflowStep, filename: str) -> str:
    # A random name: nothing of the uploader's choosing reaches the file system.
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.document_content_type, "bin"
    )
    return f"onboarding/{instance.tenant_id}/documents/{uuid.uuid4().hex}.{ext}"


class WorkflowStep(TenantModel):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=24, choices=StepKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    ref = models.CharField(max_length=200, blank=True)
    required = models.BooleanField(default=True)
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_via = models.CharField(max_length=20, blank=True)  # event, manual, upload
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    document = models.FileField(upload_to=document_path, blank=True, max_length=300)
    document_name = models.CharField(max_length=200, blank=True)
    document_content_type = models.CharField(max_length=40, blank=True)
    document_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["tenant", "completed_at", "due_at"], name="wfstep_open_due_idx")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def state(self) -> str:
        """ "open" or "done": the status onboarding.states.STEP reads (a step has no status
        column; `completed_at` is the one source)."""
        return "done" if self.completed_at is not None else "open"

    def is_overdue(self, now=None) -> bool:
        return not self.is_done and self.due_at < (now or timezone.now())


# --- Agreements ---------------------------------------------------------------------------


class Agreement(TenantModel):
    """One published version of the partner agreement for a partner type. Immutable: a change
    is a new version, which every partner of the type must accept again."""

    partner_type = models.CharField(_("partner type"), max_length=32, choices=PartnerType.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField()  # rendered and sanitised once, at publication
    text_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partner_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner_type", "version"], name="agreement_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


def agreement_pdf_path(instance: AgreementAcceptance, filename: str) -> str:
    return f"onboarding/{instance.tenant_id}/agreements/{uuid.uuid4().hex}.pdf"


class AgreementAcceptance(TenantModel):
    """A click-wrap acceptance: who, as what, when, from where, and the hash of the text."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    member = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(_("name"), max_length=150)
    signer_title = models.CharField(_("job title"), max_length=150)
    signer_email = models.EmailField(blank=True)
    accepted_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    text_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(upload_to=agreement_pdf_path, blank=True, max_length=300)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "agreement", "partner"], name="acceptance_once_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} accepted by {self.signer_name}"
