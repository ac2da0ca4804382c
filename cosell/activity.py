"""The timeline's sentences: one per activity kind, filled from the row's params (names as
they were when it happened), translated when the page is shown."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cosell.models import PartyRole

SENTENCES = {
    "opened": _("opened the shared opportunity"),
    "partner_added": _("invited %(partner)s as %(role)s"),
    "partner_removed": _("removed %(partner)s"),
    "person_added": _("added %(person)s"),
    "person_removed": _("removed %(person)s"),
    "joined": _("joined the workspace"),
    "comment_added": _("commented"),
    "comment_edited": _("edited a comment"),
    "comment_deleted": _("deleted a comment"),
    "task_added": _("added the task “%(task)s”"),
    "task_assigned": _("assigned “%(task)s” to %(person)s"),
    "task_changed": _("changed the task “%(task)s”"),
    "task_done": _("marked “%(task)s” done"),
    "task_undone": _("marked “%(task)s” not done"),
    "file_added": _("added the file %(file)s"),
    "closed": _("closed the workspace"),
    "reopened": _("reopened the workspace"),
}


class _Blank(dict):
    def __missing__(self, key):
        return ""


def sentence(kind: str, params: dict) -> str:
    text = SENTENCES.get(kind)
    if text is None:
        return kind
    params = _Blank(params or {})
    if params.get("role") in PartyRole.values:
        params["role"] = PartyRole(params["role"]).label
    return str(text) % params
