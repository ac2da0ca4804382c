"""PDF rendering with weasyprint, shared by every app: signed agreements, the welcome pack,
certificates, business reviews.

Documents are rendered from our own templates with their own print styles. The fetcher only
accepts `data:` URLs, so text that partners or admins wrote (agreement Markdown may contain
image links) can never make the server fetch a URL.
"""

from __future__ import annotations

from django.template.loader import render_to_string


def html_to_pdf(html: str) -> bytes:
    # local: importing weasyprint costs ~0.5 s and ~40 MB per process; only a render loads it
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=2)
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template, context))
