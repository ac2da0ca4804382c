"""Portal pages of CSV imports: upload, preview, progress and report (imports.services)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from imports import services as imports
from imports.states import IMPORT_JOB, previewed, working
from prm.csv_export import csv_response, csv_stream, wants_csv
from prm.decorators import member_required
from prm.errors import DomainError
from prm.sorting import Sorting


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 (Excel's “CSV UTF-8”), comma or semicolon separated."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _importer(request, kind: str) -> imports.Importer:
    importer = imports.importer_for(kind)
    if importer is None:
        raise Http404
    if importer not in imports.importers_for(request.member):
        raise PermissionDenied
    return importer


def _job(request, pk: int):
    if not imports.importers_for(request.member):
        raise PermissionDenied
    return get_object_or_404(imports.jobs_for(request.member), pk=pk)


# The import list's sortable columns (prm.sorting); newest first unless asked. "By" sorts by
# the name shown (the person's name, else their e-mail).
IMPORT_COLUMNS = {
    "started": "created_at",
    "kind": "kind",
    "file": Lower("filename"),
    "by": Lower(
        Coalesce(NullIf("created_by__user__full_name", Value("")), "created_by__user__email")
    ),
    "status": "status",
    "rows": "total_rows",
}
RECENT_JOBS = 50  # the page lists the latest imports; the CSV has every one


@member_required()
def import_list(request):
    available = imports.importers_for(request.member)
    if not available:
        raise PermissionDenied
    sorting = Sorting.from_request(request, IMPORT_COLUMNS, default="-started")
    if wants_csv(request):  # jobs_for(): only the imports this member may see
        return csv_stream(
            request,
            "imports",
            [
                "created_at", "kind", "filename", "by", "status", "total_rows", "created",
                "updated", "skipped", "failed", "finished_at",
            ],
            sorting.apply(imports.jobs_for(request.member)),
            lambda j: (
                j.created_at, j.kind, j.filename,
                j.created_by.user.email if j.created_by_id else "", j.status, j.total_rows,
                j.created, j.updated, j.skipped, j.failed, j.finished_at,
            ),
        )  # fmt: skip
    recent = imports.jobs_for(request.member).order_by("-created_at", "-id")
    jobs = sorting.apply_within(recent, RECENT_JOBS)
    return render(
        request,
        "imports/list.html",
        {"importers": available, "jobs": jobs, "sorting": sorting},
    )


@member_required()
def import_upload(request, kind: str):
    importer = _importer(request, kind)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            if f.size > imports.MAX_BYTES:
                form.add_error("file", _("The file is larger than 2 MB."))
            else:
                try:
                    job = imports.import_job_create(
                        by=request.member, kind=kind, filename=f.name, data=f.read()
                    )
                except DomainError as exc:
                    form.add_error("file", exc.message)
                else:
                    return redirect("import-job", pk=job.pk)
    return render(
        request,
        "imports/upload.html",
        {"importer": importer, "form": form, "max_rows": imports.MAX_ROWS},
    )


@member_required()
def import_job(request, pk: int):
    job = _job(request, pk)
    importer = imports.importer_for(job.kind)
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for row in job.preview:
        counts[row["action"]] = counts.get(row["action"], 0) + 1
    shown = [r for r in job.preview if r["errors"]]
    shown += [r for r in job.preview if not r["errors"]][: imports.PREVIEW_LIMIT]
    shown.sort(key=lambda r: r["line"])
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "importer": importer,
            "counts": counts,
            "rows": shown,
            "hidden": len(job.preview) - len(shown),
            "importable": counts["create"] + counts["update"],
            "allowed": IMPORT_JOB.allowed(job, request.member),
            "previewed": previewed(job),
            "working": working(job),
        },
    )


@require_POST
@member_required()
def import_start(request, pk: int):
    """Start a previewed import (imports/jobs/<pk>/start/), once."""
    job = _job(request, pk)
    try:
        imports.import_job_start(job=job, by=request.member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Import started."))
    return redirect("import-job", pk=job.pk)


@member_required()
def import_status(request, pk: int):
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "rows_done": job.rows_done,
            "total_rows": job.total_rows,
            "percent": job.percent,
            "created": job.created,
            "updated": job.updated,
            "skipped": job.skipped,
            "errors": job.failed,
        }
    )


@member_required()
def import_errors(request, pk: int):
    job = _job(request, pk)
    rows = imports.error_csv_rows(job)
    header = next(rows)
    return csv_response(f"{job.kind}-import-{job.pk}-errors", header, rows)
