"""RQ on the app's Redis: the queue, a worker and the cron scheduler.

RQ pickles jobs, so it needs a Redis client that returns bytes; the app's
shared client decodes to str. Both point at the same REDIS_URL.
"""

from __future__ import annotations

from contextlib import suppress

import redis
from flask import Flask
from rq import Queue
from rq.cron import CronScheduler
from rq.registry import FailedJobRegistry
from rq.worker import SimpleWorker

from .registry import periodic_rules
from .supervise import RedisLost
from .tasks import run_periodic

FAILED_JOB_TTL_SECONDS = 7 * 24 * 3600
RESULT_TTL_SECONDS = 24 * 3600


def rq_connection(app: Flask) -> redis.Redis:
    """A bytes client on REDIS_URL, one per app."""
    connection = app.extensions.get("rq_redis")
    if connection is not None:
        return connection
    connection = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=10, socket_connect_timeout=5,
                                      health_check_interval=30)
    app.extensions["rq_redis"] = connection
    return connection


def queue(app: Flask) -> Queue:
    return Queue(app.config["JOBS_QUEUE"], connection=rq_connection(app))


class SupervisedWorker(SimpleWorker):
    """A SimpleWorker that hands a lost Redis to `supervise` instead of
    retrying inside its dequeue loop (which logs every attempt and never
    registers the worker again with a restarted Redis)."""

    stop_requested = False
    lost_redis: BaseException | None = None

    def request_stop(self, signum, frame):
        self.stop_requested = True
        super().request_stop(signum, frame)

    def heartbeat(self, timeout=None, pipeline=None):
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        try:
            return super().heartbeat(timeout, pipeline)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            self.lost_redis = exc
            # Not a redis error, so RQ's dequeue loop lets it through.
            raise RedisLost(f"worker {self.name}: {exc}") from exc

    def run(self) -> None:
        self.work(burst=False, with_scheduler=False)

    def discard(self) -> None:
        """Forget this incarnation: stop its pub/sub thread (it would retry
        Redis every 2 s for ever) and mark it dead if Redis still knows it."""
        thread = getattr(self, "pubsub_thread", None)
        if thread is not None:
            thread.stop()
        with suppress(Exception):
            self.pubsub.close()
        with suppress(Exception):
            self.register_death()


class SupervisedCronScheduler(CronScheduler):
    stop_requested = False
    lost_redis = None

    def _request_stop(self, signum, frame):
        self.stop_requested = True
        super()._request_stop(signum, frame)

    def run(self) -> None:
        self.start()

    def discard(self) -> None:
        with suppress(Exception):
            self.register_death()


def build_worker(app: Flask, name: str | None = None) -> SupervisedWorker:
    # SimpleWorker runs jobs in this process (no fork per job): the app, its
    # engine pool and its registered rules stay warm, and a forked child never
    # inherits pooled database connections. Timeouts still apply (SIGALRM).
    return SupervisedWorker([queue(app)], connection=rq_connection(app), name=name)


def build_scheduler(app: Flask, name: str = "") -> SupervisedCronScheduler:
    """RQ's own cron scheduler, one interval job per registered rule. Every
    scheduler process enqueues every period; job_runs lets one copy work."""
    scheduler = SupervisedCronScheduler(connection=rq_connection(app), name=name)
    timeout = app.config["JOBS_RUN_TIMEOUT_SECONDS"]
    for rule in periodic_rules(app).values():
        every = int(rule.every.total_seconds())
        scheduler.register(run_periodic, app.config["JOBS_QUEUE"], args=(rule.name,), interval=every,
                           name=rule.name, job_timeout=timeout,
                           # A copy left waiting longer than its period is
                           # stale: the next period's copy does the work.
                           ttl=max(every, 60), result_ttl=RESULT_TTL_SECONDS,
                           failure_ttl=FAILED_JOB_TTL_SECONDS)
    return scheduler


def failed_registry(app: Flask) -> FailedJobRegistry:
    return FailedJobRegistry(queue=queue(app))
