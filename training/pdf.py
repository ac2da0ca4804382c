"""Certificate PDFs (weasyprint, through the project's fetch-nothing renderer): our own
template with its own print styles; nothing is fetched while rendering, so the tenant's logo
and the verification QR code go in as data: URLs."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg

from prm.notifications import branding
from prm.pdf import html_to_pdf, render_pdf
from prm.urls_util import tenant_url

__all__ = ["certificate_context", "certificate_pdf", "html_to_pdf"]

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _data_url(content: bytes, mimetype: str) -> str:
    return f"data:{mimetype};base64,{base64.b64encode(content).decode()}"


def logo_data_url(tenant) -> str:
    """The tenant's uploaded logo as a data: URL ("" without one, or when it is missing)."""
    if not tenant.logo:
        return ""
    mimetype = LOGO_TYPES.get("." + tenant.logo.name.rsplit(".", 1)[-1].lower())
    if mimetype is None:
        return ""
    try:
        with tenant.logo.open("rb") as f:
            return _data_url(f.read(), mimetype)
    except OSError:
        return ""


def qr_data_url(text: str) -> str:
    """A QR code of `text` as an SVG data: URL (the qrcode package django-allauth's MFA
    brings; its SVG writer needs no imaging library)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=1)
    out = io.BytesIO()
    image.save(out)
    return _data_url(out.getvalue(), "image/svg+xml")


def certificate_context(*, tenant, certificate) -> dict:
    verify_url = tenant_url(tenant, f"/verify/{certificate.code}")
    member = certificate.member
    return {
        "tenant": tenant,
        "brand_colour": branding(tenant)["brand_colour"],
        "logo": logo_data_url(tenant),
        "certificate": certificate,
        "certification": certificate.certification,
        "partner": member.partner if member.partner_id else None,
        "valid": certificate.is_valid(),
        "verify_url": verify_url,
        "qr": qr_data_url(verify_url),
    }


def certificate_pdf(*, tenant, certificate) -> bytes:
    """The printable certificate (one landscape A4 page), with the public link that verifies
    it as text and as a QR code."""
    return render_pdf(
        "training/pdf/certificate.html",
        certificate_context(tenant=tenant, certificate=certificate),
    )
