"""Upload checks of the marketing app: an asset version's type comes from its bytes, never from
the file name or the browser's word for it, and must match the asset's type; a brand-kit logo
is a PNG or JPEG (an SVG is refused, see docs/security.md "Partner logos")."""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketing.models import AssetKind
from prm.uploads import MAX_IMAGE_BYTES, image_format

MAX_ASSET_BYTES = 25 * 1024 * 1024

# Office Open XML documents: the part that names each, and its content type and extension.
OFFICE = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (
        "ppt/",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
)


def accepted(kind: str) -> str:
    return {
        AssetKind.PDF: _("Upload a PDF file."),
        AssetKind.IMAGE: _("Upload a PNG or JPEG image."),
        AssetKind.DOCUMENT: _("Upload a Word, PowerPoint or Excel document (.docx, .pptx, .xlsx)."),
    }.get(kind, _("A video is a link, not a file."))


def _pdf(upload, size: int) -> tuple[str, str]:
    upload.seek(max(0, size - 2048))
    if b"%%EOF" not in upload.read():
        raise ValidationError(accepted(AssetKind.PDF), code="type")
    return "application/pdf", "pdf"


def _office(upload) -> tuple[str, str]:
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError(accepted(AssetKind.DOCUMENT), code="type") from None
    if "[Content_Types].xml" not in names:
        raise ValidationError(accepted(AssetKind.DOCUMENT), code="type")
    for prefix, content_type, ext in OFFICE:
        if any(n.startswith(prefix) for n in names):
            return content_type, ext
    raise ValidationError(accepted(AssetKind.DOCUMENT), code="type")


def sniff_asset(upload, kind: str) -> tuple[str, str]:
    """(content type, extension) of an asset file of `kind`, from its bytes. Refuses empty
    files, files over 25 MB, and any file whose bytes are not of the asset's type."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_ASSET_BYTES:
        raise ValidationError(_("The file is larger than 25 MB."), code="too_large")
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    try:
        if kind == AssetKind.PDF and head.startswith(b"%PDF-"):
            return _pdf(upload, size)
        if kind == AssetKind.IMAGE and head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            fmt = image_format(upload, accepted(kind))
            if fmt == "PNG":
                return "image/png", "png"
            if fmt == "JPEG":
                return "image/jpeg", "jpg"
        if kind == AssetKind.DOCUMENT and head.startswith(b"PK\x03\x04"):
            return _office(upload)
    finally:
        upload.seek(0)
    raise ValidationError(accepted(kind), code="type")


def sniff_logo(upload) -> tuple[str, str]:
    """(content type, extension) of a partner logo: a PNG or JPEG of at most 2 MB. An SVG is
    refused with its own message: it is a document that can carry script and links to other
    sites, and we serve and embed logos, so we accept only pixels."""
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."), code="too_large")
    upload.seek(0)
    head = upload.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    upload.seek(0)
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in head:
        raise ValidationError(
            _("SVG logos are not accepted: export your logo as a PNG (best) or JPEG."),
            code="svg",
        )
    fmt = image_format(upload, _("Upload a PNG or JPEG image."))
    if fmt == "PNG":
        return "image/png", "png"
    if fmt == "JPEG":
        return "image/jpeg", "jpg"
    raise ValidationError(_("Upload a PNG or JPEG image."), code="type")
