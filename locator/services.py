"""Writes of the locator: the tenant's settings, a partner's public profile and its moves
(locator.states.PROFILE), and a visitor's contact request, which becomes a lead offered to
the profile's partner through dealreg's lead services.

Every write is audited. The description is sanitised here (nh3) whatever sent it, so the
portal, the API and a seed store the same safe HTML."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import get_scope

from dealreg.services.leads import lead_create, lead_route
from locator import selectors
from locator.languages import LANGUAGE_CODES
from locator.models import ContactRequest, LocatorSettings, PublicProfile
from locator.states import PROFILE
from partners.models import Partner, Product, Region, Specialty
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.models import Member
from prm.roles import Role, require
from prm.uploads import validate_image_upload

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4"}
MAX_SERVICES = 20
# Paths under /find/ that are not profiles.
RESERVED_SLUGS = {"embed"}


def sanitise(html: str) -> str:
    """The description as safe HTML: a few formatting tags, links with http(s) and mailto
    only, marked nofollow (nh3 removes everything else, scripts and their text included)."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    ).strip()


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", nh3.clean(html or "", tags=set())).strip()


# --- Settings -------------------------------------------------------------------------------


def _origin(url: str) -> str:
    """`scheme://host[:port]` of an http(s) URL, or a DomainError at `embed_origin`."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise DomainError(
            _("Enter the address of your website, e.g. https://www.example.com."),
            field="embed_origin",
        )
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


@transaction.atomic
def locator_settings_update(*, by: Member, allow_tier: bool, embed_origin: str) -> LocatorSettings:
    require(by, "locator.configure")
    tenant = get_scope()["tenant"]
    current = LocatorSettings.objects.select_for_update().filter(tenant=tenant).first()
    if current is None:
        current = LocatorSettings(tenant=tenant)
    before = {"allow_tier": current.allow_tier, "embed_origin": current.embed_origin}
    current.allow_tier = bool(allow_tier)
    current.embed_origin = _origin(embed_origin)
    after = {"allow_tier": current.allow_tier, "embed_origin": current.embed_origin}
    if before == after and current.pk:
        return current
    current.save()
    if not current.allow_tier:
        # Withdrawing the permission takes every tier off the public pages at once.
        PublicProfile.objects.filter(show_tier=True).update(show_tier=False)
    log_action(
        "locator.settings_changed",
        obj=current,
        object_label=tenant.name,
        before=before,
        after=after,
    )
    return current


# --- Profiles -------------------------------------------------------------------------------


def _unique_slug(partner: Partner) -> str:
    base = slugify(partner.name)[:70] or "partner"
    if base in RESERVED_SLUGS:
        base = f"{base}-partner"
    slug, n = base, 1
    while PublicProfile.objects.filter(slug=slug).exclude(partner=partner).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _require_partner_admin(by: Member, partner: Partner) -> None:
    if by is None or by.role != Role.PARTNER_ADMIN or by.partner_id != partner.pk:
        raise PermissionDenied()


def _ids(model, ids, field: str, message: str) -> list[int]:
    ids = sorted({int(i) for i in ids or ()})
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        raise DomainError(message, field=field)
    return ids


def _clean_services(services) -> list[str]:
    out: list[str] = []
    for item in services or ():
        item = " ".join(str(item).split())
        if item and item.lower() not in {s.lower() for s in out}:
            out.append(limited(item, 80, "services"))
    if len(out) > MAX_SERVICES:
        raise DomainError(_("List at most %(n)s services.") % {"n": MAX_SERVICES}, field="services")
    return out


def _search_text(profile: PublicProfile) -> str:
    """The published words, lower-cased, that the keyword search looks in."""
    parts = [
        profile.partner.name,
        profile.headline,
        plain_text(profile.description),
        " ".join(profile.services),
        " ".join(selectors.names(Specialty, profile.specialties)),
        " ".join(selectors.names(Product, profile.products)),
    ]
    return " ".join(p for p in parts if p).lower()


def profile_for(*, partner: Partner) -> PublicProfile:
    """The partner's profile, made (as a draft, nothing published) on first use."""
    profile = selectors.profile_of(partner)
    if profile is None:
        profile = PublicProfile.objects.create(
            tenant_id=partner.tenant_id,
            partner=partner,
            slug=_unique_slug(partner),
        )
        profile.partner = partner
    return profile


