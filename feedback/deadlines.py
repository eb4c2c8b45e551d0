"""Deadlines in working days, Asia/Shanghai, with official holidays and
make-up days (mobile_api.workdays). A limit of N working days ends at
midnight (local) after the N-th working day following the start day, which is
how 12345 and 好差评 rules count "N 个工作日内"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from mobile_api.clock import LOCAL_TZ
from mobile_api.workdays import add_working_days


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def end_of_local_day(day: date) -> datetime:
    """The first instant after `day` in Shanghai, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ).astimezone(timezone.utc)


def due_after_working_days(start: datetime, days: int) -> datetime:
    return end_of_local_day(add_working_days(local_day(start), days))


def extend_due(due: datetime, days: int) -> datetime:
    """Move a deadline (an end of day) on by `days` working days."""
    last_day = local_day(due - timedelta(microseconds=1))
    return end_of_local_day(add_working_days(last_day, days))
