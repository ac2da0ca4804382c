from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from prm.roles import has_perm
from prm.selectors import memberships_for_user

# (order, label, url name, capability). Apps append their entries from AppConfig.ready()
# with prm.context_processors.NAV.extend(...); the menu is sorted by order.
NAV = [
    (0, _("Home"), "home", "portal.use"),
    (80, _("Members"), "members", "members.view"),
    (90, _("Audit trail"), "audit", "audit.view"),
    (95, _("Settings"), "tenant-settings", "tenant.manage"),
    (99, _("API keys"), "api-keys", "api_keys.own"),
]

# Templates other apps add to every page's top (e.g. a scheduled deletion's warning) and to a
# member's page (e.g. erasing their personal data), from their AppConfig.ready(). The core's
# templates include whatever is registered and name no app.
PAGE_BANNERS: list[str] = []
MEMBER_PAGE_SECTIONS: list[str] = []

# Entries whose order falls in [start, end) share one disclosure menu in the main navigation,
# so the menu fits a 1280 px screen for every role: program setup (70s) and settings and
# account pages (80s, 90s). A group with a single entry is shown as a plain link.
NAV_GROUPS = [
    (70, 80, _("Program")),
    (80, 100, _("Settings")),
]


def _grouped(links: list[tuple[int, dict]]) -> list[dict]:
    """Top-level entries in menu order; grouped ones collected at their first position."""
    entries: list[dict] = []
    groups: dict[int, dict] = {}
    for order, link in links:
        index = next((i for i, g in enumerate(NAV_GROUPS) if g[0] <= order < g[1]), None)
        if index is None:
            entries.append(link)
            continue
        if index not in groups:
            groups[index] = {"label": NAV_GROUPS[index][2], "items": [], "group": True}
            entries.append(groups[index])
        groups[index]["items"].append(link)
    for group in groups.values():
        if len(group["items"]) == 1:
            entries[entries.index(group)] = group["items"][0]
        else:
            group["active"] = any(item["active"] for item in group["items"])
    return entries


def portal(request):
    tenant = getattr(request, "tenant", None)
    member = getattr(request, "member", None)
    links: list[tuple[int, dict]] = []
    if member is not None:
        for order, label, name, capability in sorted(NAV, key=lambda n: n[0]):
            if has_perm(member.role, capability):
                try:
                    links.append((order, {"label": label, "url": reverse(name), "active": False}))
                except NoReverseMatch:
                    continue
        # The one entry whose URL is the longest prefix of this page is the current one.
        matching = [
            n
            for _order, n in links
            if request.path == n["url"] or (n["url"] != "/" and request.path.startswith(n["url"]))
        ]
        if matching:
            max(matching, key=lambda n: len(n["url"]))["active"] = True
    nav = _grouped(links)
    other_tenants = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and tenant is not None:
        other_tenants = [t for t, _m in memberships_for_user(user) if t.pk != tenant.pk]
    return {
        "tenant": tenant,
        "member": member,
        "nav": nav,
        "other_tenants": other_tenants,
        "page_banners": PAGE_BANNERS,
        "member_page_sections": MEMBER_PAGE_SECTIONS,
    }
