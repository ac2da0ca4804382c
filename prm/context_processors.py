from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from prm.roles import has_perm

# (order, label, url name, capability). Apps append their entries from AppConfig.ready()
# with prm.context_processors.NAV.extend(...); the menu is sorted by order.
NAV = [
    (0, _("Home"), "home", "portal.use"),
    (80, _("Members"), "members", "members.view"),
    (90, _("Audit trail"), "audit", "audit.view"),
    (95, _("Settings"), "tenant-settings", "tenant.manage"),
    (99, _("API keys"), "api-keys", "api_keys.own"),
]


def portal(request):
    tenant = getattr(request, "tenant", None)
    member = getattr(request, "member", None)
    nav = []
    if member is not None:
        for _order, label, name, capability in sorted(NAV, key=lambda n: n[0]):
            if has_perm(member.role, capability):
                try:
                    nav.append({"label": label, "url": reverse(name), "active": False})
                except NoReverseMatch:
                    continue
        # The one entry whose URL is the longest prefix of this page is the current one.
        matching = [
            n
            for n in nav
            if request.path == n["url"] or (n["url"] != "/" and request.path.startswith(n["url"]))
        ]
        if matching:
            max(matching, key=lambda n: len(n["url"]))["active"] = True
    other_tenants = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and tenant is not None:
        from prm.selectors import memberships_for_user

        other_tenants = [t for t, _m in memberships_for_user(user) if t.pk != tenant.pk]
    return {"tenant": tenant, "member": member, "nav": nav, "other_tenants": other_tenants}
