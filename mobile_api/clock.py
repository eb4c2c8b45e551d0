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


class DemoClock(SystemClock):
    """Development only: the system clock moved by the offset that
    `flask demo clock --at …` writes to a file, so a newcomer can try
    check-in and calling at night. Every process of `make run` (web, worker,
    scheduler) reads the same file; it is looked at once a second at most."""

    RECHECK_SECONDS = 1.0

    def __init__(self, path, base_offset_seconds: int = 0):
        self.path = path
        self._base = timedelta(seconds=base_offset_seconds)
        self._offset = timedelta(0)
        self._checked_at = float("-inf")
        self._mtime = None

    def offset(self) -> timedelta:
        import time

        moment = time.monotonic()
        if moment - self._checked_at >= self.RECHECK_SECONDS:
            self._checked_at = moment
            self._reload()
        return self._offset

    def _reload(self) -> None:
        import json

        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            self._offset, self._mtime = timedelta(0), None
            return
        if mtime == self._mtime:
            return
        try:
            seconds = float(json.loads(self.path.read_text())["offset_seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            seconds = 0.0  # a half-written or hand-broken file: the real time
        self._offset, self._mtime = timedelta(seconds=seconds), mtime

    def now(self) -> datetime:
        return super().now() + self._base + self.offset()
