"""Deal registration's sections of the staff digest (registered in DealregConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dealreg.selectors import expiring_soon, review_queue
from prm.roles import Role


def digest_sections(member) -> list[dict]:
    """Registrations waiting for review (the member's own partners first, all of them for an
    admin or when none of theirs wait) and protection ending within 7 days."""
    pending = review_queue().filter(partner__owner=member)
    if member.role == Role.ADMIN or not pending.exists():
        pending = review_queue()
    expiring = expiring_soon(days=7)
    return [
        {
            "title": _("Deal registrations waiting for review"),
            "items": [f"DR-{d.pk} {d.customer_name} ({d.partner.name})" for d in pending[:20]],
            "count": pending.count(),
        },
        {
            "title": _("Deal protection ending within 7 days"),
            "items": [
                f"DR-{d.pk} {d.customer_name} ({d.partner.name}), {d.protected_until}"
                for d in expiring[:20]
            ],
            "count": expiring.count(),
        },
    ]
