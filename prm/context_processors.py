from __future__ import annotations

from typing import NamedTuple

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from prm.roles import has_perm
from prm.selectors import memberships_for_user


class NavEntry(NamedTuple):
    """One page in the main menu: the group (a key of NAV_GROUPS) it sits in, its place in
    the group, its label, its URL name and the capability that shows it."""

    group: str
    order: int
    label: object
    url_name: str
    capability: str


# Top-level menu entries, grouped by the job (key -> (order, label)). A group one person sees
# a single page of is shown as a plain link with the group's label; otherwise as a panel
# listing its pages. Apps add their groups with register_nav_group() and their pages with
# NAV.extend([NavEntry(...)]) from AppConfig.ready(); the core names no app. The "account"
# group is not in the main menu: its pages are listed in the account (user) menu.
NAV_GROUPS: dict[str, tuple[int, object]] = {
    "home": (0, _("Home")),
    "workspace": (90, _("Workspace")),
    "account": (100, _("Account")),
}
ACCOUNT_GROUP = "account"

NAV: list[NavEntry] = [
    NavEntry("home", 0, _("Home"), "home", "portal.use"),
    NavEntry("workspace", 10, _("Members"), "members", "members.view_all"),
    NavEntry("workspace", 20, _("Audit trail"), "audit", "audit.view"),
    NavEntry("workspace", 30, _("Portal settings"), "tenant-settings", "tenant.manage"),
    NavEntry("account", 30, _("API keys"), "api-keys", "api_keys.own"),
]


def register_nav_group(key: str, order: int, label) -> None:
    """Apps add a top-level group of the main menu; keys must be new."""
    if key in NAV_GROUPS:
        raise ValueError(f"menu group {key!r} registered twice")
    NAV_GROUPS[key] = (order, label)


# Templates other apps add to every page's top (e.g. a scheduled deletion's warning) and to a
# member's page (e.g. erasing their personal data), from their AppConfig.ready(). The core's
# templates include whatever is registered and name no app.
PAGE_BANNERS: list[str] = []
MEMBER_PAGE_SECTIONS: list[str] = []


def menu_for(role: str | None, path: str = "") -> tuple[list[dict], list[dict]]:
    """(main menu, account menu) for a member with `role` on the page at `path`.

    Main menu: top-level entries in group order; a group is {"label", "items", "group": True,
    "active"}, a plain link {"label", "url", "active"}. The one link whose URL is the longest
    prefix of `path` is the current one."""
    links: list[tuple[str, dict]] = []
    for entry in sorted(NAV, key=lambda e: (NAV_GROUPS.get(e.group, (999,))[0], e.order)):
        if not has_perm(role, entry.capability):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        links.append((entry.group, {"label": entry.label, "url": url, "active": False}))
    matching = [
        link
        for _group, link in links
        if path == link["url"] or (link["url"] != "/" and path.startswith(link["url"]))
    ]
    if matching:
        max(matching, key=lambda link: len(link["url"]))["active"] = True
    groups: dict[str, list[dict]] = {}
    for group, link in links:
        groups.setdefault(group, []).append(link)
    account = groups.pop(ACCOUNT_GROUP, [])
    nav: list[dict] = []
    for key, items in groups.items():
        label = NAV_GROUPS.get(key, (999, key))[1]
        active = any(item["active"] for item in items)
        if len(items) == 1:
            nav.append({"label": label, "url": items[0]["url"], "active": active})
        else:
            nav.append({"label": label, "items": items, "group": True, "active": active})
    return nav, account


def portal(request):
    tenant = getattr(request, "tenant", None)
    member = getattr(request, "member", None)
    nav: list[dict] = []
    account_nav: list[dict] = []
    if member is not None:
        nav, account_nav = menu_for(member.role, request.path)
    other_tenants = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and tenant is not None:
        other_tenants = [t for t, _m in memberships_for_user(user) if t.pk != tenant.pk]
    return {
        "tenant": tenant,
        "member": member,
        "nav": nav,
        "account_nav": account_nav,
        "other_tenants": other_tenants,
        "page_banners": PAGE_BANNERS,
        "member_page_sections": MEMBER_PAGE_SECTIONS,
    }
