"""Date arithmetic the rules share, with the conventions written down.

- Periods are **closed**: ``start`` and ``end`` are both days of the period.
- "n months in post" is reached on ``add_months(start, n) - 1 day``; a rule that needs
  n months therefore matures on ``add_months(start, n)`` (the first day after them).
- ``add_months`` keeps the day of month, clamped to the month's last day (31 Jan + 1
  month = 28/29 Feb).
- Working days are counted in :mod:`scoring.workdays` (the State Council's holiday
  arrangements; estimated, and marked provisional, for a year not yet published).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def full_months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (``end`` exclusive): 2024-01-15 → 2024-03-14 is 1."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def months_covered(start: date, end: date) -> list[str]:
    """Calendar months ``YYYY-MM`` touched by the closed period [start, end]."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
