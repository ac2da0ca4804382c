"""`{% confirm_action "deal-withdraw" deal %}`: an irreversible action's button and its
confirmation dialog (prm/confirm.py); `message|undo_url`: a success message's Undo URL."""

import dataclasses

from django import template

from prm.confirm import UNDO_PREFIX, confirmation_for

register = template.Library()


@register.inclusion_tag("_confirm.html", takes_context=True)
def confirm_action(context, name: str, obj, query: str = ""):
    """`query` (e.g. the review queue's `from=queue&...`) rides along on the action's URL."""
    c = confirmation_for(name, obj)
    if query:
        c = dataclasses.replace(c, url=f"{c.url}?{query}")
    return {"c": c, "form": c.form(), "csrf_token": context.get("csrf_token")}


@register.filter
def undo_url(message) -> str:
    """The inverse action's URL a message offers (prm.confirm.success_with_undo), or ""."""
    for tag in (getattr(message, "extra_tags", "") or "").split():
        if tag.startswith(UNDO_PREFIX):
            return tag[len(UNDO_PREFIX) :]
    return ""
