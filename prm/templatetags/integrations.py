"""`{% unread_notifications member as n %}`: the unread count for the header."""

from django import template

register = template.Library()


@register.simple_tag
def unread_notifications(member) -> int:
    if member is None or not getattr(member, "pk", None):
        return 0
    from prm.notifications import unread_count

    return unread_count(member)
