"""RQ on the app's Redis: the queue, a worker and the cron scheduler.

RQ pickles jobs, so it needs a Redis client that returns bytes; the app's
shared client decodes to str. Both point at the same REDIS_URL.
"""

from __future__ import annotations

import redis
from flask import Flask
from rq import Queue
from rq.cron import CronScheduler
from rq.registry import FailedJobRegistry
from rq.worker import SimpleWorker

from .registry import periodic_rules
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


def build_worker(app: Flask, name: str | None = None) -> SimpleWorker:
    # SimpleWorker runs jobs in this process (no fork per job): the app, its
    # engine pool and its registered rules stay warm, and a forked child never
    # inherits pooled database connections. Timeouts still apply (SIGALRM).
    return SimpleWorker([queue(app)], connection=rq_connection(app), name=name)


def build_scheduler(app: Flask, name: str = "") -> CronScheduler:
    """RQ's own cron scheduler, one interval job per registered rule. Every
    scheduler process enqueues every period; job_runs lets one copy work."""
    scheduler = CronScheduler(connection=rq_connection(app), name=name)
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
