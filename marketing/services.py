"""Writes of the marketing app. Each service checks the move with marketing.states, writes,
audits (log_action) and, when an asset is published, emits `asset.published` and tells the
partner people who may now see it (notification group "marketing", a daily summary unless
they chose otherwise)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing import cobrand, selectors
from marketing.files import sniff_asset, sniff_logo
from marketing.models import (
    Asset,
    AssetDownload,
    AssetKind,
    AssetLanguage,
    AssetVersion,
    BrandKit,
    CobrandDownload,
    CobrandTemplate,
    LibraryVisit,
    TemplateKind,
)
from marketing.states import ASSET, TEMPLATE
from mdf.files import sha256_of
from partners.models import Partner, PartnerType, Product, Tier
from prm import events, notifications
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.models import Member
from prm.roles import PARTNER_ROLES, require
from prm.uploads import clean_filename

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_TAGS = 20


def _require_staff(by: Member) -> None:
    require(by, "marketing.manage")


def _tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    out: list[str] = []
    for tag in tags or []:
        tag = " ".join(str(tag).split())
        if not tag:
            continue
        if len(tag) > 40:
            raise DomainError(_("A tag has at most 40 characters."), field="tags")
        if tag.lower() not in (t.lower() for t in out):
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise DomainError(_("At most %(n)s tags.") % {"n": MAX_TAGS}, field="tags")
    return out


def _fields(
    tenant_id: int,
    *,
    title: str,
    description: str = "",
    kind: str,
    product: Product | None = None,
    product_name: str = "",
    language: str = AssetLanguage.EN,
    partner_types=(),
    tiers=(),
    tags=(),
    expires_on=None,
) -> tuple[dict, list[Tier]]:
    title = limited((title or "").strip(), 200, "title")
    if not title:
        raise DomainError(_("Give the asset a title."), field="title")
    if kind not in AssetKind.values:
        raise DomainError(_("Choose a type."), field="kind")
    if language not in AssetLanguage.values:
        raise DomainError(_("Choose a language."), field="language")
    types = sorted(set(partner_types or ()))
    if any(t not in PartnerType.values for t in types):
        raise DomainError(_("Choose partner types from the list."), field="partner_types")
    tiers = list(tiers or ())
    if any(t.tenant_id != tenant_id for t in tiers):
        raise DomainError(_("Choose tiers from the list."), field="tiers")
    if product is not None and product.tenant_id != tenant_id:
        raise DomainError(_("Choose a product from the list."), field="product")
    tags = _tags(tags)
    data = {
        "title": title,
        "description": cobrand.sanitise(limited(description or "", 20000, "description")),
        "kind": kind,
        "product": product,
        "product_name": limited((product_name or "").strip(), 120, "product_name"),
        "language": language,
        "partner_types": types,
        "tags": tags,
        "tags_text": " ".join(tags),
        "expires_on": expires_on,
    }
    return data, tiers


def _snapshot(asset: Asset) -> dict:
    return {
        "title": asset.title,
        "kind": asset.kind,
        "status": asset.status,
        "language": asset.language,
        "partner_types": list(asset.partner_types),
        "tiers": sorted(asset.tiers.values_list("pk", flat=True)) if asset.pk else [],
        "expires_on": asset.expires_on,
    }


@transaction.atomic
def asset_create(*, by: Member, **fields) -> Asset:
    _require_staff(by)
    data, tiers = _fields(by.tenant_id, **fields)
    asset = Asset.objects.create(tenant_id=by.tenant_id, created_by=by, **data)
    asset.tiers.set(tiers, through_defaults={"tenant_id": asset.tenant_id})
    log_action("marketing.asset.created", obj=asset, after=_snapshot(asset))
    return asset


def _locked(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset.pk)


@transaction.atomic
def asset_update(*, asset: Asset, by: Member, **fields) -> Asset:
    asset = _locked(asset)
    ASSET.check(asset, by, "edit")
    before = _snapshot(asset)
    data, tiers = _fields(by.tenant_id, **fields)
    if data["kind"] != asset.kind and asset.versions.exists():
        raise DomainError(
            _("The type cannot change once the asset has a version: make a new asset."),
            field="kind",
        )
    for key, value in data.items():
        setattr(asset, key, value)
    asset.updated_at = timezone.now()
    asset.save()
    asset.tiers.set(tiers, through_defaults={"tenant_id": asset.tenant_id})
    log_action("marketing.asset.updated", obj=asset, before=before, after=_snapshot(asset))
    return asset


@transaction.atomic
def asset_version_add(
    *, asset: Asset, by: Member, upload=None, url: str = "", notes: str = ""
) -> AssetVersion:
    """A new version: a file checked from its bytes (PDF, image, document), or an https link
    (a video). The newest version is what partners get from now on."""
    asset = _locked(asset)
    ASSET.check(asset, by, "add_version")
    notes = limited((notes or "").strip(), 500, "notes")
    number = (asset.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = AssetVersion(
        tenant_id=asset.tenant_id, asset=asset, number=number, notes=notes, uploaded_by=by
    )
    if asset.kind == AssetKind.VIDEO:
        url = (url or "").strip()
        try:
            URLValidator(schemes=["https"])(url)
        except ValidationError:
            raise DomainError(_("Enter the video's https:// link."), field="url") from None
        version.url = limited(url, 500, "url")
        version.save()
    else:
        if upload is None:
            raise DomainError(_("Choose a file."), field="file")
        try:
            content_type, ext = sniff_asset(upload, asset.kind)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="file") from None
        version.original_name = clean_filename(getattr(upload, "name", ""), f"asset.{ext}")
        version.content_type = content_type
        version.ext = ext
        version.size = upload.size
        version.sha256 = sha256_of(upload)
        upload.seek(0)
        version.file.save(f"asset.{ext}", upload, save=False)
        version.save()
    asset.updated_at = timezone.now()
    asset.save(update_fields=["updated_at"])
    log_action(
        "marketing.asset.version_added",
        obj=asset,
        after={"version": number, "name": version.original_name or version.url, "notes": notes},
    )
    return version


def audience(asset: Asset) -> list[Member]:
    """The active partner people who may see `asset` (its partner types and tiers)."""
    partners = Partner.objects.exclude(status__in=["offboarded", "applicant"])
    if asset.partner_types:
        partners = partners.filter(partner_type__in=asset.partner_types)
    tier_ids = list(asset.tiers.values_list("pk", flat=True))
    if tier_ids:
        partners = partners.filter(tier_id__in=tier_ids)
    return list(
        Member.objects.filter(
            partner__in=partners, role__in=PARTNER_ROLES, is_active=True
        ).select_related("user", "partner")
    )


def status_move(obj, *, machine, by: Member, name: str, code: str):
    """Move an asset, a co-brandable template or a campaign kit by `machine`'s action `name`
    (publish, archive, retire): lock the row, check the move, stamp the time (publishing also
    stamps `published_at`), save the changed fields and audit as `code`. The caller holds the
    transaction and adds the move's own follow-up."""
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    act = machine.check(obj, by, name)
    before = obj.status
    obj.status = act.target
    obj.updated_at = timezone.now()
    fields = ["status", "updated_at"]
    if name == "publish":
        obj.published_at = obj.updated_at
        fields.append("published_at")
    obj.save(update_fields=fields)
    log_action(code, obj=obj, before={"status": before}, after={"status": obj.status})
    return obj


