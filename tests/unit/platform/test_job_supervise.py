"""The supervisor of RQ workers and schedulers (mobile_api.jobs.supervise),
without Redis: a lost Redis ends an incarnation, the supervisor waits with
back-off for a PING to answer and starts a fresh one; an outage is logged
once however many errors RQ reports; a stop request ends it all."""

from __future__ import annotations

import logging

import redis

from mobile_api.jobs.supervise import Outage, RedisLost, supervise


class FakeRedis:
    def __init__(self, failures: int):
        self.failures = failures
        self.pings = 0

    def ping(self):
        self.pings += 1
        if self.failures > 0:
            self.failures -= 1
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
        return True


class Incarnation:
    def __init__(self, run):
        self._run = run
        self.stop_requested = False
        self.discarded = False

    def run(self):
        self._run(self)

    def discard(self):
        self.discarded = True


def _rq_noise(times: int):
    """What RQ's own loops log while Redis is away, before giving up."""
    rq_log = logging.getLogger("rq.worker")
    for attempt in range(times):
        rq_log.error("Worker w1: could not connect to Redis instance: Error 111 retrying in %d seconds...",
                     2 ** attempt)
    try:
        raise redis.exceptions.ConnectionError("Connection refused")
    except redis.exceptions.ConnectionError:
        rq_log.error("Worker w1: found an unhandled exception, quitting...", exc_info=True)


def _warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name in ("mobile_api.jobs.supervise", "rq.worker")]


def test_an_outage_is_ridden_out_with_back_off_and_logged_once(caplog):
    caplog.set_level(logging.INFO)
    connection, sleeps, started = FakeRedis(failures=4), [], []

    def first(incarnation):
        _rq_noise(5)
        raise redis.exceptions.ConnectionError("Error while reading from socket: connection closed")

    def second(incarnation):
        incarnation.stop_requested = True  # SIGTERM: RQ returns normally

    runs = iter([first, second])

    def start():
        started.append(Incarnation(next(runs)))
        return started[-1]

    outage = Outage("rq worker")
    assert supervise(start, connection, outage, max_delay=2, sleep=sleeps.append) == 0
    assert len(started) == 2 and started[0].discarded and not started[1].discarded
    assert sleeps == [0.5, 1, 2, 2]  # back-off, capped at max_delay
    lines = _warnings(caplog)
    assert len([line for line in lines if "redis unreachable" in line]) == 1, lines
    assert len([line for line in lines if "redis answers again" in line]) == 1, lines
    assert not [line for line in lines if "could not connect" in line or "quitting" in line], lines
    assert outage.outages == 1 and not outage.down


def test_two_outages_are_two_lines_each_and_a_lost_heartbeat_counts(caplog):
    caplog.set_level(logging.INFO)
    connection, outage = FakeRedis(failures=1), Outage("rq scheduler")
    plan = iter(["lost", "lost", "stop"])

    def run(incarnation):
        step = next(plan)
        if step == "stop":
            incarnation.stop_requested = True
            return
        connection.failures = 2
        raise RedisLost("worker w1: Connection refused")

    assert supervise(lambda: Incarnation(run), connection, outage, sleep=lambda _s: None) == 0
    lines = _warnings(caplog)
    assert sum("redis unreachable" in line for line in lines) == 2
    assert sum("redis answers again" in line for line in lines) == 2
    assert outage.outages == 2


def test_any_other_failure_restarts_with_a_pause_and_redis_up_is_not_an_outage(caplog):
    caplog.set_level(logging.INFO)
    connection, sleeps = FakeRedis(failures=0), []
    plan = iter(["boom", "returned", "stop"])

    def run(incarnation):
        step = next(plan)
        if step == "boom":
            raise ValueError("a bug in a rule")
        if step == "stop":
            incarnation.stop_requested = True
        # "returned": RQ's loop ended without a stop request

    assert supervise(lambda: Incarnation(run), connection, Outage("rq worker"), sleep=sleeps.append) == 0
    assert sleeps == [1.0, 2.0]
    lines = _warnings(caplog)
    assert sum("stopped unexpectedly" in line for line in lines) == 2
    assert not any("redis unreachable" in line for line in lines)


def test_a_stop_while_redis_is_away_ends_the_process_quietly():
    connection = FakeRedis(failures=10 ** 6)
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        if len(calls) == 3:
            raise KeyboardInterrupt  # what the signal handler does while waiting

    def run(incarnation):
        raise redis.exceptions.TimeoutError("Timeout reading from socket")

    assert supervise(lambda: Incarnation(run), connection, Outage("rq worker"), sleep=sleep) == 0
    assert len(calls) == 3


def test_an_error_after_a_stop_request_is_a_stop():
    """With Redis gone, RQ's teardown raises while registering its death."""

    def run(incarnation):
        incarnation.stop_requested = True
        raise redis.exceptions.ConnectionError("Connection refused")

    started = []

    def start():
        started.append(Incarnation(run))
        return started[-1]

    assert supervise(start, FakeRedis(0), Outage("rq worker"), sleep=lambda _s: None) == 0
    assert len(started) == 1
