"""Portal pages for whole-tenant data: export as a ZIP, deletion after a cooling-off period.
Tenant admins only (capability `tenant_data.manage`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prm import tenant_data
from prm.decorators import member_required
from prm.errors import DomainError


def _page(request, *, confirm_error: str | None = None, status: int = 200):
    return render(
        request,
        "tenant_data/index.html",
        {
            "exports": tenant_data.exports_recent(),
            "deletion": tenant_data.pending_deletion(request.tenant),
            "days": tenant_data.cooling_off_days(),
            "hours": tenant_data.export_hours(),
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
    tenant_data.export_request(by=request.member)
    messages.success(
        request, _("The export has started. We will e-mail you a link when it is ready.")
    )
    return redirect("tenant-data")


@member_required("tenant_data.manage")
@require_GET
def export_download(request, pk: int):
    export = tenant_data.export_for_download(by=request.member, pk=pk)
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
        tenant_data.deletion_request(by=request.member, confirm=request.POST.get("confirm", ""))
    except DomainError as exc:
        return _page(request, confirm_error=exc.message, status=400)
    messages.warning(request, _("The program is scheduled for deletion. You can still cancel."))
    return redirect("tenant-data")


@member_required("tenant_data.manage")
@require_POST
def deletion_cancel(request):
    try:
        tenant_data.deletion_cancel(by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deletion cancelled. Nothing was deleted."))
    return redirect("tenant-data")
