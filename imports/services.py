"""CSV import jobs: upload, a dry-run preview, then a Celery job. The importers themselves
are registered with prm.imports by each app.

Flow: `import_job_create()` parses and checks every row and stores the preview (nothing else
is written); `import_job_start()` queues the first batch; `import_job_run_batch()` (one Celery
task per batch of BATCH_SIZE rows) writes a batch in its own transaction, moves the
`rows_done` cursor, and queues the next batch. A redelivered batch finds the cursor already
moved and does nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from imports.models import ImportJob, ImportStatus
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.imports import Importer, importer_for, importers_for
from prm.models import Member
from prm.roles import has_perm
from prm.tasks import dispatch

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
BATCH_SIZE = 100
PREVIEW_LIMIT = 200  # rows shown on the preview page (every row with an error is shown)

# --- Parsing --------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; Excel's UTF-16 exports too."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("Save the file as UTF-8 CSV."), field="file")


def parse(importer: Importer, text: str) -> list[tuple[int, dict]]:
    """(line number, row) pairs with lower-cased, trimmed headers and values. Refuses files
    whose header lacks a required column or names an unknown one, empty files and files with
    more than MAX_ROWS rows."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise DomainError(_("The file is empty."), field="file")
        names = [h.strip().lower().replace(" ", "_") for h in header]
        missing = [c for c in importer.required if c not in names]
        unknown = [n for n in names if n and n not in importer.columns]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(
                    ngettext("missing column: %(c)s", "missing columns: %(c)s", len(missing))
                    % {"c": ", ".join(missing)}
                )
            if unknown:
                parts.append(
                    ngettext("unknown column: %(c)s", "unknown columns: %(c)s", len(unknown))
                    % {"c": ", ".join(unknown)}
                )
            raise DomainError(
                _("Wrong header (%(p)s). The first line must name the columns: %(all)s.")
                % {"p": "; ".join(parts), "all": ", ".join(importer.columns)},
                field="file",
            )
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(
                    _("At most %(n)s rows per import.") % {"n": MAX_ROWS}, field="file"
                )
            row = dict.fromkeys(importer.columns, "")
            for name, value in zip(names, values, strict=False):
                if name:
                    row[name] = value.strip()
            if len(values) > len(names):
                row["__extra__"] = "1"
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise DomainError(_("The file is not valid CSV: %(e)s") % {"e": exc}, field="file")
    if not rows:
        raise DomainError(_("The file has no rows."), field="file")
    return rows


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, DomainError):
        return [f"{exc.field}: {exc.message}" if exc.field else exc.message]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [f"{k}: {m}" for k, errs in exc.message_dict.items() for m in errs]
        return list(exc.messages)
    raise exc


def check_rows(importer: Importer, rows: Iterable[tuple[int, dict]], ctx: dict) -> list[dict]:
    """Check each row (no writes). Keys repeated within the file are errors after the first."""
    out, seen = [], set()
    for line, row in rows:
        item = {"line": line, "action": "error", "label": "", "errors": []}
        try:
            if row.pop("__extra__", None):
                raise DomainError(_("The row has more values than the header has columns."))
            plan = importer.check(row, ctx)
            key = plan.values.get("_key")
            if key is not None:
                if key in seen:
                    raise DomainError(_("The same row appears earlier in the file."))
                seen.add(key)
            item.update(action=plan.action, label=plan.label)
        except (DomainError, ValidationError) as exc:
            item["errors"] = _messages(exc)
        out.append(item)
    return out


# --- Selectors ------------------------------------------------------------------------------


def jobs_for(member: Member):
    """The jobs of the kinds the member may import; a partner's people see only the jobs
    their own company's people made (partner importers write one partner's rows)."""
    kinds = [i.kind for i in importers_for(member)]
    jobs = ImportJob.objects.filter(kind__in=kinds).select_related("created_by__user")
    if not member.is_staff_role:
        jobs = jobs.filter(created_by__partner_id=member.partner_id)
    return jobs


# --- Services -------------------------------------------------------------------------------


def _require(importer: Importer | None, by: Member) -> Importer:
    if importer is None:
        raise DomainError(_("Unknown import."), field="kind")
    if not has_perm(by.role, importer.capability):
        raise PermissionDenied()
    return importer


