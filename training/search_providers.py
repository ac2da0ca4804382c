"""Global search provider of training: courses, registered from TrainingConfig.ready()."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prm import global_search
from prm.global_search import Hit
from prm.roles import has_perm
from training.selectors import courses_visible_to


def courses(member, term: str, limit: int) -> list[Hit]:
    """By title or code; a learner opens the course, an admin its editor (a channel manager
    has no course page, so finds none)."""
    if has_perm(member.role, "training.manage"):
        page = "training-admin-course"
    elif has_perm(member.role, "training.learn"):
        page = "training-course"
    else:
        return []
    found = (
        courses_visible_to(member)
        .filter(Q(title__icontains=term) | Q(code__icontains=term))
        .order_by("title", "id")[:limit]
    )
    return [
        Hit(
            label=c.title,
            detail=" · ".join(str(x) for x in (c.code, c.get_status_display()) if x),
            url=reverse(page, args=[c.pk]),
            exact=(c.code or "").lower() == term.lower(),
        )
        for c in found
    ]


def register() -> None:
    global_search.register(40, "courses", _("Courses"), courses, capability="training.view")
