"""Reads of the locator. Public reads (`live_profiles`, `search`) return only live profiles:
published, not taken down, of an active partner."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import F, Func, QuerySet
from django_scopes import get_scope

from locator.models import (
    LocatorSettings,
    ProfileStatus,
    PublicProfile,
    Referral,
    ReferralStatus,
)
from onboarding.models import ApplicationStatus
from partners.models import PartnerStatus, Product, Specialty
from prm.roles import STAFF_ROLES
from training.models import Certificate, CertificateStatus

MAX_RESULTS = 50
# The public search's product and specialty filters list what some live profile publishes:
# two scans of every live profile, the same for every visitor. They are kept per tenant for
# this long, and dropped at once when a profile changes (`choices_changed`); a partner
# suspended elsewhere leaves its choices for at most this long (a choice with no results).
CHOICES_SECONDS = 60


def settings_for(tenant) -> LocatorSettings:
    """The tenant's locator settings (unsaved defaults when none were stored)."""
    return LocatorSettings.objects.filter(tenant=tenant).first() or LocatorSettings(tenant=tenant)


def profile_of(partner) -> PublicProfile | None:
    return PublicProfile.objects.filter(partner=partner).select_related("partner").first()


def profiles_visible_to(member) -> QuerySet[PublicProfile]:
    """Staff: every profile; a partner's people: their own company's; others: none."""
    qs = PublicProfile.objects.select_related("partner")
    if member is None:
        return qs.none()
    if member.role in STAFF_ROLES:
        return qs
    if member.partner_id:
        return qs.filter(partner_id=member.partner_id)
    return qs.none()


def live_profiles() -> QuerySet[PublicProfile]:
    return PublicProfile.objects.filter(
        status=ProfileStatus.PUBLISHED, partner__status=PartnerStatus.ACTIVE
    ).select_related("partner", "partner__tier")


def live_profile(slug: str) -> PublicProfile | None:
    return live_profiles().filter(slug=slug).first()


def search(
    *,
    q: str = "",
    region: str = "",
    product: int | None = None,
    specialty: int | None = None,
    language: str = "",
) -> QuerySet[PublicProfile]:
    """Live profiles matching every given criterion, by name. `q` matches words of the
    published text (headline, description, services, specialties, products, name)."""
    qs = live_profiles()
    for word in (q or "").lower().split()[:8]:
        qs = qs.filter(search_text__contains=word)
    if region:
        qs = qs.filter(regions__contains=[region])
    if product:
        qs = qs.filter(products__contains=[product])
    if specialty:
        qs = qs.filter(specialties__contains=[specialty])
    if language:
        qs = qs.filter(languages__contains=[language])
    return qs.order_by("partner__name", "pk")


def results(**criteria) -> list[PublicProfile]:
    """The first MAX_RESULTS live profiles of `search(**criteria)`, in its order. The order is
    found on narrow rows (ids, sorted by the partner's name, without the tier join or the
    profiles' long text), then only the page's profiles are read whole: sorting every live
    profile of a large program with all its columns cost more than the search itself."""
    ids = list(search(**criteria).values_list("pk", flat=True)[:MAX_RESULTS])
    # Read by primary key: the ids are live profiles of this very request's search.
    rows = PublicProfile.objects.select_related("partner", "partner__tier").in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _used(field: str) -> QuerySet:
    """Ids in `field` of live profiles (a set-returning unnest in one query)."""
    return (
        live_profiles()
        .annotate(item=Func(F(field), function="unnest"))
        .values_list("item", flat=True)
        .distinct()
    )


def used_specialty_choices() -> list[tuple[int, str]]:
    """The specialties that some live profile publishes (the public search's filter)."""
    return list(
        Specialty.objects.filter(pk__in=_used("specialties"))
        .order_by("name")
        .values_list("pk", "name")
    )


def used_product_choices() -> list[tuple[int, str]]:
    return list(
        Product.objects.filter(pk__in=_used("products")).order_by("name").values_list("pk", "name")
    )


def _choices_version_key(tenant_id) -> str:
    return f"locator:choices:{tenant_id}"


def used_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(products, specialties) the public search offers, cached per tenant (CHOICES_SECONDS)."""
    tenant = get_scope().get("tenant")
    tenant_id = getattr(tenant, "pk", tenant)
    version = cache.get(_choices_version_key(tenant_id)) or 0
    key = f"{_choices_version_key(tenant_id)}:{version}"
    found = cache.get(key)
    if found is None:
        found = (used_product_choices(), used_specialty_choices())
        cache.set(key, found, CHOICES_SECONDS)
    return found


def choices_changed(tenant_id: int) -> None:
    """A profile changed: the next search reads the choices afresh."""
    key = _choices_version_key(tenant_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def specialty_choices() -> list[tuple[int, str]]:
    return list(Specialty.objects.order_by("name").values_list("pk", "name"))


def product_choices() -> list[tuple[int, str]]:
    return list(Product.objects.filter(is_active=True).order_by("name").values_list("pk", "name"))


def names(model, ids) -> list[str]:
    """The names of the given specialties or products, in name order (unknown ids skipped)."""
    if not ids:
        return []
    return list(model.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))


def name_map(model, ids) -> dict[int, str]:
    """Id -> name of the given specialties or products, in one query."""
    if not ids:
        return {}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def certificates_of(partner) -> QuerySet[Certificate]:
    """The partner's people's active certificates (what it may choose to show)."""
    return (
        Certificate.objects.filter(member__partner=partner, status=CertificateStatus.ACTIVE)
        .select_related("certification")
        .order_by("certification__name", "holder_name")
    )


def shown_certificates(profile: PublicProfile) -> list[Certificate]:
    """The chosen certificates that are still valid and still the partner's people's."""
    if not profile.certificates:
        return []
    return [
        c
        for c in certificates_of(profile.partner).filter(pk__in=profile.certificates)
        if c.is_valid()
    ]


def referrals_of(partner) -> QuerySet[Referral]:
    return Referral.objects.filter(referrer=partner).select_related(
        "application", "application__partner"
    )


def referral_status(referral: Referral) -> str:
    """What the referrer may know: invited, applied, approved, active or declined."""
    app = referral.application
    if referral.activated_at is not None:
        return ReferralStatus.ACTIVE
    if app is None:
        return ReferralStatus.INVITED
    if app.status == ApplicationStatus.REJECTED:
        return ReferralStatus.DECLINED
    if app.status == ApplicationStatus.APPROVED:
        return ReferralStatus.APPROVED
    return ReferralStatus.APPLIED
