"""The state machines of whole-tenant exports and deletions, and of a person's own data
export, declared once (prm.states).

Services check every move here (`DELETION_MACHINE.check(deletion, member, "cancel")`, the
system's moves with `check` and `member=None`); portal views hand `allowed(obj, member)` to
the templates, which offer exactly those actions; the API lists the same names in
`allowed_actions` and answers with the same checks.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.roles import has_perm
from prm.states import StateMachine, action
from tenantdata.models import DeletionStatus, ExportStatus


def _can(capability: str):
    def guard(_obj, member) -> bool:
        return has_perm(member.role, capability)

    return guard


def _file_is_live(export, _member) -> bool:
    return export.file_is_live


E = ExportStatus
EXPORT_MACHINE = StateMachine(
    actions=[
        # The worker claims the export; a RUNNING one whose worker died starts over.
        action("start", _("Start"), [E.QUEUED, E.RUNNING], E.RUNNING, system=True),
        action("finish", _("Finish"), [E.RUNNING], E.READY, system=True),
        action("fail", _("Fail"), [E.QUEUED, E.RUNNING], E.FAILED, system=True),
        action(
            "download",
            _("Download"),
            [E.READY],
            who=_can("tenant_data.manage"),
            when=_file_is_live,
            refusal=_("This export has expired."),
        ),
    ]
)


def export_in_progress(export) -> bool:
    """Still moving: a status the machine can leave (queued, running)."""
    return bool(EXPORT_MACHINE.targets(export.status))


def export_expired(export) -> bool:
    """Was ready for download, and its file has gone or its link expired."""
    download = EXPORT_MACHINE["download"]
    return export.status in download.sources and not download.possible(export, export.status)


D = DeletionStatus
DELETION_MACHINE = StateMachine(
    actions=[
        action(
            "cancel",
            _("Cancel the deletion"),
            [D.PENDING],
            D.CANCELLED,
            who=_can("tenant_data.manage"),
        ),
        # The cooling-off period has passed (the sweep checks `due_at`); a RUNNING deletion
        # that was interrupted runs again.
        action("run", _("Delete the tenant"), [D.PENDING, D.RUNNING], D.RUNNING, system=True),
    ]
)
OPEN_DELETION = DELETION_MACHINE["run"].sources  # at most one per tenant (a DB constraint)


class PersonalExportState:
    PREPARING = "preparing"
    READY = "ready"


P = PersonalExportState
# A person's own export lives in the cache, not in a table (tenantdata.privacy): an entry
# is `preparing` while the job runs, then `ready` until it expires.
PERSONAL_EXPORT_MACHINE = StateMachine(
    field="state",
    actions=[
        # A rerun of the job (its worker died after the export was stored) builds it again.
        action("build", _("Prepare"), [P.PREPARING, P.READY], P.READY, system=True),
        action("download", _("Download"), [P.READY], who=lambda e, m: e.is_for(m)),
    ],
)
