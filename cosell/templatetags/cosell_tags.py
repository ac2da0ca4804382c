"""`{{ comment|comment_html }}`: a comment's text, escaped, with its line breaks and the
@mentions of its mentioned people marked."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from cosell.services import MENTION_RE

register = template.Library()


@register.filter
def comment_html(comment) -> str:
    mentioned = {m.member.user.email.lower() for m in comment.mentions.all()}
    out = []
    pos = 0
    body = comment.body
    for match in MENTION_RE.finditer(body):
        out.append(conditional_escape(body[pos : match.start()]))
        if match.group(1).lower() in mentioned:
            out.append(format_html('<span class="mention">{}</span>', match.group(0)))
        else:
            out.append(conditional_escape(match.group(0)))
        pos = match.end()
    out.append(conditional_escape(body[pos:]))
    # Every piece is escaped above; the line breaks are ours.
    return mark_safe("".join(str(p) for p in out).replace("\n", "<br>"))  # noqa: S308
