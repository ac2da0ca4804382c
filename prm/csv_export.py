"""One CSV response for every list page (`?format=csv` or an export URL).

Cells that a spreadsheet would read as a formula are defused. The rows are rendered while
the view runs, because the tenant transaction (and with it row-level security) ends when the
view returns: a lazily streamed queryset would run outside it. Rows are produced from an
iterator (`QuerySet.iterator()`), so memory holds encoded lines, not model objects, and the
response is streamed to the client.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number (-0.5, +3, 1e-3) is data, not a formula: it stays a number in spreadsheets.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


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
