"""When a hall is open: the national calendar (holidays and 调休 make-up days
from `mobile_api.workdays`), the hall's own weekday hours and lunch break, and
per-hall overrides an admin sets. Pure functions over dates; no database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping

from mobile_api.clock import LOCAL_TZ
from mobile_api.workdays import Declared, add_working_days, day_info


@dataclass(frozen=True)
class HallDay:
    day: date
    open: bool
    confirmed: bool  # False past the years the official calendar knows
    holiday_name: str | None
    overridden: bool
    hours: tuple[str, str] | None


def _parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def default_hours(opening_hours: Mapping[str, list | None]) -> tuple[str, str] | None:
    """The hours of the first weekday the hall opens: used on a make-up working
    day (调休) that falls on a day the hall normally keeps closed."""
    for weekday in ("0", "1", "2", "3", "4"):
        hours = opening_hours.get(weekday)
        if hours:
            return hours[0], hours[1]
    return None


def hall_day(opening_hours: Mapping[str, list | None], day: date,
             overrides: Mapping[date, bool] | None = None, declared: Declared | None = None) -> HallDay:
    """Open on national working days (make-up days included) and on ordinary
    weekends the hall lists hours for; closed on public holidays (past the
    holiday library: the fixed-date ones and those of a loaded notice); an
    override wins over everything."""
    info = day_info(day, overrides, declared)
    own = opening_hours.get(str(day.weekday()))
    own_hours = (own[0], own[1]) if own else None
    if info.overridden:
        is_open = info.working
    elif info.working:
        is_open = True
    else:
        # a public holiday closes the hall; an ordinary weekend only if it has no weekend hours
        is_open = info.holiday_name is None and own_hours is not None
    hours = (own_hours or default_hours(opening_hours)) if is_open else None
    if is_open and hours is None:
        is_open = False
    return HallDay(day, is_open, info.confirmed, info.holiday_name, info.overridden, hours)


def within_hours(hall_day_: HallDay, moment: datetime) -> bool:
    """Whether `moment` falls between the day's opening and closing time
    (local). The lunch break counts as open: a number taken then is called
    after it, as at the counter."""
    if not hall_day_.open or hall_day_.hours is None:
        return False
    local = moment.astimezone(LOCAL_TZ)
    if local.date() != hall_day_.day:
        return False
    opens, closes = (_parse_hhmm(v) for v in hall_day_.hours)
    return opens <= local.time() < closes


def slot_starts(hall_day_: HallDay, lunch_start: str | None, lunch_end: str | None,
                minutes: int) -> list[tuple[datetime, datetime]]:
    """The day's slots as (start, end) in UTC, skipping the lunch break; a slot
    that would run past closing or into lunch is left out."""
    if not hall_day_.open or hall_day_.hours is None:
        return []
    opens, closes = (_parse_hhmm(v) for v in hall_day_.hours)
    lunch = (_parse_hhmm(lunch_start), _parse_hhmm(lunch_end)) if lunch_start and lunch_end else None
    day = hall_day_.day
    current = datetime.combine(day, opens, LOCAL_TZ)
    end_of_day = datetime.combine(day, closes, LOCAL_TZ)
    step = timedelta(minutes=minutes)
    slots = []
    while current + step <= end_of_day:
        end = current + step
        if lunch is not None:
            lunch_from = datetime.combine(day, lunch[0], LOCAL_TZ)
            lunch_to = datetime.combine(day, lunch[1], LOCAL_TZ)
            if current < lunch_to and end > lunch_from:
                current = lunch_to  # resume after lunch, on the lunch end
                continue
        slots.append((current.astimezone(timezone.utc), end.astimezone(timezone.utc)))
        current = end
    return slots


def last_bookable_day(today: date, horizon_working_days: int, overrides: Mapping[date, bool] | None = None,
                      declared: Declared | None = None) -> date:
    return add_working_days(today, horizon_working_days, overrides, declared)


def distance_meters(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))
