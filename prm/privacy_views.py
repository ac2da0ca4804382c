"""Portal pages for personal data: a member's own export, and erasure by a tenant admin."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from prm import privacy
from prm.decorators import member_required
from prm.errors import DomainError
from prm.models import Member


@member_required("privacy.export_own")
@require_http_methods(["GET", "POST"])
def privacy_home(request):
    if request.method == "POST":
        privacy.export_request(member=request.member)
        messages.success(
            request,
            _("We are preparing your data. A download link will arrive by e-mail shortly."),
        )
        return redirect("privacy")
    return render(
        request,
        "privacy/index.html",
        {"hours": privacy.EXPORT_HOURS, "export": privacy.export_status(member=request.member)},
    )


@member_required("privacy.export_own")
def privacy_export_download(request, token: str):
    payload = privacy.export_fetch(token=token, member=request.member)
    if payload is None:
        raise Http404("No such export, or it has expired")
    resp = HttpResponse(payload, content_type="application/json")
    resp["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    resp["Cache-Control"] = "no-store"
    return resp


@member_required("privacy.erase")
@require_http_methods(["GET", "POST"])
def privacy_erase(request, pk: int):
    target = get_object_or_404(Member.objects.select_related("user", "partner"), pk=pk)
    error = None
    if request.method == "POST":
        try:
            privacy.person_erase_confirmed(
                by=request.member, member=target, confirm=request.POST.get("confirm", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The person's personal data has been erased."))
            return redirect("members")
    status = 400 if error else 200
    return render(request, "privacy/erase.html", {"target": target, "error": error}, status=status)
