"""Health sentences (drivers, component inputs, the at-risk reason) in the reader's language.

Snapshots store them as message keys and parameters (analytics.rules.stored); older
snapshots stored English strings, which are shown as they are."""

from __future__ import annotations

from django import template

from analytics import rules
from analytics.rules import message_text

register = template.Library()


@register.filter
def health_text(item) -> str:
    """A driver (or any stored health message) in the active language."""
    return message_text(item)


component_label = register.filter("component_label", rules.component_label)
component_detail = register.filter("component_detail", rules.component_detail)


@register.filter
def risk_reason_text(snapshot) -> str:
    """The at-risk reason: the first driver when it is the risk message, else the text."""
    first = snapshot.drivers[0] if snapshot.drivers else None
    if isinstance(first, dict) and first.get("key") in {"score_below", "score_fell"}:
        return message_text(first)
    return snapshot.risk_reason
