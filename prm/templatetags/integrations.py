"""`{% unread_notifications member as n %}`: the unread count for the header;
`{% latest_notifications member as notes %}`: the newest few for the bell's panel."""

from django import template

from prm.notifications import latest_for, unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(member) -> int:
    if member is None or not getattr(member, "pk", None):
        return 0

    return unread_count(member)


@register.simple_tag
def latest_notifications(member, limit: int = 5) -> list:
    if member is None or not getattr(member, "pk", None):
        return []
    return latest_for(member, limit)
