"""Pagination for lists that can hold millions of rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Rows a list counts at most before its pager says "of 200+" instead of a total.
COUNT_CAP = 10_000
# A page number past this is read as this one (then as the last page): a forged `?page=` of
# 30 digits would otherwise make a LIMIT beyond PostgreSQL's bigint, a 500.
MAX_PAGE = 100_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at COUNT_CAP rows (or, when a page further on is asked
    for, at the rows up to that page), plus one to know that more follow: the count is a
    COUNT(*) over a LIMITed subquery, so a page view never counts a million rows. Past the
    cap the pager shows "Page 3 of 200+" (`pages_label`), and every page stays reachable with
    "Next". Use `get_page()`, which sets the limit for the page asked for."""

    limit = COUNT_CAP

    def get_page(self, number):
        try:
            wanted = min(max(int(number), 1), MAX_PAGE)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        self.limit = max(COUNT_CAP, wanted * self.per_page)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not hasattr(rows, "query"):
            return min(len(rows), self.limit + 1)
        if not rows.query.is_sliced:
            # Which rows fill the LIMIT does not change how many there are: unordered, the
            # count reads an index in any order instead of walking the list's sort order.
            rows = rows.order_by()
        return rows[: self.limit + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.limit

    @property
    def pages_label(self) -> int | str:
        """The number of pages for the pager: exact, or "200+" past the cap."""
        if self.capped:
            return f"{self.limit // self.per_page}+"
        return self.num_pages
