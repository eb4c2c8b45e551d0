"""China's working days: official holidays and make-up working days (调休).

The national calendar comes from `chinesecalendar`, which knows the years up to
its release. Past those years the holidays whose dates never move (元旦 1 Jan,
劳动节 1 May, 国庆节 1–3 Oct) are holidays by default and other days fall back
to Monday–Friday, and we say so: every answer carries `confirmed`, and nothing
here raises on an unknown date. The State Council's notice for such a year
(holidays and make-up working days) is passed in as `declared`
({date: (working, name)}, booking keeps it in a table an operator loads);
per-hall overrides (a closure, an extra opening) belong to booking and are
passed in as a mapping too, and win over everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Mapping

import chinese_calendar

# chinese_calendar raises NotImplementedError outside the years it knows.
_KNOWN_YEARS = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
_HOLIDAY_ZH = {h.value: h.chinese for h in chinese_calendar.Holiday}
FIRST_KNOWN_YEAR = _KNOWN_YEARS[0]
LAST_KNOWN_YEAR = _KNOWN_YEARS[-1]

# Statutory holidays on fixed Gregorian dates (全国年节及纪念日放假办法): past
# the library they are closed until a notice says otherwise. The lunar ones
# (春节, 清明, 端午, 中秋) and the length of every break are only known from the
# year's notice.
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节", (10, 3): "国庆节"}

Declared = Mapping[date, tuple[bool, str | None]]


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    confirmed: bool  # False when the year is beyond the official calendar we have
    holiday_name: str | None = None
    overridden: bool = False


@lru_cache(maxsize=4096)
def _national(day: date) -> DayInfo:
    if FIRST_KNOWN_YEAR <= day.year <= LAST_KNOWN_YEAR:
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            working = chinese_calendar.is_workday(day)
            label = None
            if on_holiday and name:
                label = _HOLIDAY_ZH.get(str(name), str(name))
            return DayInfo(day, working, True, label)
        except NotImplementedError:
            pass
    fixed = FIXED_HOLIDAYS.get((day.month, day.day))
    if fixed is not None and day.year > LAST_KNOWN_YEAR:
        return DayInfo(day, False, False, fixed)
    return DayInfo(day, day.weekday() < 5, False)


def day_info(day: date, overrides: Mapping[date, bool] | None = None, declared: Declared | None = None) -> DayInfo:
    info = _national(day)
    if declared and not info.confirmed and day in declared:
        # the year's notice, loaded by an operator: as good as the library
        working, name = declared[day]
        info = DayInfo(day, bool(working), True, None if working else (name or info.holiday_name))
    elif declared and not info.confirmed and day.year in declared_years(declared):
        # a notice for the year is loaded and does not name this day: an ordinary day
        info = DayInfo(day, day.weekday() < 5, True)
    if overrides and day in overrides:
        return DayInfo(day, bool(overrides[day]), info.confirmed, info.holiday_name, overridden=True)
    return info


class DeclaredDays(dict):
    """{date: (working, name)} from the loaded notices, with the years they
    cover: a year with a notice has no other holidays than those it names."""

    def __init__(self, items=()):
        super().__init__(items)
        self.years = frozenset(day.year for day in self)


def declared_years(declared: Declared) -> frozenset[int]:
    years = getattr(declared, "years", None)
    return years if years is not None else frozenset(day.year for day in declared)


def is_working_day(day: date, overrides: Mapping[date, bool] | None = None, declared: Declared | None = None) -> bool:
    return day_info(day, overrides, declared).working


def add_working_days(start: date, days: int, overrides: Mapping[date, bool] | None = None,
                     declared: Declared | None = None) -> date:
    """The date `days` working days after `start` (start itself not counted).
    `days == 0` gives `start` (an instant item is due the same day)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, overrides, declared):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, overrides: Mapping[date, bool] | None = None,
                         declared: Declared | None = None) -> int:
    """Working days in (start, end]; negative if end is before start."""
    if end < start:
        return -working_days_between(end, start, overrides, declared)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, overrides, declared):
            count += 1
    return count


def next_working_days(start: date, count: int, overrides: Mapping[date, bool] | None = None,
                      include_start: bool = True, declared: Declared | None = None) -> list[date]:
    days: list[date] = []
    current = start if include_start else start + timedelta(days=1)
    while len(days) < count:
        if is_working_day(current, overrides, declared):
            days.append(current)
        current += timedelta(days=1)
    return days


def is_confirmed(day: date, declared: Declared | None = None) -> bool:
    return day_info(day, None, declared).confirmed
