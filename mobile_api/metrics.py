"""Prometheus metrics at `/metrics`, for operators.

- request rate and latency by route (the URL rule, not the raw path, so ids
  do not explode the label set): `fingertip_http_requests_total`,
  `fingertip_http_request_duration_seconds`;
- gauges read at scrape time from the database or a queue, contributed by
  whoever owns the data through `register_gauge_source` (the shell's outbox
  backlog by status; booking's appointments and tickets of the day) and
  `register_job_queue_source` (the job engine's queue depth and failures).

Access: with METRICS_TOKEN set, a `Authorization: Bearer <token>` header;
without it, only direct loopback requests (no X-Forwarded-For), so a proxy in
front never exposes it by accident.

Several gunicorn workers: set PROMETHEUS_MULTIPROC_DIR to an empty directory
(per start) and the counters of every worker are summed at scrape time
(prometheus_client's multiprocess mode); the gauges read the database, so
they are the same whichever worker answers.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from .errors import Forbidden, Unauthorized

log = logging.getLogger("mobile_api.metrics")

LOOPBACK = {"127.0.0.1", "::1"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class GaugeSource:
    name: str
    documentation: str
    labelnames: tuple[str, ...]
    read: Callable[[Flask], Iterable[tuple[tuple[str, ...], float]]]


def register_gauge_source(app: Flask, name: str, documentation: str, labelnames: Iterable[str],
                          read: Callable[[Flask], Iterable[tuple[tuple[str, ...], float]]]) -> None:
    """`read(app)` yields (label values, value) pairs when /metrics is scraped."""
    app.extensions.setdefault("metric_sources", []).append(GaugeSource(name, documentation, tuple(labelnames), read))


def register_job_queue_source(app: Flask, read: Callable[[Flask], Iterable[dict]]) -> None:
    """For the job engine: `read(app)` yields {"queue": name, "depth": n, "failed": n} per queue."""
    app.extensions.setdefault("job_queue_sources", []).append(read)


class _ScrapeTimeCollector:
    """Reads every registered source when scraped; a failing source is logged
    and left out, so one broken dependency does not blank the whole page."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        for source in self.app.extensions.get("metric_sources", []):
            family = GaugeMetricFamily(source.name, source.documentation, labels=source.labelnames)
            try:
                for labels, value in source.read(self.app):
                    family.add_metric(list(labels), value)
            except Exception as exc:  # scraped every few seconds: one short line, no traceback
                log.warning("metric source failed", extra={"metric": source.name, "error": repr(exc)[:300]})
                continue
            yield family
        depth = GaugeMetricFamily("fingertip_job_queue_depth", "等待执行的任务数", labels=["queue"])
        failed = GaugeMetricFamily("fingertip_job_failed", "失败的任务数", labels=["queue"])
        for read in self.app.extensions.get("job_queue_sources", []):
            try:
                for queue in read(self.app):
                    depth.add_metric([queue["queue"]], queue["depth"])
                    failed.add_metric([queue["queue"]], queue.get("failed", 0))
            except Exception as exc:
                log.warning("job queue source failed", extra={"error": repr(exc)[:300]})
        yield depth
        yield failed


def outbox_backlog(app: Flask):
    from .outbox import OutboxMessage

    with app.extensions["db"].new_session() as session:
        rows = session.execute(select(OutboxMessage.status, func.count())
                               .group_by(OutboxMessage.status)).all()
    counts = {"pending": 0, "sending": 0, "failed": 0}
    counts.update({status: count for status, count in rows if status not in ("sent", "skipped")})
    return [((status,), count) for status, count in sorted(counts.items())]


def _authorise() -> None:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise Unauthorized("需要监控令牌 (METRICS_TOKEN)", code="metrics.unauthorized")
        return
    if request.remote_addr not in LOOPBACK or request.headers.get("X-Forwarded-For"):
        raise Forbidden("监控指标仅对本机开放; 远程抓取请设置 METRICS_TOKEN", code="metrics.forbidden")


def _scrape_registry(app: Flask) -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_ScrapeTimeCollector(app))
        return registry
    return app.extensions["metrics_registry"]


def init_app(app: Flask) -> None:
    # One registry per app: tests build many apps in one process.
    registry = CollectorRegistry()
    requests_total = Counter("fingertip_http_requests_total", "HTTP 请求数", ["method", "route", "status"],
                             registry=registry)
    latency = Histogram("fingertip_http_request_duration_seconds", "HTTP 请求耗时 (秒)", ["method", "route"],
                        registry=registry, buckets=LATENCY_BUCKETS)
    registry.register(_ScrapeTimeCollector(app))
    app.extensions["metrics_registry"] = registry
    register_gauge_source(app, "fingertip_outbox_backlog", "发件箱中未投递完的消息数 (按状态)", ["status"],
                          outbox_backlog)

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        requests_total.labels(request.method, route, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            latency.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics():
        _authorise()
        return Response(generate_latest(_scrape_registry(app)), content_type=CONTENT_TYPE_LATEST)
