"""Certificate PDFs (weasyprint, through the project's fetch-nothing renderer): our own
template with its own print styles; nothing is fetched while rendering."""

from __future__ import annotations

from prm.pdf import html_to_pdf, render_pdf

__all__ = ["certificate_pdf", "html_to_pdf"]
from prm.urls_util import tenant_url


def certificate_pdf(*, tenant, certificate) -> bytes:
    """The printable certificate, with the public link that verifies it."""
    return render_pdf(
        "training/pdf/certificate.html",
        {
            "tenant": tenant,
            "certificate": certificate,
            "certification": certificate.certification,
            "valid": certificate.is_valid(),
            "verify_url": tenant_url(tenant, f"/verify/{certificate.code}"),
        },
    )
