"""The clock is injected: services ask it for the time, tests set it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def local_now(self) -> datetime:
        return self.now().astimezone(LOCAL_TZ)


class FrozenClock(SystemClock):
    """A clock that only moves when told to."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = at.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at.astimezone(timezone.utc)

    def advance(self, **kwargs) -> None:
        self._now = self._now + timedelta(**kwargs)


class OffsetClock(SystemClock):
    """The system clock moved by a fixed number of seconds: lets an
    integration test's separate processes (scheduler, workers) live "tomorrow"
    (TEST_CLOCK_OFFSET_SECONDS; refused in production)."""

    def __init__(self, offset_seconds: int):
        self._offset = timedelta(seconds=offset_seconds)

    def now(self) -> datetime:
        return super().now() + self._offset
