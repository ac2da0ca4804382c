"""`{% sort_header sorting "amount" _("Amount") "num" %}`: a sortable column's header link
(prm.sorting)."""

from django import template

register = template.Library()


@register.inclusion_tag("_sort_header.html")
def sort_header(sorting, key: str, label: str, css: str = ""):
    state = sorting.state(key)
    return {
        "url": sorting.link(key),
        "label": label,
        "state": state,
        "ascending": state == "ascending",
        "descending": state == "descending",
        "css": css,
    }