@transaction.atomic
def import_job_create(*, by: Member, kind: str, filename: str, data: bytes) -> ImportJob:
    """Parse and check the upload and store the preview. Nothing but the job is written."""
    importer = _require(importer_for(kind), by)
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(n)s MB.") % {"n": MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    text = decode(data)
    rows = parse(importer, text)
    preview = check_rows(importer, rows, importer.context(by))
    return ImportJob.objects.create(
        tenant_id=by.tenant_id,
        kind=kind,
        created_by=by,
        filename=(filename or "")[:200],
        content=text,
        total_rows=len(rows),
        preview=preview,
    )


@transaction.atomic
def import_job_start(*, job: ImportJob, by: Member) -> ImportJob:
    """Queue the import of a previewed job (once: a second start is refused)."""
    # local: imports.tasks imports this module at load time
    from imports import tasks as import_tasks

    importer = _require(importer_for(job.kind), by)
    moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.QUEUED, started_at=timezone.now()
    )
    if not moved:
        raise DomainError(_("This import has already been started."))
    job.refresh_from_db()
    if job.total_rows == job.preview_errors:
        raise DomainError(_("Every row has an error: there is nothing to import."))
    log_action(
        "import.started",
        obj=job,
        object_label=f"{importer.kind}: {job.filename}",
        after={"kind": job.kind, "rows": job.total_rows, "errors_in_preview": job.preview_errors},
    )
    dispatch(import_tasks.run_import_batch, tenant=job.tenant, job_id=job.pk, offset=0)
    return job


@transaction.atomic
def import_job_run_batch(*, job_id: int, offset: int) -> int | None:
    """Write rows [offset, offset + BATCH_SIZE) of the job and move its cursor; returns the
    next offset, or None when the job is finished or this batch already ran."""
    job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return None
    if job.rows_done != offset:
        return None  # a redelivered batch: it already ran
    importer = importer_for(job.kind)
    member = job.created_by
    rows = parse(importer, job.content)[offset : offset + BATCH_SIZE]
    ctx = importer.context(member)
    ctx["member"] = member
    counts = {"created": 0, "updated": 0, "skipped": 0}
    errors = []
    for line, row in rows:
        raw = dict(row)
        try:
            with transaction.atomic():
                if row.pop("__extra__", None):
                    raise DomainError(_("The row has more values than the header has columns."))
                plan = importer.check(row, ctx)
                unchanged = plan.action == "unchanged"
                outcome = "skipped" if unchanged else importer.write(plan, ctx)
            counts[outcome] += 1
        except (DomainError, ValidationError) as exc:
            raw.pop("__extra__", None)
            errors.append({"line": line, "errors": _messages(exc), "row": raw})
    job.rows_done = offset + len(rows)
    job.created += counts["created"]
    job.updated += counts["updated"]
    job.skipped += counts["skipped"]
    job.failed += len(errors)
    job.error_rows = [*job.error_rows, *errors]
    finished = job.rows_done >= job.total_rows or not rows
    job.status = ImportStatus.DONE if finished else ImportStatus.RUNNING
    if finished:
        job.finished_at = timezone.now()
    job.save()
    if finished:
        log_action(
            "import.finished",
            obj=job,
            object_label=f"{job.kind}: {job.filename}",
            after={
                "created": job.created,
                "updated": job.updated,
                "skipped": job.skipped,
                "errors": job.failed,
            },
        )
        return None
    return job.rows_done


def error_csv_rows(job: ImportJob) -> Iterable[list[str]]:
    """The rows that were not imported (or, before the import, that have errors), with the
    reason first, ready to fix and upload again."""
    importer = importer_for(job.kind)
    columns = list(importer.columns)
    yield ["line", "errors", *columns]
    if job.status == ImportStatus.DONE:
        for item in job.error_rows:
            yield [item["line"], "; ".join(item["errors"])] + [
                item["row"].get(c, "") for c in columns
            ]
        return
    bad = {r["line"]: r["errors"] for r in job.preview if r.get("errors")}
    for line, row in parse(importer, job.content):
        if line in bad:
            yield [line, "; ".join(bad[line])] + [row.get(c, "") for c in columns]


STATUS_LABELS = {
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "skipped": gettext_lazy("skipped"),
}
