"""What the community's services share: validating the audience, notices."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from partners.models import PartnerType, Tier
from prm import events, notifications
from prm.errors import DomainError, limited

GROUP = "community"


def audience(partner_types, tier_ids, languages) -> dict:
    partner_types = sorted(set(partner_types or []))
    bad = [t for t in partner_types if t not in PartnerType.values]
    if bad:
        raise DomainError(_("Choose partner types from the list."), field="partner_types")
    tier_ids = sorted({int(t) for t in (tier_ids or [])})
    if len(tier_ids) != Tier.objects.filter(pk__in=tier_ids).count():
        raise DomainError(_("Choose tiers from the list."), field="tier_ids")
    codes = {code for code, _name in settings.LANGUAGES}
    languages = sorted(set(languages or []))
    if any(code not in codes for code in languages):
        raise DomainError(_("Choose languages from the list."), field="languages")
    return {"partner_types": partner_types, "tier_ids": tier_ids, "languages": languages}


def required_text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("This field is required."), field=field)
    return limited(value, limit, field)


def tell(members, obj, event_type: str, *, template: str, context: dict, path: str) -> None:
    """Notify `members` (group "community", each as their preference says) of the event just
    emitted about `obj`."""
    notifications.notify(
        members,
        group=GROUP,
        subject=events.EVENTS[event_type][2],
        template=template,
        context=context,
        path=path,
        kind=event_type,
        event=notifications.event_for(event_type, obj),
        obj=obj,
    )