@transaction.atomic
def profile_update(
    *,
    partner: Partner,
    by: Member,
    headline: str = "",
    description: str = "",
    services=(),
    specialties=(),
    products=(),
    regions=(),
    languages=(),
    certificates=(),
    website: str = "",
    show_tier: bool = False,
    logo=None,
    remove_logo: bool = False,
) -> PublicProfile:
    """Replace the partner's public profile with these values (what the partner chose to
    publish). Shown only while the profile is published."""
    _require_partner_admin(by, partner)
    profile = profile_for(partner=partner)
    profile = PublicProfile.objects.select_for_update().select_related("partner").get(pk=profile.pk)
    PROFILE.check(profile, by, "edit")
    if show_tier and not selectors.settings_for(partner.tenant).allow_tier:
        raise DomainError(
            _("The program does not let partners show their tier."), field="show_tier"
        )
    regions = sorted(set(regions or ()))
    if not set(regions) <= set(Region.values):
        raise DomainError(_("Choose regions from the list."), field="regions")
    languages = sorted(set(languages or ()))
    if not set(languages) <= LANGUAGE_CODES:
        raise DomainError(_("Choose languages from the list."), field="languages")
    cert_ids = sorted({int(i) for i in certificates or ()})
    own = set(
        selectors.certificates_of(partner).filter(pk__in=cert_ids).values_list("pk", flat=True)
    )
    if own != set(cert_ids):
        raise DomainError(_("Choose certificates of your own people."), field="certificates")
    if logo is not None:
        try:
            validate_image_upload(logo)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="logo") from None
    before = _snapshot(profile)
    profile.headline = limited((headline or "").strip(), 160, "headline")
    profile.description = limited(sanitise(description), 8000, "description")
    profile.services = _clean_services(services)
    profile.specialties = _ids(
        Specialty, specialties, "specialties", _("Choose specialties from the list.")
    )
    profile.products = _ids(Product, products, "products", _("Choose products from the list."))
    profile.regions = regions
    profile.languages = languages
    profile.certificates = cert_ids
    profile.website = (website or "").strip()
    profile.show_tier = bool(show_tier)
    if remove_logo and profile.logo:
        profile.logo.delete(save=False)
        profile.logo = ""
    if logo is not None:
        ext = "png" if logo.name.lower().endswith(".png") else "jpg"
        profile.logo.save(f"{profile.tenant_id}-{profile.pk}.{ext}", logo, save=False)
    try:
        profile.full_clean(exclude=["tenant", "partner", "logo"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
    profile.search_text = _search_text(profile)
    profile.updated_at = timezone.now()
    profile.save()
    _choices_changed(profile.tenant_id)
    after = _snapshot(profile)
    log_action(
        "locator.profile_updated",
        obj=profile,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return profile


def _snapshot(profile: PublicProfile) -> dict:
    return {
        "headline": profile.headline,
        "description": profile.description,
        "services": list(profile.services),
        "specialties": list(profile.specialties),
        "products": list(profile.products),
        "regions": list(profile.regions),
        "languages": list(profile.languages),
        "certificates": list(profile.certificates),
        "website": profile.website,
        "show_tier": profile.show_tier,
        "logo": bool(profile.logo),
    }


def _choices_changed(tenant_id: int) -> None:
    """Drop the public search's cached filter choices now and again at commit (a search
    between the two would cache the old ones under the new version)."""
    selectors.choices_changed(tenant_id)
    transaction.on_commit(lambda: selectors.choices_changed(tenant_id))


def _move(profile: PublicProfile, by: Member | None, name: str, **extra) -> PublicProfile:
    profile = PublicProfile.objects.select_for_update().select_related("partner").get(pk=profile.pk)
    act = PROFILE.check(profile, by, name)
    before = profile.status
    profile.status = act.target
    fields = ["status", "updated_at"]
    profile.updated_at = timezone.now()
    for key, value in extra.items():
        setattr(profile, key, value)
        fields.append(key)
    profile.save(update_fields=fields)
    _choices_changed(profile.tenant_id)
    log_action(
        f"locator.profile_{name}",
        obj=profile,
        before={"status": before},
        after={"status": profile.status, **{k: str(v) for k, v in extra.items()}},
    )
    return profile


@transaction.atomic
def profile_publish(*, profile: PublicProfile, by: Member) -> PublicProfile:
    if not (profile.headline or profile.description):
        raise DomainError(
            _("Add a headline or a description before you publish."), field="headline"
        )
    profile = _move(profile, by, "publish", published_at=timezone.now())
    events.emit("profile.published", profile)
    return profile


@transaction.atomic
def profile_unpublish(*, profile: PublicProfile, by: Member) -> PublicProfile:
    return _move(profile, by, "unpublish")


@transaction.atomic
def profile_hide(*, profile: PublicProfile, by: Member, reason: str) -> PublicProfile:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the profile is taken down."), field="reason")
    return _move(profile, by, "hide", hidden_reason=limited(reason, 500, "reason"))


@transaction.atomic
def profile_restore(*, profile: PublicProfile, by: Member) -> PublicProfile:
    return _move(profile, by, "restore", hidden_reason="")


# --- Contact requests -----------------------------------------------------------------------


@transaction.atomic
def contact_submit(
    *,
    profile: PublicProfile,
    name: str,
    email: str,
    company: str,
    message: str,
    country: str = "",
) -> ContactRequest:
    """A visitor's request from the profile's page: a lead offered to the profile's partner
    (dealreg tells the partner's admins), recorded against the profile. Only a live profile
    takes requests."""
    profile = selectors.live_profiles().select_for_update(of=("self",)).get(pk=profile.pk)
    lead = lead_create(
        by=None,
        company=company,
        contact_name=limited((name or "").strip(), 150, "name"),
        contact_email=(email or "").strip(),
        country=country or "",
        notes=limited((message or "").strip(), 4000, "message"),
    )
    lead_route(lead=lead, to_partner=profile.partner, why=_("Contact form on the partner locator"))
    request = ContactRequest.objects.create(tenant_id=profile.tenant_id, profile=profile, lead=lead)
    log_action(
        "locator.contact_received",
        obj=profile,
        after={"lead": lead.pk, "company": lead.company},
    )
    return request
