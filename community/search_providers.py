"""Global search providers of the community (registered from CommunityConfig.ready()):
questions and announcements, through the member's visible ones (partner people never find a
hidden question or an announcement not meant for them)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community import selectors
from prm import global_search
from prm.global_search import Hit


def questions(member, term: str, limit: int) -> list[Hit]:
    qs = selectors.search_questions(member, term=term)
    return [
        Hit(
            label=q.title,
            detail=" · ".join([", ".join(q.tags), q.created_at.date().isoformat()]).strip(" ·"),
            url=reverse("question-detail", args=[q.pk]),
        )
        for q in qs.order_by("-created_at", "-id")[:limit]
    ]


def announcements(member, term: str, limit: int) -> list[Hit]:
    qs = selectors.announcements_visible_to(member).filter(
        Q(title__icontains=term) | Q(body__icontains=term)
    )
    return [
        Hit(
            label=a.title,
            detail=str(a.get_kind_display()),
            url=reverse("announcement-detail", args=[a.pk]),
        )
        for a in qs.order_by("-published_at", "-id")[:limit]
    ]


def register() -> None:
    global_search.register(
        62, "questions", _("Community questions"), questions, capability="community.view"
    )
    global_search.register(
        63, "announcements", _("Announcements"), announcements, capability="community.view"
    )
