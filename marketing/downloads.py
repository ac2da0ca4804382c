"""Co-branded copies as downloads, for the portal and the API alike."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

from marketing import cobrand, services
from prm import pdf


def cobrand_response(request, tpl) -> HttpResponse:
    """The member's co-branded copy as a download (partner downloads counted); staff get an
    example company's copy."""
    partner, kit, html = cobrand.copy_for(request, tpl)
    doc = render_to_string(
        "marketing/cobrand_document.html", {"tpl": tpl, "html": html, "kit": kit}
    )
    services.cobrand_download_record(template=tpl, member=request.member)
    name = slugify(f"{tpl.title}-{partner.name}") or "copy"
    if tpl.is_pdf:
        resp = HttpResponse(pdf.html_to_pdf(doc), content_type="application/pdf")
        resp["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        resp = HttpResponse(doc, content_type="text/html; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{name}.html"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
