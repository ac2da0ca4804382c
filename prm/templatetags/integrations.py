"""`{% unread_notifications member as n %}`: the unread count for the header."""

from django import template

from prm.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(member) -> int:
    if member is None or not getattr(member, "pk", None):
        return 0

    return unread_count(member)
