"""User-written text (announcements, questions, answers, event descriptions) as safe HTML.

Plain text becomes paragraphs; HTML keeps a small set of formatting tags and http(s)/mailto
links (opened with rel="noopener noreferrer nofollow"); scripts, styles, event handlers and
every other tag or attribute are removed (nh3, the Rust ammonia sanitiser). What is stored is
what a page shows, so a page marks it safe without sanitising again.
"""

from __future__ import annotations

import nh3
from django.utils.html import linebreaks

TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "code", "pre", "blockquote"}
ATTRIBUTES = {"a": {"href", "title"}}


def clean(text: str) -> str:
    text = (text or "").strip()
    if "<" not in text:
        text = linebreaks(text, autoescape=True)
    return nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain(html: str) -> str:
    """The text of sanitised HTML, for e-mails and search snippets."""
    return nh3.clean(html or "", tags=set()).strip()
