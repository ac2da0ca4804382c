from django import template
from django.urls import reverse

from prm import panels

register = template.Library()


@register.filter
def changes(value) -> str:
    """An audit before/after dict as 'key: value; key: value' for people to read."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {'—' if v in (None, '') else v}" for k, v in value.items())
    return "" if value is None else str(value)


@register.inclusion_tag("_breadcrumbs.html")
def breadcrumbs(*parts):
    """The trail of a detail page: (label, URL or URL name) pairs, then the page's own label.

    {% breadcrumbs _("Partners") "partner-list" partner.name %}"""
    *pairs, current = parts
    trail = []
    for label, target in zip(pairs[::2], pairs[1::2], strict=True):
        url = target if str(target).startswith("/") else reverse(target)
        trail.append({"label": label, "url": url})
    return {"trail": trail, "current": current}


@register.simple_tag(takes_context=True)
def object_panels(context, object_type: str, obj):
    """The panels other apps add to this object's page (prm.panels)."""
    return panels.render(object_type, context.get("request"), obj)
