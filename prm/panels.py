"""Panels on another app's detail page: a lower app's page offers a place
(`{% object_panels "dealreg.deal" deal %}`, prm_tags) that higher apps fill from their
AppConfig.ready() with `register(object_type, ...)`, so the page names no app above it.

A panel is a template and a `context(request, obj)` callable returning its context, or None
to show nothing (e.g. for a member who may not use the feature)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    order: int
    key: str
    template: str
    context: Callable


PANELS: dict[str, list[Panel]] = {}


def register(object_type: str, *, order: int, key: str, template: str, context: Callable) -> None:
    """Add a panel to the pages of `object_type` (a model label); idempotent by key."""
    panels = PANELS.setdefault(object_type, [])
    if any(p.key == key for p in panels):
        return
    panels.append(Panel(order, key, template, context))
    panels.sort(key=lambda p: (p.order, p.key))


def render(object_type: str, request, obj) -> SafeString:
    parts = []
    for panel in PANELS.get(object_type, ()):
        ctx = panel.context(request, obj)
        if ctx is not None:
            parts.append((mark_safe(render_to_string(panel.template, ctx, request=request)),))  # noqa: S308 (a rendered template)
    return format_html_join("\n", "{}", parts)
