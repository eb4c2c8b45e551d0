"""The job engine: every rule that runs on the clock, on RQ.

- Packages register rules in their `init_app` with `register_periodic(app,
  name, fn)`; the cadences are all in `schedule.py`.
- `flask jobs scheduler` (RQ's CronScheduler) enqueues each rule every period,
  `flask jobs worker` runs them; any number of either may run.
- `job_runs` in the database decides which copy of a period does the work
  (`runs.claim`), so Redis can be lost without a period running twice.
- The outbox stays the database table it is: the rule
  `platform.outbox_delivery` only triggers delivery rounds, each message with
  its own retries and back-off; dead messages wait for `flask outbox retry`.
"""

from __future__ import annotations

import os
import socket

from flask import Flask

from .registry import periodic_rules, register_periodic

__all__ = ["init_app", "periodic_rules", "process_clock", "register_periodic", "register_status_source"]


def register_status_source(app: Flask, lines) -> None:
    """`lines(session)` returns lines that `flask jobs status` prints after the
    outbox's own (a package's backlog that an operator must see, e.g. staff
    notices nobody has read)."""
    app.extensions.setdefault("jobs_status_sources", []).append(lines)


def process_clock(app: Flask):
    """The system clock; moved by TEST_CLOCK_OFFSET_SECONDS (test-only), and
    in development by the demo clock (`flask demo clock`)."""
    from ..clock import DemoClock, OffsetClock, SystemClock
    from ..settings import register_settings
    from .settings import SETTINGS

    register_settings(app, SETTINGS)
    offset = app.config["TEST_CLOCK_OFFSET_SECONDS"]
    env_name = app.config["APP_CONFIG"].ENV_NAME
    if offset and env_name == "production":
        raise RuntimeError("TEST_CLOCK_OFFSET_SECONDS: production runs on the real clock")
    if env_name == "development":
        from ..demo import demo_clock_file

        return DemoClock(demo_clock_file(), offset)
    return OffsetClock(offset) if offset else SystemClock()


def deliver_due_outbox(session, clock, app) -> dict[str, int]:
    """Delivery rounds until nothing is due (bounded per period, so one run
    cannot go on for ever behind a huge backlog)."""
    from .. import outbox

    worker = f"{socket.gethostname()}:{os.getpid()}"
    totals: dict[str, int] = {}
    for _ in range(app.config["JOBS_OUTBOX_MAX_BATCHES"]):
        counts = outbox.work_once(session, worker, clock.now(), limit=app.config["JOBS_OUTBOX_BATCH_SIZE"])
        for status, count in counts.items():
            totals[status] = totals.get(status, 0) + count
        if not counts:
            break
    return totals


def init_app(app: Flask) -> None:
    from ..cli import outbox_cli  # noqa: F401  (`flask outbox retry` is added to it by .cli)
    from ..settings import register_settings
    from .cli import jobs_cli
    from .settings import SETTINGS

    from .clock_health import register_metrics

    register_settings(app, SETTINGS)  # again when a test passed its own clock: idempotent
    register_periodic(app, "platform.outbox_delivery", deliver_due_outbox,
                      "投递到期的发件箱消息 (含预约提醒)")
    register_metrics(app)
    app.cli.add_command(jobs_cli)
