"""The state machines of shared opportunities, their tasks and their comments, declared once
(prm.states).

Who may see a workspace at all is the selector's business (cosell.selectors); these guards
decide what a person who sees it may do there. Vendor people who run the opportunity
(`cosell.manage`) and the people of the partner that registered the deal invite and remove
partners and people; everyone on it comments, adds tasks and files; a comment is edited and
deleted by its author only.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cosell.models import OpportunityStatus
from prm.roles import has_perm
from prm.states import StateMachine, action

OPEN = OpportunityStatus.OPEN
CLOSED = OpportunityStatus.CLOSED


def _uses(_obj, member) -> bool:
    return has_perm(member.role, "cosell.use")


def _manages(_obj, member) -> bool:
    return has_perm(member.role, "cosell.manage")


def _owner_partner(obj, member) -> bool:
    """A person of the partner that registered the deal."""
    return (
        has_perm(member.role, "cosell.use")
        and member.partner_id is not None
        and member.partner_id == obj.partner_id
    )


def _organises(obj, member) -> bool:
    return _manages(obj, member) or _owner_partner(obj, member)


OPPORTUNITY = StateMachine(
    actions=[
        action("comment", _("Comment"), [OPEN], who=_uses),
        action("add_task", _("Add a task"), [OPEN], who=_uses),
        action("upload", _("Add a file"), [OPEN], who=_uses),
        action("add_partner", _("Invite a partner"), [OPEN], who=_organises),
        action("remove_partner", _("Remove a partner"), [OPEN], who=_organises, confirm=True),
        action("add_person", _("Add a person"), [OPEN], who=_organises),
        # The vendor's people are the vendor's to take off (a partner may bring them in).
        action("remove_person", _("Remove a person"), [OPEN], who=_manages),
        action("close", _("Close the workspace"), [OPEN], CLOSED, who=_manages, confirm=True),
        action("reopen", _("Reopen the workspace"), [CLOSED], OPEN, who=_manages),
    ]
)


def _task_open(task, _member) -> bool:
    return task.opportunity.status == OPEN


TASK = StateMachine(
    field="state",
    actions=[
        action("done", _("Mark done"), ["open"], "done", who=_uses, when=_task_open),
        action("undone", _("Mark not done"), ["done"], "open", who=_uses, when=_task_open),
    ],
)


def _author(comment, member) -> bool:
    return comment.author_id == member.pk


def _comment_open(comment, _member) -> bool:
    return comment.opportunity.status == OPEN


COMMENT = StateMachine(
    field="state",
    actions=[
        action("edit", _("Edit"), ["live"], who=_author, when=_comment_open),
        action(
            "delete",
            _("Delete"),
            ["live"],
            "deleted",
            who=_author,
            when=_comment_open,
            confirm=True,
        ),
    ],
)
