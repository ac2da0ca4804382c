"""Staff pages: review queues with the automatic checks, approval history, ROI."""

from __future__ import annotations

from django.shortcuts import render

from mdf import selectors
from mdf.forms import ProgramFilterForm
from mdf.models import Program
from prm.decorators import member_required
from prm.portal import page as paginate


@member_required("mdf.review")
def review_requests(request):
    page = paginate(request, selectors.request_queue())
    pairs = {(r.program_id, r.partner_id) for r in page.object_list}
    bal = {
        (b["program_id"], b["partner_id"]): b
        for b in selectors.balances(
            programs={p for p, _x in pairs}, partners={x for _p, x in pairs}
        )
    }
    rows = [
        {"req": r, "available": bal.get((r.program_id, r.partner_id), {}).get("available", 0)}
        for r in page.object_list
    ]
    return render(request, "mdf/review_requests.html", {"page": page, "rows": rows})


@member_required("mdf.review")
def review_claims(request):
    page = paginate(request, selectors.claim_queue())
    claims = list(page.object_list)
    checks = selectors.checks_by_claim(claims)
    rows = [
        {
            "claim": c,
            "checks": checks[c.pk],
            "ok": all(ch.ok for ch in checks[c.pk]),
            "failed": selectors.failed_checks(checks[c.pk]),
        }
        for c in claims
    ]
    return render(request, "mdf/review_claims.html", {"page": page, "rows": rows})


@member_required("mdf.review")
def history(request):
    page = paginate(request, selectors.decision_history())
    return render(request, "mdf/history.html", {"page": page})


@member_required("mdf.review")
def roi(request):
    form = ProgramFilterForm(request.GET or None)
    program = form.cleaned_data.get("program") if form.is_valid() else None
    program = program or Program.objects.order_by("-start_date").first()
    rows = selectors.roi(tenant=request.tenant, program=program) if program else []
    levels = {"program": [], "partner": [], "activity_type": [], "request": []}
    for r in rows:
        levels[r.level].append(r)
    return render(
        request,
        "mdf/roi.html",
        {"form": form, "program": program, "levels": levels, "has_rows": bool(rows)},
    )
