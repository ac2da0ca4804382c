"""Writes and reads of content syndication (marketing.syndication_models).

A partner's admins switch the embed on, choose the websites (origins) that may frame it and
optional product and language filters; every change is audited. The token in the snippet is
random; rotating it makes every copy of the old snippet stop working (audited too). The
public embed counts one view per asset shown and one open per asset opened, as one upsert on
a row per partner, asset and day (`SyndicationViewDay`): a cheap counter, already rolled up.
"""

from __future__ import annotations

import datetime
import re
import secrets
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing import selectors
from marketing.models import Asset, AssetLanguage
from marketing.syndication_models import SyndicationFeed, SyndicationViewDay
from partners.models import Partner, PartnerStatus, Product
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import require
from prm.tenancy import telemetry

MAX_ORIGINS = 10
MAX_ITEMS = 24
LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOST = re.compile(rf"^(?=.{{1,253}}$){LABEL}(\.{LABEL})*$")
REPORT_DAYS = 90


def _token() -> str:
    return secrets.token_urlsafe(18)


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of one http(s) website address, or a DomainError at
    `allowed_origins`. No wildcards, paths are dropped, and nothing that could end or extend
    the CSP directive it goes into (the host must be a plain DNS name)."""
    raw = (url or "").strip()
    bad = DomainError(
        _("“%(value)s” is not a website address such as https://www.example.com.")
        % {"value": raw[:80]},
        field="allowed_origins",
    )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise bad from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or parts.username or not HOST.match(host):
        raise bad
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}"


def origins_of(value) -> list[str]:
    """The origins in a list or in text (one per line, or separated by commas or spaces)."""
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    out: list[str] = []
    for item in value or []:
        if not str(item).strip():
            continue
        origin = origin_of(str(item))
        if origin not in out:
            out.append(origin)
    if len(out) > MAX_ORIGINS:
        raise DomainError(
            _("At most %(n)s websites.") % {"n": MAX_ORIGINS}, field="allowed_origins"
        )
    return out


def _snapshot(feed: SyndicationFeed) -> dict:
    return {
        "enabled": feed.enabled,
        "allowed_origins": list(feed.allowed_origins),
        "product": feed.product_id,
        "language": feed.language,
        "max_items": feed.max_items,
    }


def _own(by: Member, partner: Partner) -> None:
    require(by, "marketing.syndicate")
    if by.partner_id != partner.pk:
        raise PermissionDenied()


@transaction.atomic
def syndication_feed_save(
    *,
    partner: Partner,
    by: Member,
    enabled: bool,
    allowed_origins,
    product: Product | None = None,
    language: str = "",
    max_items: int = 6,
) -> SyndicationFeed:
    """The partner's embed settings (made, with a fresh token, on first save)."""
    _own(by, partner)
    feed = SyndicationFeed.objects.select_for_update().filter(partner=partner).first()
    if feed is None:
        feed = SyndicationFeed(tenant_id=partner.tenant_id, partner=partner, token=_token())
    before = _snapshot(feed) if feed.pk else {}
    origins = origins_of(allowed_origins)
    if enabled and not origins:
        raise DomainError(
            _("Name at least one website that may show the content."), field="allowed_origins"
        )
    if product is not None and product.tenant_id != partner.tenant_id:
        raise DomainError(_("Choose one of the products."), field="product")
    language = language or ""
    if language and language not in AssetLanguage.values:
        raise DomainError(_("Choose one of the languages."), field="language")
    try:
        max_items = int(max_items)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field="max_items") from None
    if not 1 <= max_items <= MAX_ITEMS:
        raise DomainError(_("Between 1 and %(n)s items.") % {"n": MAX_ITEMS}, field="max_items")
    feed.enabled = bool(enabled)
    feed.allowed_origins = origins
    feed.product = product
    feed.language = language
    feed.max_items = max_items
    feed.updated_by = by
    feed.updated_at = timezone.now()
    feed.save()
    log_action("marketing.syndication.updated", obj=partner, before=before, after=_snapshot(feed))
    return feed


