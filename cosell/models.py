"""Shared opportunities: a workspace on a deal registration or on one of the vendor's direct
deals, which the vendor people on it and the partners on it share.

A partner sees a workspace only while it is one of its `Participant` partners (the partner
that registered the deal is one from the start, `is_owner`); vendor people see it when they
are on it (`TeamMember`) or when their role sees every workspace (`cosell.view_all`). The
people of a workspace (who can be mentioned and own tasks) are the active members of its
partners and its team members. Everything that happens is one `Activity` row: the timeline,
and the cursor the page polls for updates.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PartyRole(models.TextChoices):
    """What a partner does on the opportunity."""

    RESELLER = "reseller", _("Reseller")
    SI = "si", _("Systems integrator")
    ISV = "isv", _("ISV")
    ADVISOR = "advisor", _("Advisor")


class SharedOpportunity(TenantModel):
    """The workspace. Exactly one of `deal` / `direct_deal` is set; `partner` is the partner
    that registered the deal (none on a direct deal)."""

    # One workspace per deal (unique with the tenant, as every key of a distributed table).
    deal = models.ForeignKey(
        "dealreg.Deal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shared_opportunities",
    )
    direct_deal = models.ForeignKey(
        "dealreg.DirectDeal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shared_opportunities",
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("customer company"), max_length=200)
    status = models.CharField(
        max_length=8, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(deal__isnull=False, direct_deal__isnull=True)
                | Q(deal__isnull=True, direct_deal__isnull=False),
                name="cosell_opportunity_one_source",
            ),
            models.UniqueConstraint(
                fields=["tenant", "deal"],
                condition=Q(deal__isnull=False),
                name="cosell_opportunity_one_per_deal",
            ),
            models.UniqueConstraint(
                fields=["tenant", "direct_deal"],
                condition=Q(direct_deal__isnull=False),
                name="cosell_opportunity_one_per_direct_deal",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-updated_at"], name="cosell_opp_updated_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def source_label(self) -> str:
        if self.deal_id:
            return f"DR-{self.deal_id}"
        return self.direct_deal.external_id if self.direct_deal_id else ""


class Participant(TenantModel):
    """A partner on the workspace, with its role."""

    opportunity = models.ForeignKey(
        SharedOpportunity, on_delete=models.CASCADE, related_name="participants"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    is_owner = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "opportunity", "partner"], name="cosell_participant_unique"
            )
        ]
        indexes = [models.Index(fields=["tenant", "partner"], name="cosell_participant_idx")]


class TeamMember(TenantModel):
    """A person added to the workspace by name (the vendor's people on the opportunity)."""

    opportunity = models.ForeignKey(
        SharedOpportunity, on_delete=models.CASCADE, related_name="team"
    )
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "opportunity", "member"], name="cosell_team_unique"
            )
        ]
        indexes = [models.Index(fields=["tenant", "member"], name="cosell_team_member_idx")]


class Comment(TenantModel):
    """One message of the thread. A deleted comment keeps its place (and its timeline entry)
    with its text removed."""

    opportunity = models.ForeignKey(
        SharedOpportunity, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "opportunity", "id"], name="cosell_comment_idx")]

    @property
    def state(self) -> str:
        return "deleted" if self.deleted_at else "live"


class Mention(TenantModel):
    """A person a comment mentions (one of the workspace's people when it was written)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "comment", "member"], name="cosell_mention_unique"
            )
        ]


class Task(TenantModel):
    opportunity = models.ForeignKey(
        SharedOpportunity, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The due date the owner was last reminded of (a reminder is sent once per due date).
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        indexes = [
            models.Index(fields=["tenant", "opportunity"], name="cosell_task_opp_idx"),
            models.Index(
                fields=["tenant", "due_on"],
                condition=Q(done_at__isnull=True),
                name="cosell_task_due_idx",
            ),
        ]

    @property
    def state(self) -> str:
        return "done" if self.done_at else "open"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return (
            self.done_at is None and self.due_on is not None and self.due_on < timezone.localdate()
        )


def _file_path(instance: SharedFile, filename: str) -> str:
    # The stored name never comes from the uploader: tenant, workspace, random id, checked type.
    return (
        f"cosell/{instance.tenant_id}/{instance.opportunity_id}/{uuid.uuid4().hex}.{instance.ext}"
    )


class SharedFile(TenantModel):
    """A file on the workspace. Stored under MEDIA_ROOT, which no URL serves; downloaded only
    through cosell.views (participants), as an attachment."""

    opportunity = models.ForeignKey(
        SharedOpportunity, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to=_file_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    ext = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["tenant", "opportunity"], name="cosell_file_opp_idx")]


class Activity(TenantModel):
    """One thing that happened on the workspace (the timeline). `kind` names a sentence in
    cosell.activity; `params` fills it (names as they were, so the timeline stays true when a
    person or partner is renamed or removed)."""

    opportunity = models.ForeignKey(
        SharedOpportunity, on_delete=models.CASCADE, related_name="activities"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["tenant", "opportunity", "-id"], name="cosell_activity_idx")
        ]
