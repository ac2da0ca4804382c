"""Files and rows the marketing tests share: real bytes of each accepted type (and of a few
that must be refused), and a published asset built through the services."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketing import services, syndication
from prm.tenancy import tenant_context

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name: str = "brochure.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_bytes(size=(40, 20), colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def png_file(name: str = "logo.png", **image) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**image), content_type="image/png")


def docx_file(name: str = "deck.docx") -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")


def svg_file(name: str = "logo.svg") -> SimpleUploadedFile:
    body = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    return SimpleUploadedFile(name, body, content_type="image/svg+xml")


def text_as_pdf(name: str = "fake.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"just text, not a PDF", content_type="application/pdf")


def published(world, *, by=None, upload=None, **fields):
    """An asset with one PDF version, published through the services."""
    by = by or world.channel_manager
    fields = {"title": "Partner brochure", "kind": "pdf", **fields}
    with tenant_context(world.tenant):
        asset = services.asset_create(by=by, **fields)
        if fields["kind"] == "video":
            services.asset_version_add(asset=asset, by=by, url="https://videos.example.com/v/1")
        else:
            services.asset_version_add(asset=asset, by=by, upload=upload or pdf_file())
        return services.asset_publish(asset=asset, by=by)


def syndicated(world, *, partner=None, by=None, origins=("https://www.partner.example",), **kw):
    """The partner's content syndication, switched on for `origins`, saved through the service."""
    by = by or world.partner_admin
    with tenant_context(world.tenant):
        return syndication.syndication_feed_save(
            partner=partner or by.partner,
            by=by,
            enabled=kw.pop("enabled", True),
            allowed_origins=list(origins),
            **kw,
        )
