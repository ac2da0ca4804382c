"""Health sentences (drivers, component inputs, the at-risk reason) in the reader's language.

Snapshots store them as message keys and parameters (analytics.rules.message); older
snapshots stored English strings, which are shown as they are."""

from __future__ import annotations

from django import template

from analytics.models import COMPONENTS
from analytics.rules import message_text

register = template.Library()


@register.filter
def health_text(item) -> str:
    """A driver (or any stored health message) in the active language."""
    return message_text(item)


@register.filter
def component_label(component: dict) -> str:
    label = COMPONENTS.get(component.get("key"))
    return str(label) if label is not None else component.get("label", "")


@register.filter
def component_detail(component: dict) -> str:
    return message_text(component.get("detail_msg") or component.get("detail", ""))


@register.filter
def risk_reason_text(snapshot) -> str:
    """The at-risk reason: the first driver when it is the risk message, else the text."""
    first = snapshot.drivers[0] if snapshot.drivers else None
    if isinstance(first, dict) and first.get("key") in {"score_below", "score_fell"}:
        return message_text(first)
    return snapshot.risk_reason
