"""What each irreversible action on a shared opportunity does, for people to confirm
(prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cosell.models import Comment, Participant, SharedOpportunity
from prm.confirm import Confirmation, register


def _back(opp_id: int) -> str:
    return reverse("cosell-detail", args=[opp_id])


@register("cosell-partner-remove")
def partner_remove(part: Participant) -> Confirmation:
    return Confirmation(
        name="cosell-partner-remove",
        url=reverse("cosell-partner-remove", args=[part.opportunity_id, part.pk]),
        title=_("Remove %(p)s from this shared opportunity?") % {"p": part.partner.name},
        consequence=_(
            "Its people no longer see the workspace, and its tasks lose their owner. "
            "The timeline keeps what they wrote."
        ),
        button=_("Remove"),
        confirm=_("Remove partner"),
        back_url=_back(part.opportunity_id),
        small=True,
    )


@register("cosell-close")
def opportunity_close(opp: SharedOpportunity) -> Confirmation:
    return Confirmation(
        name="cosell-close",
        url=reverse("cosell-close", args=[opp.pk]),
        title=_("Close the shared opportunity %(t)s?") % {"t": opp.title},
        consequence=_(
            "Nobody can comment, add tasks or files until it is reopened. "
            "Everyone on it keeps reading it."
        ),
        button=_("Close the workspace"),
        confirm=_("Close"),
        back_url=_back(opp.pk),
    )


@register("cosell-comment-delete")
def comment_delete(comment: Comment) -> Confirmation:
    return Confirmation(
        name="cosell-comment-delete",
        url=reverse("cosell-comment-delete", args=[comment.opportunity_id, comment.pk]),
        title=_("Delete your comment?"),
        consequence=_("Its text is removed for everyone; the timeline shows it was deleted."),
        button=_("Delete"),
        confirm=_("Delete comment"),
        back_url=_back(comment.opportunity_id),
        small=True,
    )
