"""Moving through the review queue from a deal page (issue #18).

The queue links each deal with `?from=queue` and its own filters (conflicts, region, amounts,
sort, ...). The deal page then leads back to the queue with those filters, offers the next
deal of the same queue, and a decision taken there goes on to that next deal (or back to the
queue once it is empty)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from dealreg import selectors
from dealreg.forms import ReviewFilterForm
from prm.roles import has_perm

FROM_QUEUE = "queue"
# Enough to find the next deal of any real queue; the queue page itself shows 50 a page.
_SCAN = 2000


@dataclass(frozen=True)
class QueueNav:
    query: str  # the query string a deal page and its action URLs carry: from=queue&filters
    back_url: str  # the queue with its filters
    filters: dict

    def next_deal(self, *, after_pk: int):
        """The deal after `after_pk` in the queue's order (wrapping round to the start),
        `after_pk` itself excluded; the first of the queue when it is no longer in it."""
        pks = list(selectors.review_queue(**self.filters).values_list("pk", flat=True)[:_SCAN])
        if after_pk in pks:
            at = pks.index(after_pk)
            pks = pks[at + 1 :] + pks[:at]
        return pks[0] if pks else None

    def deal_url(self, pk: int) -> str:
        return f"{reverse('deal-detail', args=[pk])}?{self.query}"


def queue_nav(request) -> QueueNav | None:
    """The queue the member came from, or None (not from the queue, or not a reviewer)."""
    if request.GET.get("from") != FROM_QUEUE or not has_perm(request.member.role, "deals.review"):
        return None
    form = ReviewFilterForm(request.GET)
    cleaned = form.cleaned_data if form.is_valid() else {}
    filters = {k: v for k, v in cleaned.items() if v not in (None, "")}
    carried = [(k, request.GET[k]) for k in form.fields if k in filters]
    queue_query = urlencode(carried)
    return QueueNav(
        query=urlencode([("from", FROM_QUEUE), *carried]),
        back_url=reverse("deal-review") + (f"?{queue_query}" if queue_query else ""),
        filters=filters,
    )
