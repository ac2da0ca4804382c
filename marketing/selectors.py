"""Reads of the marketing app. What a member may see of the library is decided here, once:
staff see every asset; a partner's people see the published, unexpired assets whose partner
types and tiers include their company's (an empty list: every partner); everyone else
nothing. Pages, the API, downloads, search and the home card all read through it."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from marketing.models import (
    Asset,
    AssetDownload,
    AssetStatus,
    AssetTier,
    AssetVersion,
    BrandKit,
    CobrandDownload,
    CobrandTemplate,
    LibraryVisit,
    TemplateStatus,
)
from prm.models import Member
from prm.roles import STAFF_ROLES

NEW_WINDOW = datetime.timedelta(minutes=30)


def is_staff(member: Member) -> bool:
    return member.role in STAFF_ROLES


def assets_visible_to(member: Member) -> QuerySet[Asset]:
    qs = Asset.objects.select_related("product")
    if is_staff(member):
        return qs
    partner = member.partner
    if partner is None:
        return qs.none()
    return assets_for_partner(partner)


def assets_for_partner(partner) -> QuerySet[Asset]:
    """What `partner`'s people may see: published, unexpired, for its type and tier (also what
    its syndication embed shows on its website)."""
    qs = Asset.objects.select_related("product")
    today = timezone.localdate()
    tier_rows = AssetTier.objects.filter(asset_id=OuterRef("pk"))
    qs = qs.filter(status=AssetStatus.PUBLISHED).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    qs = qs.filter(Q(partner_types=[]) | Q(partner_types__contains=[partner.partner_type]))
    qs = qs.annotate(_any_tier=Exists(tier_rows)).filter(
        Q(_any_tier=False)
        | Q(pk__in=AssetTier.objects.filter(tier_id=partner.tier_id).values("asset_id"))
    )
    return qs


def asset_detail(member: Member, pk: int) -> Asset | None:
    return assets_visible_to(member).filter(pk=pk).first()


def library(member: Member, *, q: str = "", kind: str = "", product: str = "", language: str = ""):
    return library_filter(
        assets_visible_to(member), q=q, kind=kind, product=product, language=language
    )


def library_filter(qs, *, q: str = "", kind: str = "", product: str = "", language: str = ""):
    """Assets narrowed by words (title, description, tags), type, product and language."""
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(tags_text__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if product:
        qs = qs.filter(Q(product__name=product) | Q(product_name__iexact=product))
    if language:
        qs = qs.filter(language=language)
    return qs


def product_choices(member: Member) -> list[str]:
    """The products named by the assets this member sees (catalogue and free text)."""
    qs = assets_visible_to(member)
    names = set(qs.exclude(product=None).values_list("product__name", flat=True))
    names |= set(qs.exclude(product_name="").values_list("product_name", flat=True))
    return sorted(names, key=str.lower)


def current_version(asset: Asset) -> AssetVersion | None:
    """The newest version: what partners download."""
    return asset.versions.order_by("-number").first()


def visit_of(member: Member) -> LibraryVisit | None:
    return LibraryVisit.objects.filter(member=member).first()


def new_since(member: Member) -> datetime.datetime | None:
    """Assets published after this moment are new to the member (None: the first visit,
    nothing is marked new)."""
    visit = visit_of(member)
    if visit is None:
        return None
    # Within a visit (half an hour) what was new stays marked as new.
    if timezone.now() - visit.last_at < NEW_WINDOW:
        return visit.previous_at
    return visit.last_at


def new_assets(member: Member) -> QuerySet[Asset]:
    since = new_since(member)
    qs = assets_visible_to(member)
    if since is None:
        # Never visited: the last 30 days' assets are new.
        since = timezone.now() - datetime.timedelta(days=30)
    return qs.filter(published_at__gt=since)


def download_counts(asset: Asset) -> list[dict]:
    """Downloads per partner (staff's own downloads under no partner), most first."""
    return list(
        AssetDownload.objects.filter(asset=asset)
        .values("partner_id", "partner__name")
        .annotate(n=Count("id"))
        .order_by("-n", "partner__name")
    )


def with_download_count(qs: QuerySet[Asset]) -> QuerySet[Asset]:
    return qs.annotate(download_count=Count("downloads", distinct=True))


# --- Brand kit and templates --------------------------------------------------------------


def brand_kit(partner) -> BrandKit | None:
    return BrandKit.objects.filter(partner=partner).first()


def templates_visible_to(member: Member) -> QuerySet[CobrandTemplate]:
    if is_staff(member):
        return CobrandTemplate.objects.all()
    if member.partner_id is None:
        return CobrandTemplate.objects.none()
    return CobrandTemplate.objects.filter(status=TemplateStatus.PUBLISHED)


def template_detail(member: Member, pk: int) -> CobrandTemplate | None:
    return templates_visible_to(member).filter(pk=pk).first()


def template_download_counts(template: CobrandTemplate) -> list[dict]:
    return list(
        CobrandDownload.objects.filter(template=template)
        .values("partner_id", "partner__name")
        .annotate(n=Count("id"))
        .order_by("-n", "partner__name")
    )
