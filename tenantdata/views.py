"""Portal pages of tenant data.

Whole-tenant data (tenant admins, capability `tenant_data.manage`): export as a ZIP, deletion
after a cooling-off period. Personal data: a member's own export, and erasure of a person by
a tenant admin. One URL per action; what a page offers comes from tenantdata.states."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prm.decorators import member_required
from prm.errors import DomainError
from prm.models import Member
from prm.portal import require_action
from tenantdata import privacy, services
from tenantdata.states import DELETION_MACHINE, PERSONAL_EXPORT_MACHINE

# --- Whole-tenant data ----------------------------------------------------------------------


def _page(request, *, confirm_error: str | None = None, status: int = 200):
    deletion = services.pending_deletion(request.tenant)
    return render(
        request,
        "tenant_data/index.html",
        {
            "exports": services.exports_for_page(member=request.member),
            "deletion": deletion,
            "deletion_allowed": (
                DELETION_MACHINE.allowed(deletion, request.member) if deletion else frozenset()
            ),
            "days": services.cooling_off_days(),
            "hours": services.export_hours(),
            "confirm_error": confirm_error,
        },
        status=status,
    )


@member_required("tenant_data.manage")
@require_GET
def tenant_data_home(request):
    return _page(request)


@member_required("tenant_data.manage")
@require_POST
def export_create(request):
    services.export_request(by=request.member)
    messages.success(
        request, _("The export has started. We will e-mail you a link when it is ready.")
    )
    return redirect("tenant-data")


@member_required("tenant_data.manage")
@require_GET
def export_download(request, pk: int):
    export = services.export_for_download(by=request.member, pk=pk)
    if export is None:
        raise Http404("No such export, or it has expired")
    resp = FileResponse(
        default_storage.open(export.file.name, "rb"),
        as_attachment=True,
        filename=f"{request.tenant.slug}-export-{export.pk}.zip",
        content_type="application/zip",
    )
    resp["Cache-Control"] = "no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@member_required("tenant_data.manage")
@require_POST
def deletion_create(request):
    try:
        services.deletion_request(by=request.member, confirm=request.POST.get("confirm", ""))
    except DomainError as exc:
        return _page(request, confirm_error=exc.message, status=400)
    messages.warning(request, _("The program is scheduled for deletion. You can still cancel."))
    return redirect("tenant-data")


@member_required("tenant_data.manage")
@require_POST
def deletion_cancel(request):
    deletion = services.pending_deletion(request.tenant)
    if deletion is not None:
        require_action(DELETION_MACHINE, deletion, request.member, "cancel")
    try:
        services.deletion_cancel(by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deletion cancelled. Nothing was deleted."))
    return redirect("tenant-data")


# --- Personal data --------------------------------------------------------------------------


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
    export = privacy.export_status(member=request.member)
    return render(
        request,
        "privacy/index.html",
        {
            "hours": privacy.EXPORT_HOURS,
            "export": export,
            "export_allowed": (
                PERSONAL_EXPORT_MACHINE.allowed(export, request.member) if export else frozenset()
            ),
        },
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
