"""Which period a moment belongs to: the key two schedulers agree on."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..clock import LOCAL_TZ

# Periods count from a local midnight, so daily and hourly rules line up with
# the city's clock rather than with UTC.
_ORIGIN = datetime(2000, 1, 1, tzinfo=LOCAL_TZ)


def period_start(now: datetime, every: timedelta) -> datetime:
    if now.tzinfo is None:
        raise ValueError("period_start needs an aware datetime")
    index = (now - _ORIGIN) // every
    return (_ORIGIN + index * every).astimezone(LOCAL_TZ)


def period_key(now: datetime, every: timedelta) -> str:
    """`2026-11-26T09:15:00+08:00` for the period that contains `now`."""
    return period_start(now, every).isoformat(timespec="seconds")
