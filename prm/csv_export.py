"""The one CSV writer of the product, and the CSV responses of every list page (`?format=csv`
or an export URL).

Every CSV the product writes goes through `SafeWriter` (list exports, the whole-tenant export,
import error reports): a cell that a spreadsheet would read as a formula (starting with `=`,
`+`, `-`, `@`, a tab or a carriage return) is defused with a leading `'`. No other module
calls `csv.writer` (tests/prm/test_security_data.py checks the source).

List exports stream (`csv_stream`): the view selects the ids of the matching rows, in the
page's order and with the page's filters, up to `PRM_CSV_EXPORT_MAX_ROWS` (100,000 by
default). The rows themselves are read while the response is sent, a chunk at a time, each
chunk in its own `tenant_context()` — the request's tenant transaction has ended by then, and
every chunk's query runs again with the tenant's row-level security and the view's own
queryset (its filters and visibility rules), so it can only return rows the view could. Memory
holds one chunk of objects, never the export. An export cut at the cap says so: the response
carries `X-Export-Truncated: <cap>` and its last line is a note naming the cap.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.tenancy import tenant_context

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number (-0.5, +3, 1e-3) is data, not a formula: it stays a number in spreadsheets.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
CHUNK_ROWS = 2000
TRUNCATED_HEADER = "X-Export-Truncated"


def max_rows() -> int:
    return int(getattr(settings, "PRM_CSV_EXPORT_MAX_ROWS", 100_000))


def safe(value) -> str:
    """A cell: None as empty, dates in ISO 8601, formulas defused, numbers left as they are."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    value = str(value)
    if value[:1] in FORMULA_START and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` with every cell through `safe()`: the product's one CSV writer."""

    def __init__(self, fh):
        self._writer = csv.writer(fh)

    def writerow(self, row: Iterable):
        return self._writer.writerow([safe(v) for v in row])


class _Echo:
    def write(self, value):
        return value


def _response(name: str, lines: Iterator[str], truncated_at: int | None) -> StreamingHttpResponse:
    resp = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    resp["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    if truncated_at is not None:
        resp[TRUNCATED_HEADER] = str(truncated_at)
    return resp


def _truncation_note(cap: int) -> list[str]:
    return [
        _("# Export truncated: only the first %(n)s rows. Narrow the filters to export the rest.")
        % {"n": cap}
    ]


def csv_response(
    name: str, header: Iterable[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """`name`-YYYYMMDD-HHMM.csv with `header` then `rows`, for rows already computed (reports,
    error lists): they are rendered now, inside the view, at most `max_rows()` of them. List
    pages over a queryset use `csv_stream()`."""
    writer = SafeWriter(_Echo())
    cap = max_rows()
    lines = [writer.writerow(list(header))]
    truncated = None
    for n, row in enumerate(rows):
        if n >= cap:
            truncated = cap
            lines.append(writer.writerow(_truncation_note(cap)))
            break
        lines.append(writer.writerow(row))
    return _response(name, iter(lines), truncated)


def csv_stream(
    request,
    name: str,
    header: Iterable[str],
    queryset,
    row: Callable[[object], Iterable],
) -> StreamingHttpResponse:
    """A list export that streams: `row(obj)` for each object of `queryset`, in its order.

    The ids (at most `max_rows()`) are read now, in the request's tenant transaction; the
    objects are read while the response is sent, CHUNK_ROWS at a time, each chunk in a new
    `tenant_context()` of the request's tenant, through `queryset` itself. `resp.rows` is
    the number of rows the export holds (for the caller's audit event)."""
    cap = max_rows()
    ids = list(queryset.values_list("pk", flat=True)[: cap + 1])
    truncated = cap if len(ids) > cap else None
    ids = ids[:cap]
    tenant = request.tenant
    user_id = getattr(request.user, "pk", None)
    header = list(header)

    def lines() -> Iterator[str]:
        writer = SafeWriter(_Echo())
        yield writer.writerow(header)
        for start in range(0, len(ids), CHUNK_ROWS):
            chunk = ids[start : start + CHUNK_ROWS]
            with tenant_context(tenant, user_id=user_id):
                found = {obj.pk: obj for obj in queryset.filter(pk__in=chunk)}
                out = [writer.writerow(row(found[pk])) for pk in chunk if pk in found]
            yield "".join(out)
        if truncated is not None:
            yield writer.writerow(_truncation_note(cap))

    resp = _response(name, lines(), truncated)
    resp.rows = len(ids)
    return resp


def wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"