@transaction.atomic
def syndication_token_rotate(*, partner: Partner, by: Member) -> SyndicationFeed:
    """A new token: the old snippet stops working everywhere it was pasted."""
    _own(by, partner)
    feed = SyndicationFeed.objects.select_for_update().filter(partner=partner).first()
    if feed is None:
        raise DomainError(_("Save the settings first."))
    feed.token = _token()
    feed.updated_by = by
    feed.updated_at = timezone.now()
    feed.save(update_fields=["token", "updated_by", "updated_at"])
    log_action("marketing.syndication.token_rotated", obj=partner)
    return feed


def syndication_count(
    *,
    feed: SyndicationFeed,
    asset_ids: list[int],
    views: int = 0,
    opens: int = 0,
    day: datetime.date | None = None,
) -> None:
    """Add `views` and `opens` to the day's row (today's) of each asset, in one statement."""
    if not asset_ids:
        return
    day = day or timezone.localdate()
    table = SyndicationViewDay._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(asset_ids))
    params: list = []
    for asset_id in asset_ids:
        params += [feed.tenant_id, feed.partner_id, asset_id, day, views, opens]
    with connection.cursor() as cur:
        cur.execute(
            telemetry(
                f"INSERT INTO {table} (tenant_id, partner_id, asset_id, day, views, opens) "  # noqa: S608  (our own table name)
                f"VALUES {rows} ON CONFLICT (tenant_id, partner_id, asset_id, day) DO UPDATE "
                f"SET views = {table}.views + EXCLUDED.views, "
                f"opens = {table}.opens + EXCLUDED.opens"
            ),
            params,
        )


# --- Reads --------------------------------------------------------------------------------


def feed_of(partner: Partner) -> SyndicationFeed | None:
    return SyndicationFeed.objects.filter(partner=partner).select_related("product").first()


def live_feed(token: str) -> SyndicationFeed | None:
    """The switched-on feed of an active partner with this token (this tenant's), or None."""
    if not token or len(token) > 40:
        return None
    return (
        SyndicationFeed.objects.filter(
            token=token, enabled=True, partner__status=PartnerStatus.ACTIVE
        )
        .select_related("partner", "partner__tier", "product")
        .first()
    )


def feed_assets(feed: SyndicationFeed) -> QuerySet[Asset]:
    """What the embed shows: the partner's visible library, only assets with content, by the
    feed's filters, newest first."""
    qs = selectors.assets_for_partner(feed.partner).filter(versions__isnull=False).distinct()
    if feed.product_id:
        qs = qs.filter(Q(product_id=feed.product_id) | Q(product_name__iexact=feed.product.name))
    if feed.language:
        qs = qs.filter(language=feed.language)
    return qs.order_by("-published_at", "-id")


def _since(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days - 1)


def views_by_asset(partner: Partner, *, days: int = REPORT_DAYS) -> list[dict]:
    """One partner's views and opens per asset over the last `days` days, most viewed first."""
    return list(
        SyndicationViewDay.objects.filter(partner=partner, day__gte=_since(days))
        .values("asset_id", "asset__title")
        .annotate(views=Sum("views"), opens=Sum("opens"))
        .order_by("-views", "asset__title")
    )


def views_by_partner(*, days: int = REPORT_DAYS) -> list[dict]:
    """Staff: every partner's views and opens over the last `days` days, most viewed first."""
    return list(
        SyndicationViewDay.objects.filter(day__gte=_since(days))
        .values("partner_id", "partner__name")
        .annotate(views=Sum("views"), opens=Sum("opens"))
        .order_by("-views", "partner__name")
    )


def partners_with_views(*, days: int = REPORT_DAYS) -> QuerySet[Partner]:
    """Staff (API): the partners whose embed was viewed in the last `days` days, annotated
    with their views and opens, for a paginated list."""
    rows = SyndicationViewDay.objects.filter(day__gte=_since(days))

    def total(column: str):
        per_partner = rows.filter(partner=OuterRef("pk")).values("partner")
        return Subquery(per_partner.annotate(n=Sum(column)).values("n"))

    return Partner.objects.filter(pk__in=rows.values("partner_id")).annotate(
        views=total("views"), opens=total("opens")
    )