@transaction.atomic
def asset_publish(*, asset: Asset, by: Member) -> Asset:
    asset = status_move(
        asset, machine=ASSET, by=by, name="publish", code="marketing.asset.published"
    )
    events.emit("asset.published", asset)
    if asset.expires_on is None or asset.expires_on >= timezone.localdate():
        notifications.notify(
            audience(asset),
            group="marketing",
            subject=events.EVENTS["asset.published"][2],
            template="marketing/emails/asset_published.txt",
            context={"asset": asset},
            path=asset.get_absolute_url(),
            kind="asset.published",
            event=notifications.event_for("asset.published", asset),
            obj=asset,
        )
    return asset


@transaction.atomic
def asset_archive(*, asset: Asset, by: Member) -> Asset:
    return status_move(asset, machine=ASSET, by=by, name="archive", code="marketing.asset.archived")


def asset_download_record(*, asset: Asset, version: AssetVersion, member: Member) -> AssetDownload:
    """Count one download (per asset and, for partner people, per partner)."""
    return AssetDownload.objects.create(
        tenant_id=asset.tenant_id,
        asset=asset,
        version=version,
        partner_id=member.partner_id,
        member=member,
    )


def library_visit(*, member: Member) -> None:
    """Move the member's "new since your last visit" marker: a visit after half an hour's
    absence makes the previous visit the line between new and seen."""
    now = timezone.now()
    visit = LibraryVisit.objects.select_for_update().filter(member=member).first()
    if visit is None:
        LibraryVisit.objects.create(tenant_id=member.tenant_id, member=member, last_at=now)
        return
    if now - visit.last_at >= selectors.NEW_WINDOW:
        visit.previous_at = visit.last_at
    visit.last_at = now
    visit.save(update_fields=["previous_at", "last_at"])


# --- Brand kit ----------------------------------------------------------------------------


def _colour(value: str, field: str) -> str:
    value = (value or "").strip()
    if not COLOUR.match(value):
        raise DomainError(_("Enter a colour as #rrggbb, e.g. #1f4e79."), field=field)
    return value.lower()


