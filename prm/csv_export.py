"""One CSV response for every list page (`?format=csv` or an export URL).

Cells that a spreadsheet would read as a formula are defused. The rows are rendered while
the view runs, because the tenant transaction (and with it row-level security) ends when the
view returns: a lazily streamed queryset would run outside it. Rows are produced from an
iterator (`QuerySet.iterator()`), so memory holds encoded lines, not model objects, and the
response is streamed to the client.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """A cell: None as empty, dates in ISO 8601, formulas defused."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    value = str(value)
    return "'" + value if value[:1] in FORMULA_START else value


class _Echo:
    def write(self, value):
        return value


def csv_response(
    name: str, header: Iterable[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """`name`-YYYYMMDD-HHMM.csv with `header` then `rows` (every cell through safe())."""
    writer = csv.writer(_Echo())
    lines = [writer.writerow(list(header))]
    lines.extend(writer.writerow([safe(v) for v in row]) for row in rows)
    resp = StreamingHttpResponse(iter(lines), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    resp["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return resp


def wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"
