"""The business review's status machine, declared once (see prm/states.py).

A review is requested (QUEUED), built by a Celery task (READY) or not (FAILED), and can be
requested again, which queues it anew. People only download a ready one; the moves are the
system's (analytics.reviews)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from analytics.models import BusinessReview
from prm.states import StateMachine, action

R = BusinessReview.Status

BUSINESS_REVIEW = StateMachine(
    actions=[
        # Whoever sees the review (analytics.reviews.reviews_visible_to) may download it.
        action("download", _("Download"), [R.READY]),
        action("requeue", _("Prepare again"), [R.QUEUED, R.READY, R.FAILED], R.QUEUED, system=True),
        action("build", _("Build"), [R.QUEUED], R.READY, system=True),
        action("fail", _("Fail"), [R.QUEUED], R.FAILED, system=True),
    ]
)


def preparing(review) -> bool:
    """The worker has still to build it."""
    return BUSINESS_REVIEW["build"].possible(review, review.status)
