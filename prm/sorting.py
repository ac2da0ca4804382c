"""Sortable list columns: `?sort=amount` (ascending) or `?sort=-amount` (descending).

A view names the columns people may sort by and the fields behind each; an unknown or missing
`sort` falls back to the list's default order (a hand-typed URL is never an error). The primary
key breaks ties, so pages never shuffle rows between them.

    sorting = Sorting.from_request(request, DEAL_COLUMNS, default="-created")
    qs = sorting.apply(qs)

In the template, `{% sort_header sorting "amount" _("Amount") %}` renders the column's header
link with `aria-sort` (prm/templatetags/prm_sorting.py); `sorting.query` is the query string
for the list's pager. A page of "the latest N" sorts those N rows (`apply_within`); rows
already in memory sort with `order_rows`; a page with several sortable tables gives each its
own parameter (`param="kpi_sort"`). An export follows the page's sort: sort before the CSV
branch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, QuerySet
from django.utils.http import urlencode

PARAM = "sort"


def _nullable(qs: QuerySet, f) -> bool:
    """Whether the column `f` can be empty: an expression or a related path (a LEFT JOIN) is
    assumed to; a field of the list's own model says so itself."""
    if not isinstance(f, str) or "__" in f:
        return True
    try:
        field = qs.model._meta.get_field(f)
    except FieldDoesNotExist:
        return True  # an annotation
    return bool(field.null)


@dataclass(frozen=True)
class Sorting:
    # key -> ORM fields or expressions: {"customer": (Lower("customer_name"),)}; text sorts as
    # people expect when wrapped in Lower() (the database's collation puts "Z" before "a").
    columns: dict[str, tuple]
    key: str  # the column sorted by now
    descending: bool
    params: dict[str, list[str]]  # the request's other query parameters (no page, no sort)
    param: str = PARAM  # a page with several sortable tables gives each its own parameter

    @classmethod
    def from_request(cls, request, columns: dict, *, default: str, param: str = PARAM) -> Sorting:
        columns = {k: tuple(v) if isinstance(v, tuple | list) else (v,) for k, v in columns.items()}
        wanted = (request.GET.get(param) or "").strip()
        if wanted.removeprefix("-") not in columns:
            wanted = default
        params = {k: request.GET.getlist(k) for k in request.GET if k not in (param, "page")}
        return cls(columns, wanted.removeprefix("-"), wanted.startswith("-"), params, param)

    def apply(self, qs: QuerySet) -> QuerySet:
        order = []
        for f in self.columns[self.key]:
            e = F(f) if isinstance(f, str) else f
            # Empty values go last either way. A column that cannot be empty is ordered plainly,
            # so its index serves the order: NULLS LAST on a descending column would not match
            # a plain (DESC NULLS FIRST) index and sort the whole table instead.
            nulls_last = True if _nullable(qs, f) else None
            order.append(
                e.desc(nulls_last=nulls_last) if self.descending else e.asc(nulls_last=nulls_last)
            )
        return qs.order_by(*order, "-pk" if self.descending else "pk")

    def apply_within(self, qs: QuerySet, limit: int) -> QuerySet:
        """The first `limit` rows of `qs` in its own order (a page of "the latest 50"), sorted:
        sorting reorders what the page shows, it does not pick other rows."""
        first = qs.values("pk")[:limit]
        return self.apply(qs.filter(pk__in=first))

    def order_rows(self, rows: Iterable) -> list:
        """Rows already in memory (dicts, or objects; the column names one key or attribute,
        `__` to follow one: "partner__name"), sorted as apply() sorts: text without regard to
        case, empty values last either way; equal rows keep their order."""

        def value(row):
            for part in str(self.columns[self.key][0]).split("__"):
                row = row.get(part) if isinstance(row, dict) else getattr(row, part, None)
                if row is None:
                    return None
            return row.casefold() if isinstance(row, str) else row

        rows = list(rows)
        present = [r for r in rows if value(r) is not None]
        present.sort(key=value, reverse=self.descending)
        return present + [r for r in rows if value(r) is None]

    def link(self, key: str) -> str:
        """The query string that sorts by `key`: ascending first, or flipped if sorted by it."""
        descending = not self.descending if key == self.key else False
        pairs = [(k, v) for k, values in self.params.items() for v in values]
        pairs.append((self.param, f"-{key}" if descending else key))
        return "?" + urlencode(pairs)

    @property
    def query(self) -> str:
        """The list's query string without the page: for its pager and CSV links."""
        pairs = [(k, v) for k, values in self.params.items() for v in values]
        pairs.append((self.param, f"-{self.key}" if self.descending else self.key))
        return urlencode(pairs)

    def state(self, key: str) -> str:
        """`aria-sort` of a column: ascending, descending or none."""
        if key != self.key:
            return "none"
        return "descending" if self.descending else "ascending"
