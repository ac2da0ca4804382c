"""Global search providers of payouts (registered from incentives/payouts_ready.py): payout
batches by number ("PB-12"), payment reference or a paid partner's name, for the staff who
work on payouts; statements by month ("2026-11") or partner, each member's own (a partner's
people find only their company's). Both read through the payouts selectors' visibility."""

from __future__ import annotations

import datetime
import re

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from incentives import selectors_payouts as sel
from prm import global_search
from prm.global_search import Hit, number_in
from prm.templatetags.prm_l10n import format_money


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _batch_hit(b, *, exact: bool = False) -> Hit:
    return Hit(
        label=b.number,
        detail=_join(
            b.get_status_display(),
            format_money(b.total, b.currency),
            b.payment_reference,
        ),
        url=reverse("incentives-batch-detail", args=[b.pk]),
        exact=exact,
    )


def batches(member, term: str, limit: int) -> list[Hit]:
    """The batch with that number first, then batches with that payment reference or paying
    a partner whose name matches, newest first."""
    qs = sel.batches_visible_to(member)
    hits = []
    pk = number_in(term, "PB")
    if pk is not None:
        hits = [_batch_hit(b, exact=True) for b in qs.filter(pk=pk)]
        qs = qs.exclude(pk=pk)
    paying = sel.lines_visible_to(member).filter(partner__name__icontains=term).values("batch_id")
    found = qs.filter(Q(payment_reference__iexact=term) | Q(pk__in=paying)).order_by(
        "-created_at", "-id"
    )[: max(limit - len(hits), 0)]
    return hits + [_batch_hit(b) for b in found]


def _month(term: str) -> datetime.date | None:
    """The month in "2026-11" or "11/2026" (None when the term names none)."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", term.strip()) or None
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{4})", term.strip())
        if not m:
            return None
        month, year = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return datetime.date(year, month, 1)


def statements(member, term: str, limit: int) -> list[Hit]:
    """Statements of that month, else of partners whose name matches, newest first."""
    qs = sel.statements_visible_to(member)
    month = _month(term)
    match = Q(month=month) if month else Q(partner__name__icontains=term)
    found = qs.filter(match).order_by("-month", "partner__name", "currency")[:limit]
    return [
        Hit(
            label=_join(date_format(st.month, "F Y"), st.currency),
            detail=_join(
                st.partner.name,
                _("closing balance %(amount)s") % {"amount": format_money(st.closing, st.currency)},
            ),
            url=reverse("incentives-statement-pdf", args=[st.pk]),
            exact=month is not None,
        )
        for st in found
    ]


def register() -> None:
    global_search.register(
        72, "payout_batches", _("Payout batches"), batches, capability="incentives.payouts"
    )
    global_search.register(
        73, "statements", _("Statements"), statements, capability="incentives.statements"
    )
