"""Keep an RQ worker or cron scheduler alive across Redis outages.

RQ on its own does not survive a Redis restart: the cron scheduler's loop
raises the first ConnectionError out of `start()` (10–15 s into an outage),
the worker quits on a TimeoutError or any Redis error outside its dequeue
call, and the worker's own dequeue retry logs an error at every attempt and
never re-registers the worker that the restarted (empty) Redis forgot.

`supervise` runs one incarnation of the worker or scheduler at a time. When
it ends without having been asked to stop, the supervisor waits for Redis
to answer again (a PING with exponential back-off, capped at
JOBS_REDIS_RETRY_MAX_SECONDS) and starts a fresh incarnation, which
registers itself again and, for the scheduler, enqueues every rule at once
so the period missed during the outage runs as soon as Redis is back
(`job_runs` still lets one copy per period work). An outage is logged once
when it starts and once when it ends, whatever RQ says in between: RQ's
own Redis-connection messages are folded into that one line.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

import redis
from rq.exceptions import StopRequested

log = logging.getLogger("mobile_api.jobs.supervise")

REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RQ_LOGGERS = ("rq.worker", "rq.cron", "rq.job", "rq.queue", "rq.scheduler")
# What RQ logs, sometimes without the exception attached, while Redis is away.
RQ_OUTAGE_PHRASES = ("could not connect to Redis", "Redis connection timeout", "Error while reading from",
                     "Connection refused", "Connection reset", "Timeout connecting to")


class RedisLost(RuntimeError):
    """Raised (not a redis error, so RQ's own retry loop does not swallow it)
    to hand a lost Redis to the supervisor."""


class Incarnation(Protocol):
    stop_requested: bool

    def run(self) -> None: ...

    def discard(self) -> None: ...


def redis_lost(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, REDIS_ERRORS + (RedisLost,)):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


@dataclass
class Outage:
    """One warning when Redis goes away and one when it answers again."""

    what: str
    clock: Callable[[], float] = time.monotonic
    since: float | None = None
    reports: int = 0  # how many errors this outage folded into its one line
    outages: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def down(self) -> bool:
        return self.since is not None

    def lost(self, cause: object) -> None:
        with self._lock:
            self.reports += 1
            if self.since is not None:
                return
            self.since = self.clock()
            self.outages += 1
        log.warning("redis unreachable: %s waits for it and resumes when it answers (logged once per outage)",
                    self.what, extra={"job_process": self.what, "error": repr(cause)[:300]})

    def back(self) -> None:
        with self._lock:
            if self.since is None:
                return
            seconds, folded = self.clock() - self.since, self.reports
            self.since, self.reports = None, 0
        log.warning("redis answers again: %s resumes after %.0f s without it", self.what, seconds,
                    extra={"job_process": self.what, "outage_seconds": round(seconds, 1), "errors_folded": folded})


class FoldRedisNoise(logging.Filter):
    """Drops RQ's per-attempt Redis errors and reports them to the outage."""

    def __init__(self, outage: Outage):
        super().__init__()
        self.outage = outage

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if redis_lost(exc) or (record.levelno >= logging.WARNING
                               and any(p in record.getMessage() for p in RQ_OUTAGE_PHRASES)):
            self.outage.lost(exc or record.getMessage())
            return False
        return True


class _Stop(BaseException):
    """A stop signal while waiting; a BaseException so that no `except
    Exception` inside redis-py turns it into a connection error."""


def _raise_stop(signum, _frame):
    raise _Stop(signal.Signals(signum).name)


def wait_for_redis(connection: redis.Redis, outage: Outage, max_delay: float,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    """Return once Redis answers a PING; back-off 0.5 s, 1 s, 2 s … max_delay."""
    delay = 0.5
    while True:
        try:
            connection.ping()
            return
        except REDIS_ERRORS as exc:
            outage.lost(exc)
        sleep(delay)
        delay = min(delay * 2, max_delay)


def supervise(start: Callable[[], Incarnation], connection: redis.Redis, outage: Outage, *,
              max_delay: float = 10.0, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run incarnations until one is asked to stop (SIGTERM/SIGINT). Returns 0."""
    noise = FoldRedisNoise(outage)
    for name in RQ_LOGGERS:
        logging.getLogger(name).addFilter(noise)
    unexpected_delay = 1.0
    try:
        while True:
            incarnation = None
            try:
                incarnation = start()
                incarnation.run()
                if incarnation.stop_requested:
                    return 0
                error: BaseException | None = None
            except (StopRequested, KeyboardInterrupt, _Stop):
                return 0
            except Exception as exc:  # anything: the process must outlive it
                if incarnation is not None and incarnation.stop_requested:
                    return 0  # e.g. RQ could not register its death with Redis gone
                error = exc
            lost = redis_lost(error) or getattr(incarnation, "lost_redis", None) is not None
            if incarnation is not None:
                incarnation.discard()
            # RQ's handlers are gone with the incarnation; a stop while
            # waiting must still end the process.
            previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
            try:
                if lost or not _redis_answers(connection):
                    outage.lost(error or "the RQ loop ended")
                    wait_for_redis(connection, outage, max_delay, sleep)
                    outage.back()
                    unexpected_delay = 1.0
                else:
                    # Not Redis: a bug or a failed dependency. Logged each
                    # time, with growing pauses so it cannot spin.
                    log.error("%s stopped unexpectedly; starting it again in %.0f s", outage.what,
                              unexpected_delay, exc_info=error)
                    sleep(unexpected_delay)
                    unexpected_delay = min(unexpected_delay * 2, 60.0)
            except (_Stop, KeyboardInterrupt):
                return 0
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
    finally:
        for name in RQ_LOGGERS:
            logging.getLogger(name).removeFilter(noise)


def _redis_answers(connection: redis.Redis) -> bool:
    try:
        connection.ping()
        return True
    except REDIS_ERRORS:
        return False
