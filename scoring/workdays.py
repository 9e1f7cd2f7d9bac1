"""The working-day calendar of 002 §2: the State Council's yearly holiday arrangement.

Each November or December the General Office of the State Council publishes the next year's
arrangement (国务院办公厅关于部分节假日安排的通知): the days off and the weekend days worked in
exchange (调休上班). Three sources, in this order, say whether a day is a working day:

1. the maintained ``chinesecalendar`` package, for the years it covers;
2. ``scoring/policies/calendar/holiday_arrangements.yaml`` (or the file named by the setting
   ``JIUYUAN_HOLIDAY_ARRANGEMENTS``), where an officer adds a year as soon as its notice is
   published, citing it, before the package catches up;
3. otherwise, a **provisional** estimate: weekends plus the statutory holidays of the
   ``holidays`` package's China calendar. Nothing is refused; every date computed this way
   says so, and ``jiuyuan calendar rederive`` recomputes stored ones once the year is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import chinese_calendar
import holidays
import yaml

from jiuyuan.settings import get_settings

CHINESECALENDAR = "chinesecalendar"
ONE_DAY = timedelta(days=1)


def provisional_note(year: int) -> str:
    return f"{year} 年放假安排未载入，按法定节假日推算，待国务院通知后复核"


class ArrangementError(ValueError):
    """The arrangements file is malformed; the message names the year and field."""


@dataclass(frozen=True)
class Arrangement:
    """One year's holiday arrangement as its notice publishes it."""

    year: int
    notice: str
    """The notice's number, e.g. 国办发明电〔2024〕12号."""
    published_on: date
    days_off: frozenset[date]
    makeup_workdays: frozenset[date]
    """Weekend days worked in exchange for days off (调休上班)."""

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ArrangementError(f"{where}：日期格式应为 YYYY-MM-DD，收到 {value!r}") from None


def parse_arrangements(data: Mapping[str, Any] | None) -> dict[int, Arrangement]:
    """Arrangements by year from the file's ``years`` mapping; every date must fall in its year."""
    out: dict[int, Arrangement] = {}
    for key, entry in ((data or {}).get("years") or {}).items():
        year = int(key)
        where = f"{year} 年放假安排"
        if not isinstance(entry, Mapping) or not entry.get("notice") or not entry.get("published_on"):
            raise ArrangementError(f"{where}：须注明通知文号（notice）和发布日期（published_on）")
        days_off: set[date] = set()
        for i, span in enumerate(entry.get("days_off") or []):
            first = _day(span.get("from"), f"{where} days_off[{i}].from")
            last = _day(span.get("to", span.get("from")), f"{where} days_off[{i}].to")
            if last < first:
                raise ArrangementError(f"{where} days_off[{i}]：结束日早于开始日")
            days_off.update(first + ONE_DAY * n for n in range((last - first).days + 1))
        makeup = {_day(d, f"{where} makeup_workdays") for d in entry.get("makeup_workdays") or []}
        stray = sorted(d for d in days_off | makeup if d.year != year)
        if stray:
            raise ArrangementError(f"{where}：{stray[0].isoformat()} 不在 {year} 年内")
        if days_off & makeup:
            raise ArrangementError(f"{where}：{min(days_off & makeup).isoformat()} 既是放假日又是调休上班日")
        out[year] = Arrangement(
            year,
            str(entry["notice"]),
            _day(entry["published_on"], f"{where} published_on"),
            frozenset(days_off),
            frozenset(makeup),
        )
    return out


def load_arrangements(path: Path) -> dict[int, Arrangement]:
    if not path.exists():
        return {}
    return parse_arrangements(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class WorkingDate:
    """A date counted in working days, with the years whose arrangement was only estimated."""

    day: date
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def note(self) -> str | None:
        return "；".join(provisional_note(y) for y in self.provisional_years) or None


class WorkingDayCalendar:
    def __init__(self, arrangements: Mapping[int, Arrangement]):
        self.arrangements = dict(arrangements)
        self.package_years = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
        self._estimated: dict[int, holidays.HolidayBase] = {}

    def source(self, year: int) -> str | None:
        """Where ``year``'s arrangement comes from; None when it is only estimated."""
        if year in self.package_years:
            return CHINESECALENDAR
        arrangement = self.arrangements.get(year)
        return f"{arrangement.notice}（{arrangement.published_on.isoformat()}）" if arrangement else None

    def is_provisional(self, day: date) -> bool:
        return self.source(day.year) is None

    def is_working_day(self, day: date) -> bool:
        if day.year in self.package_years:
            return bool(chinese_calendar.is_workday(day))
        arrangement = self.arrangements.get(day.year)
        if arrangement is not None:
            return arrangement.is_working_day(day)
        if day.year not in self._estimated:
            self._estimated[day.year] = holidays.country_holidays("CN", years=day.year)
        return day.weekday() < 5 and day not in self._estimated[day.year]

    def add_working_days(self, start: date, days: int) -> WorkingDate:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        day, counted, estimated = start, 0, set()
        while counted < days:
            day += ONE_DAY
            if self.is_provisional(day):
                estimated.add(day.year)
            if self.is_working_day(day):
                counted += 1
        return WorkingDate(day, tuple(sorted(estimated)))

    def official_through(self) -> date:
        """The last day of the last consecutive year, from the package on, with an official arrangement."""
        year = self.package_years.stop - 1
        while year + 1 in self.arrangements:
            year += 1
        return date(year, 12, 31)

    def coverage_warning(self, today: date, horizon_days: int = 90) -> str | None:
        """A warning when the official calendar ends within ``horizon_days`` of ``today``."""
        through = self.official_through()
        if through >= today + timedelta(days=horizon_days):
            return None
        return (
            f"节假日安排只载入到 {through.isoformat()}，{through.year + 1} 年的工作日按法定节假日推算（暂定）；"
            "国务院通知发布后，由系统管理员补充节假日安排并重算暂定日期"
        )


@lru_cache(maxsize=4)
def _calendar_for(path: Path, mtime_ns: int) -> WorkingDayCalendar:
    return WorkingDayCalendar(load_arrangements(path))


def working_calendar(path: Path | None = None) -> WorkingDayCalendar:
    """The calendar from the arrangements file (settings' by default); reloaded when the file changes."""
    path = path or get_settings().calendar.arrangements_file
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    return _calendar_for(path, mtime)
