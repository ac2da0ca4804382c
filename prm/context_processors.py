from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from prm.roles import has_perm

# (label, url name, capability). Later apps add their entries here, in menu order.
NAV = [
    (_("Home"), "home", "portal.use"),
    (_("Members"), "members", "members.view"),
    (_("Audit trail"), "audit", "audit.view"),
    (_("Settings"), "tenant-settings", "tenant.manage"),
    (_("API keys"), "api-keys", "api_keys.own"),
]


def portal(request):
    tenant = getattr(request, "tenant", None)
    member = getattr(request, "member", None)
    nav = []
    if member is not None:
        for label, name, capability in NAV:
            if has_perm(member.role, capability):
                try:
                    url = reverse(name)
                except NoReverseMatch:
                    continue
                nav.append(
                    {
                        "label": label,
                        "url": url,
                        "active": request.path == url
                        or (url != "/" and request.path.startswith(url)),
                    }
                )
    other_tenants = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and tenant is not None:
        from prm.selectors import memberships_for_user

        other_tenants = [t for t, _m in memberships_for_user(user) if t.pk != tenant.pk]
    return {"tenant": tenant, "member": member, "nav": nav, "other_tenants": other_tenants}
