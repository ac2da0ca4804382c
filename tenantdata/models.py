"""Whole-tenant data: exports (a ZIP of every tenant table) and deletion after a cooling-off
period, with a global tombstone that outlives the deleted tenant.

The tables were created by the core (prm/migrations/0005_tenant_data.py) and keep their
`prm_*` names: the move to this app changed Django's state only (migrations 0001 here and
prm's 0009_tenantdata_moved_out). The statuses move only as tenantdata/states.py declares.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel

__all__ = [
    "DeletionStatus",
    "ExportStatus",
    "TenantDeletion",
    "TenantExport",
    "TenantTombstone",
]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class TenantExport(TenantModel):
    """One export of the whole tenant. The ZIP lives in private storage (never under a URL)
    and is served only by an authorised view until `expires_at`."""

    requested_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default="queued")
    tables_total = models.PositiveIntegerField(default=0)
    tables_done = models.PositiveIntegerField(default=0)
    rows = models.PositiveBigIntegerField(default=0)
    file = models.FileField(upload_to="tenant-exports/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "prm_tenantexport"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="tenantexport_recent_idx")]

    @property
    def percent(self) -> int:
        if not self.tables_total:
            return 0
        return int(100 * self.tables_done / self.tables_total)

    @property
    def is_downloadable(self) -> bool:
        """The file may be downloaded now (tenantdata.states: the `download` action)."""
        # Function-local: tenantdata.states imports these models.
        from tenantdata.states import EXPORT_MACHINE

        return EXPORT_MACHINE["download"].possible(self, self.status)

    @property
    def file_is_live(self) -> bool:
        """The ZIP is still stored and its link has not expired."""
        return (
            bool(self.file) and self.expires_at is not None and self.expires_at > dj_timezone.now()
        )


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CANCELLED = "cancelled", _("Cancelled")
    RUNNING = "running", _("Running")


class TenantDeletion(TenantModel):
    """A request to delete the tenant. At most one is pending; it runs when `due_at` passes
    unless an admin cancels it first. Deleted with the tenant's other rows: what remains
    afterwards is the TenantTombstone."""

    requested_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=DeletionStatus.choices, default="pending")
    requested_at = models.DateTimeField(default=dj_timezone.now)
    due_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "prm_tenantdeletion"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(status__in=["pending", "running"]),
                name="tenantdeletion_one_open",
            )
        ]


class TenantTombstone(models.Model):
    """Global record that a tenant existed and was deleted: no tenant FK (the tenant is
    gone), no personal data, only what an operator needs to answer "what happened to X?"."""

    tenant_pk = models.BigIntegerField(unique=True)
    slug = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    requested_at = models.DateTimeField()
    requested_by_member = models.BigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(default=dj_timezone.now)
    row_counts = models.JSONField(default=dict)
    files_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "prm_tenanttombstone"

    def __str__(self) -> str:
        return f"{self.slug} (deleted {self.deleted_at:%Y-%m-%d})"
