from django import template

register = template.Library()


@register.filter
def changes(value) -> str:
    """An audit before/after dict as 'key: value; key: value' for people to read."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {'—' if v in (None, '') else v}" for k, v in value.items())
    return "" if value is None else str(value)
