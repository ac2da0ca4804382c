"""Remittance advice and campaign performance report PDFs (weasyprint). The HTML is ours and
autoescaped; nothing is fetched from the network or the file system while rendering."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from mdf.selectors import campaign_evidence_rows
from prm.models import Tenant


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"external resources are not loaded in PDFs: {url}")


def render_remittance(claim) -> bytes:
    # local: importing weasyprint costs ~0.5 s and ~40 MB per process; only a render loads it
    from weasyprint import HTML

    tenant = Tenant.objects.get(pk=claim.tenant_id)
    html = render_to_string(
        "mdf/remittance.html",
        {
            "tenant": tenant,
            "claim": claim,
            "request": claim.request,
            "program": claim.program,
            "partner": claim.partner,
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def render_campaign_report(*, claim, evidence: dict) -> bytes:
    """The campaign performance report attached to a claim as proof: the snapshot of the
    funded campaign's figures taken when the claim was submitted."""
    # local: importing weasyprint costs ~0.5 s and ~40 MB per process; only a render loads it
    from weasyprint import HTML

    tenant = Tenant.objects.get(pk=claim.tenant_id)
    html = render_to_string(
        "mdf/campaign_report.html",
        {
            "tenant": tenant,
            "claim": claim,
            "request": claim.request,
            "partner": claim.partner,
            "rows": campaign_evidence_rows(evidence),
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
