"""China's working days: official holidays and make-up working days (调休).

The national calendar comes from `chinesecalendar`, which knows the years up to
its release. Past those years we fall back to Monday–Friday and say so: every
answer carries `confirmed`, and nothing here raises on an unknown date.
Per-hall overrides (a closure, an extra opening) belong to booking and are
passed in as a mapping.
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
    return DayInfo(day, day.weekday() < 5, False)


def day_info(day: date, overrides: Mapping[date, bool] | None = None) -> DayInfo:
    info = _national(day)
    if overrides and day in overrides:
        return DayInfo(day, bool(overrides[day]), info.confirmed, info.holiday_name, overridden=True)
    return info


def is_working_day(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    return day_info(day, overrides).working


def add_working_days(start: date, days: int, overrides: Mapping[date, bool] | None = None) -> date:
    """The date `days` working days after `start` (start itself not counted).
    `days == 0` gives `start` (an instant item is due the same day)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, overrides):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, overrides: Mapping[date, bool] | None = None) -> int:
    """Working days in (start, end]; negative if end is before start."""
    if end < start:
        return -working_days_between(end, start, overrides)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, overrides):
            count += 1
    return count


def next_working_days(start: date, count: int, overrides: Mapping[date, bool] | None = None,
                      include_start: bool = True) -> list[date]:
    days: list[date] = []
    current = start if include_start else start + timedelta(days=1)
    while len(days) < count:
        if is_working_day(current, overrides):
            days.append(current)
        current += timedelta(days=1)
    return days


def is_confirmed(day: date) -> bool:
    return _national(day).confirmed
