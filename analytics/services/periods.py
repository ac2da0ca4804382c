"""Reporting periods: calendar quarters."""

from __future__ import annotations

import datetime


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarters_back(day: datetime.date, n: int) -> list[datetime.date]:
    """The quarter containing `day` and the n-1 before it, oldest first."""
    start = quarter_start(day)
    out = []
    for _i in range(n):
        out.append(start)
        prev = start - datetime.timedelta(days=1)
        start = quarter_start(prev)
    return sorted(out)
