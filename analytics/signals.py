"""Analytics listens to one change made elsewhere: a new version of the rules of engagement.
Its review targets decide approval SLA attainment, so the stored rollups go stale and a full
recompute is queued. A signal keeps dealreg unaware of analytics (analytics reads dealreg,
never the other way round)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def rules_published(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of dealreg.RulesVersion. Version 1 (the defaults, created in bulk on first
    use) sends no signal and changes nothing already computed."""
    if not created or raw:
        return
    from analytics import services

    services.rollups_mark_stale(
        tenant=instance.tenant,
        reason=_("Rules of engagement v%(version)s published") % {"version": instance.version},
    )
