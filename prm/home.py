"""The home page's registry: what needs this member now, section by section.

The core names no feature app. Each app registers its own home sections (and the tenant's
setup checklist items) from its AppConfig.ready():

    home.register(order=10, key="deals-partner", capability="deals.register",
                  template="dealreg/home/partner.html", context=partner_home)

A section's context function gets the member and returns a dict for its template, or None
when the section has nothing to show for this member (it is then left out). Each function
reads through its app's selectors, scoped to the member, with a bounded number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prm.models import Tenant, TenantHost
from prm.roles import has_perm


@dataclass(frozen=True)
class Section:
    order: int
    key: str
    capability: str
    template: str
    context: Callable
    roles: frozenset[str] | None = None


@dataclass(frozen=True)
class SetupItem:
    order: int
    key: str
    label: str
    url_name: str
    done: Callable  # (tenant) -> bool


SECTIONS: list[Section] = []
SETUP_ITEMS: list[SetupItem] = []


def register(
    *,
    order: int,
    key: str,
    capability: str,
    template: str,
    context: Callable,
    roles=None,
) -> None:
    """Add a home section (idempotent by key: a second ready() does not add it twice)."""
    if any(s.key == key for s in SECTIONS):
        return
    SECTIONS.append(
        Section(order, key, capability, template, context, frozenset(roles) if roles else None)
    )
    SECTIONS.sort(key=lambda s: (s.order, s.key))


def setup_item_register(*, order: int, key: str, label, url_name: str, done: Callable) -> None:
    """Add an item to a new tenant's setup checklist (shown to the tenant admin)."""
    if any(i.key == key for i in SETUP_ITEMS):
        return
    SETUP_ITEMS.append(SetupItem(order, key, label, url_name, done))
    SETUP_ITEMS.sort(key=lambda i: (i.order, i.key))


def sections_for(member) -> list[dict]:
    """The sections this member's role may see and that have something to say, in order."""
    shown = []
    for section in SECTIONS:
        if not has_perm(member.role, section.capability):
            continue
        if section.roles is not None and member.role not in section.roles:
            continue
        data = section.context(member)
        if data is None:
            continue
        shown.append({"key": section.key, "template": section.template, "data": data})
    return shown


def setup_checklist(tenant) -> dict:
    """Each setup item with whether this tenant has done it; `complete` when all are."""
    items = [
        {
            "key": item.key,
            "label": item.label,
            "url": reverse(item.url_name),
            "done": bool(item.done(tenant)),
        }
        for item in SETUP_ITEMS
    ]
    return {
        "items": items,
        "done": sum(i["done"] for i in items),
        "complete": all(i["done"] for i in items),
    }


# --- The core's own pieces: the setup checklist and its core items ------------------------


def _setup_context(member):
    """The checklist for the tenant admin; left out once every item is done."""
    checklist = setup_checklist(member.tenant)
    return None if checklist["complete"] else checklist


def _has_domain(tenant) -> bool:
    return TenantHost.objects.filter(tenant=tenant).exists()


def _is_branded(tenant) -> bool:
    default = Tenant._meta.get_field("primary_colour").default
    return bool(tenant.logo) or tenant.primary_colour.lower() != default


register(
    order=5,
    key="setup",
    capability="tenant.manage",
    template="prm/home/setup.html",
    context=_setup_context,
)
setup_item_register(
    order=60,
    key="domains",
    label=_("Add your own domain for the portal"),
    url_name="tenant-settings",
    done=_has_domain,
)
setup_item_register(
    order=70,
    key="branding",
    label=_("Brand the portal with your logo and colour"),
    url_name="tenant-settings",
    done=_is_branded,
)
