"""CSV import jobs (see imports.services). The table keeps the name it had when the model
belonged to the core (`prm_importjob`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy import TenantModel

__all__ = ["ImportJob", "ImportStatus"]


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class ImportJob(TenantModel):
    """One uploaded CSV: checked at upload (the preview), written later by Celery in batches.

    The file's text is kept so each batch task re-reads its own slice; `rows_done` is the
    cursor that makes a redelivered batch a no-op (the task only runs the batch that starts
    at `rows_done`)."""

    kind = models.CharField(max_length=30)
    created_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Preview: one {"line", "action", "label", "errors"} per row, computed at upload.
    preview = models.JSONField(default=list)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Rows that were not written: {"line", "errors", "row"} for the error CSV.
    error_rows = models.JSONField(default=list)
    created_at = models.DateTimeField(default=dj_timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "prm_importjob"
        indexes = [models.Index(fields=["tenant", "kind", "-created_at"], name="importjob_list")]

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, self.rows_done * 100 // self.total_rows)

    @property
    def preview_errors(self) -> int:
        return sum(1 for r in self.preview if r.get("errors"))
