"""Is the clock of every periodic rule still ticking?

A rule whose latest run started more than JOBS_STALLED_AFTER_PERIODS of its
periods ago is STALLED: no scheduler enqueues it, no worker runs it, or
every copy is refused. `/metrics` (`fingertip_job_last_run_timestamp_seconds`,
`fingertip_job_stalled`) and `flask jobs status` show it, read from
`job_runs`, so an operator can alert on it whichever process answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask

from .dead_letters import last_runs
from .models import JobRun
from .registry import periodic_rules


@dataclass(frozen=True)
class RuleClock:
    rule: str
    every: timedelta
    last: JobRun | None
    stalled: bool

    @property
    def last_started_at(self) -> datetime | None:
        return self.last.started_at if self.last is not None else None


def rule_clocks(app: Flask, session, now: datetime) -> list[RuleClock]:
    periods = app.config["JOBS_STALLED_AFTER_PERIODS"]
    latest = last_runs(session)
    clocks = []
    for rule in periodic_rules(app).values():
        run = latest.get(rule.name)
        # Never run counts as stalled: a rule nobody runs is the alarm.
        stalled = run is None or run.started_at < now - periods * rule.every
        clocks.append(RuleClock(rule.name, rule.every, run, stalled))
    return clocks


def _read(app: Flask) -> list[RuleClock]:
    with app.extensions["db"].new_session() as session:
        return rule_clocks(app, session, app.extensions["clock"].now())


def last_run_timestamps(app: Flask):
    return [((clock.rule,), clock.last_started_at.timestamp()) for clock in _read(app)
            if clock.last_started_at is not None]


def stalled_flags(app: Flask):
    return [((clock.rule,), 1.0 if clock.stalled else 0.0) for clock in _read(app)]


def rq_queues(app: Flask):
    from . import rq_runtime

    return [{"queue": rq_runtime.queue(app).name, "depth": rq_runtime.queue(app).count,
             "failed": len(rq_runtime.failed_registry(app))}]


def register_metrics(app: Flask) -> None:
    from ..metrics import register_gauge_source, register_job_queue_source

    register_gauge_source(app, "fingertip_job_last_run_timestamp_seconds",
                          "每条周期规则最近一次运行的开始时间 (Unix 秒)", ["rule"], last_run_timestamps)
    register_gauge_source(app, "fingertip_job_stalled",
                          "周期规则停滞: 最近一次运行早于 JOBS_STALLED_AFTER_PERIODS 个周期 (或从未运行) 为 1",
                          ["rule"], stalled_flags)
    register_job_queue_source(app, rq_queues)
