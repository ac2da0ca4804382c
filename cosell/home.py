"""The home section of shared opportunities: the member's open tasks on workspaces they see,
overdue first, and the workspaces most recently active. Two queries; None (left out) when
the member has neither."""

from __future__ import annotations

from cosell import selectors
from cosell.models import Task


def my_work(member) -> dict | None:
    visible = selectors.opportunities_visible_to(member).values("pk")
    tasks = list(
        Task.objects.select_related("opportunity")
        .filter(owner=member, done_at__isnull=True, opportunity__in=visible)
        .order_by("due_on", "id")[:5]
    )
    recent = list(selectors.my_opportunities(member).filter(status="open")[:3])
    if not tasks and not recent:
        return None
    return {"tasks": tasks, "recent": recent}
