"""The import job's status machine, declared once (see prm/states.py).

A job is checked at upload (PREVIEWED); the person who may use its importer starts it
(`start`, once); the worker then runs it in batches and finishes it (system moves)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from imports.models import ImportStatus as I
from prm.states import StateMachine, action

IMPORT_JOB = StateMachine(
    actions=[
        # Who may start it is who may see the job and use its importer (imports.services).
        action("start", _("Import"), [I.PREVIEWED], I.QUEUED, confirm=True),
        action("run", _("Run"), [I.QUEUED], I.RUNNING, system=True),
        action("finish", _("Finish"), [I.QUEUED, I.RUNNING], I.DONE, system=True),
    ]
)


def previewed(job) -> bool:
    """Checked, not started: the page shows the preview."""
    return IMPORT_JOB["start"].possible(job, job.status)


def working(job) -> bool:
    """Started and not finished: the worker still has rows to write."""
    return IMPORT_JOB["finish"].possible(job, job.status)