@transaction.atomic
def brand_kit_save(
    *,
    partner: Partner,
    by: Member,
    primary_color: str,
    secondary_color: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    website: str = "",
    logo=None,
    remove_logo: bool = False,
) -> BrandKit:
    """The partner's brand kit (made on first save). Only the partner's own admins change it."""
    require(by, "marketing.brand")
    if by.partner_id != partner.pk:
        raise PermissionDenied()
    kit = BrandKit.objects.select_for_update().filter(partner=partner).first()
    if kit is None:
        kit = BrandKit(tenant_id=partner.tenant_id, partner=partner)
    before = _kit_snapshot(kit)
    kit.primary_color = _colour(primary_color, "primary_color")
    kit.secondary_color = _colour(secondary_color, "secondary_color")
    kit.contact_name = limited((contact_name or "").strip(), 150, "contact_name")
    kit.contact_email = limited((contact_email or "").strip(), 254, "contact_email")
    kit.contact_phone = limited((contact_phone or "").strip(), 40, "contact_phone")
    kit.website = limited((website or "").strip(), 300, "website")
    if kit.website:
        try:
            URLValidator(schemes=["http", "https"])(kit.website)
        except ValidationError:
            raise DomainError(
                _("Enter the website's http(s):// address."), field="website"
            ) from None
    if logo is not None:
        try:
            content_type, ext = sniff_logo(logo)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="logo") from None
        kit.logo_content_type, kit.logo_ext = content_type, ext
        logo.seek(0)
        kit.logo.save(f"logo.{ext}", logo, save=False)
    elif remove_logo:
        kit.logo = ""
        kit.logo_content_type = kit.logo_ext = ""
    kit.updated_by = by
    kit.updated_at = timezone.now()
    kit.save()
    log_action(
        "marketing.brand_kit.updated",
        obj=partner,
        before=before,
        after={**_kit_snapshot(kit), "logo_changed": logo is not None or remove_logo},
    )
    return kit


def _kit_snapshot(kit: BrandKit) -> dict:
    return {
        "primary_color": kit.primary_color,
        "secondary_color": kit.secondary_color,
        "contact_name": kit.contact_name,
        "contact_email": kit.contact_email,
        "contact_phone": kit.contact_phone,
        "website": kit.website,
        "logo": bool(kit.logo),
    }


# --- Co-brandable templates ---------------------------------------------------------------


def _template_fields(*, title: str, kind: str, body: str) -> dict:
    title = limited((title or "").strip(), 200, "title")
    if not title:
        raise DomainError(_("Give the template a title."), field="title")
    if kind not in TemplateKind.values:
        raise DomainError(_("Choose a type."), field="kind")
    body = cobrand.sanitise(limited(body or "", 50000, "body"))
    if not body.strip():
        raise DomainError(_("Write the template's text."), field="body")
    cobrand.check_placeholders(body)
    return {"title": title, "kind": kind, "body": body}


@transaction.atomic
def template_create(*, by: Member, title: str, kind: str, body: str) -> CobrandTemplate:
    _require_staff(by)
    data = _template_fields(title=title, kind=kind, body=body)
    tpl = CobrandTemplate.objects.create(tenant_id=by.tenant_id, created_by=by, **data)
    log_action("marketing.template.created", obj=tpl, after={"title": tpl.title, "kind": tpl.kind})
    return tpl


def _locked_tpl(tpl: CobrandTemplate) -> CobrandTemplate:
    return CobrandTemplate.objects.select_for_update().get(pk=tpl.pk)


@transaction.atomic
def template_update(
    *, template: CobrandTemplate, by: Member, title: str, kind: str, body: str
) -> CobrandTemplate:
    tpl = _locked_tpl(template)
    TEMPLATE.check(tpl, by, "edit")
    before = {"title": tpl.title, "kind": tpl.kind, "body": tpl.body}
    for key, value in _template_fields(title=title, kind=kind, body=body).items():
        setattr(tpl, key, value)
    tpl.updated_at = timezone.now()
    tpl.save()
    log_action(
        "marketing.template.updated",
        obj=tpl,
        before=before,
        after={"title": tpl.title, "kind": tpl.kind, "body": tpl.body},
    )
    return tpl


@transaction.atomic
def template_publish(*, template: CobrandTemplate, by: Member) -> CobrandTemplate:
    return status_move(
        template, machine=TEMPLATE, by=by, name="publish", code="marketing.template.published"
    )


@transaction.atomic
def template_archive(*, template: CobrandTemplate, by: Member) -> CobrandTemplate:
    return status_move(
        template, machine=TEMPLATE, by=by, name="archive", code="marketing.template.archived"
    )


def cobrand_download_record(*, template: CobrandTemplate, member: Member) -> CobrandDownload | None:
    """Count a partner's download of its co-branded copy (staff previews are not counted)."""
    if member.partner_id is None:
        return None
    return CobrandDownload.objects.create(
        tenant_id=template.tenant_id, template=template, partner_id=member.partner_id, member=member
    )
