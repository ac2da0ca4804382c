"""Co-branded copy: rich text is sanitised with nh3 when it is saved, and a template's
placeholders are substituted per partner from a fixed set, each value HTML-escaped. The body
is never executed as a Django template, so an admin's text cannot reach template tags, the
context or the server's files: `{{ partner.name }}` is text that this module replaces, and any
other `{{ ... }}` is refused when the template is saved."""

from __future__ import annotations

import base64
import re

import nh3
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from marketing.selectors import brand_kit
from partners.models import Partner
from prm.errors import DomainError

# Images are left out: a body may not make the PDF renderer or a reader's browser fetch a
# URL (the partner's logo comes in through its placeholder only).
TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
PLACEHOLDERS = (
    "partner.name",
    "partner.logo",
    "partner.contact",
    "partner.website",
    "partner.email",
    "partner.phone",
)


def sanitise(html: str) -> str:
    """Rich text as stored: only harmless tags and attributes, links made rel=noopener."""
    return nh3.clean(html or "", tags=TAGS, link_rel="noopener noreferrer nofollow")


IN_TAG = re.compile(r"<[^>]*\{\{")


def check_placeholders(body: str, *, field: str = "body") -> None:
    """Refuse unknown placeholders, and placeholders inside a tag (an attribute): a value is
    escaped for text, and the logo and contact are whole elements."""
    if IN_TAG.search(body):
        raise DomainError(
            _("Placeholders go in the text, not inside a tag or a link's address."), field=field
        )
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(body)} - set(PLACEHOLDERS))
    if unknown:
        raise DomainError(
            _("Unknown placeholder: %(names)s. Use %(known)s.")
            % {
                "names": ", ".join(f"{{{{ {n} }}}}" for n in unknown),
                "known": ", ".join(f"{{{{ {n} }}}}" for n in PLACEHOLDERS),
            },
            field=field,
        )


def logo_data_url(kit) -> str:
    """The kit's logo as a data: URL (the PDF renderer fetches nothing else), or ""."""
    if kit is None or not kit.logo:
        return ""
    try:
        with kit.logo.open("rb") as fh:
            data = fh.read()
    except (FileNotFoundError, ValueError, OSError):
        return ""
    return f"data:{kit.logo_content_type};base64,{base64.b64encode(data).decode()}"


def values(partner, kit, *, logo_src: str) -> dict[str, str]:
    """Each placeholder's HTML for this partner (every value escaped)."""
    name = partner.name
    email = kit.contact_email if kit else ""
    phone = kit.contact_phone if kit else ""
    website = (kit.website if kit else "") or partner.website
    logo = (
        format_html('<img class="cobrand-logo" src="{}" alt="{}">', logo_src, name)
        if logo_src
        else format_html('<strong class="cobrand-logo-text">{}</strong>', name)
    )
    lines = [kit.contact_name if kit else "", email, phone, website]
    contact = format_html(
        '<address class="cobrand-contact">{}</address>',
        mark_safe("<br>".join(escape(x) for x in [name, *lines] if x)),  # noqa: S308 (each part escaped)
    )
    return {
        "partner.name": escape(name),
        "partner.logo": logo,
        "partner.contact": contact,
        "partner.website": escape(website),
        "partner.email": escape(email),
        "partner.phone": escape(phone),
    }


def render(body: str, partner, kit, *, logo_src: str) -> str:
    """The template's stored (sanitised) body with this partner's values substituted."""
    subs = values(partner, kit, logo_src=logo_src)
    # The body was sanitised when saved; every substituted value is escaped.
    return mark_safe(  # noqa: S308
        PLACEHOLDER.sub(lambda m: subs.get(m.group(1), ""), body)
    )


def copy_for(request, tpl):
    """(partner, kit, html) of the requesting member's co-branded copy; staff see an example
    company's (unsaved, no brand kit)."""
    member = request.member
    if member.partner_id:
        partner = member.partner
        kit = brand_kit(partner)
    else:
        partner = Partner(
            tenant=request.tenant, name=_("Example Partner Ltd"), website="https://example.com"
        )
        kit = None
    return partner, kit, render(tpl.body, partner, kit, logo_src=logo_data_url(kit))
