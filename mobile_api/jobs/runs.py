"""Claiming and recording periods of periodic rules in `job_runs`.

A run is claimed by INSERTing its (rule, period) row and committing before
the work starts: the unique constraint admits one claimant per period however
many schedulers enqueued it or workers picked it up. The work itself stays
idempotent (every rule recomputes from the database), so a period retried
after a failure, or a crashed run taken over after its lease, does no harm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api.actor import SYSTEM
from mobile_api.uow import unit_of_work

from .models import JobRun
from .periods import period_key

log = logging.getLogger("mobile_api.jobs")

# fn(session, clock, app) does the rule's work in the unit of work `execute` opens and
# returns a small JSON-able summary (counts).
RuleFunction = Callable[[Session, Any, Any], Any]


@dataclass(frozen=True)
class PeriodicRule:
    name: str
    every: timedelta
    fn: RuleFunction
    description: str = ""


@dataclass(frozen=True)
class RunOutcome:
    rule: str
    period: str
    status: str  # done | skipped | failed
    result: Any = None
    error: str | None = None

    def as_dict(self) -> dict:
        return {"rule": self.rule, "period": self.period, "status": self.status, "result": self.result,
                "error": self.error}


def claim(session: Session, rule: str, period: str, now: datetime, worker: str, lease: timedelta) -> int | None:
    """The run's id if this caller owns the period now, else None (someone else
    ran it, runs it, or it failed and waits for an explicit retry)."""
    run = JobRun(rule=rule, period_key=period, status="running", attempts=1, worker=worker[:128],
                 started_at=now, lease_until=now + lease)
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        # Taken: only a run whose worker died (lease passed) may be taken over.
        taken_over = session.execute(
            update(JobRun).where(JobRun.rule == rule, JobRun.period_key == period, JobRun.status == "running",
                                 JobRun.lease_until < now)
            .values(attempts=JobRun.attempts + 1, worker=worker[:128], started_at=now, lease_until=now + lease)
            .execution_options(synchronize_session=False))
        run_id = None
        if taken_over.rowcount == 1:
            run_id = session.scalar(select(JobRun.id).where(JobRun.rule == rule, JobRun.period_key == period))
        return run_id
    return run.id


def reclaim_failed(session: Session, run_id: int, now: datetime, worker: str, lease: timedelta) -> bool:
    """Retry a failed period: failed -> running, for exactly one caller."""
    result = session.execute(update(JobRun).where(JobRun.id == run_id, JobRun.status == "failed")
                             .values(status="running", attempts=JobRun.attempts + 1, worker=worker[:128],
                                     started_at=now, lease_until=now + lease, error=None, finished_at=None)
                             .execution_options(synchronize_session=False))
    return result.rowcount == 1


def finish(session: Session, run_id: int, now: datetime, result: Any) -> None:
    session.execute(update(JobRun).where(JobRun.id == run_id)
                    .values(status="done", finished_at=now, result=_jsonable(result), error=None)
                    .execution_options(synchronize_session=False))


def fail(session: Session, run_id: int, now: datetime, error: str) -> None:
    session.execute(update(JobRun).where(JobRun.id == run_id)
                    .values(status="failed", finished_at=now, error=error[:2000])
                    .execution_options(synchronize_session=False))


def execute(app, rule: PeriodicRule, run_id: int, period: str) -> RunOutcome:
    """Do the work of a claimed run and record how it ended."""
    clock = app.extensions["clock"]
    try:
        with unit_of_work(app, SYSTEM, name=f"job:{rule.name}") as work:
            result = rule.fn(work.session, work.clock, app)
    except Exception as exc:  # recorded, then re-raised by the caller for RQ's failed registry
        log.exception("periodic rule failed", extra={"rule": rule.name, "period": period})
        error = f"{type(exc).__name__}: {exc}"
        with unit_of_work(app, SYSTEM, name="job run failed") as record:
            fail(record.session, run_id, clock.now(), error)
        return RunOutcome(rule.name, period, "failed", error=error)
    with unit_of_work(app, SYSTEM, name="job run done") as record:
        finish(record.session, run_id, clock.now(), result)
    return RunOutcome(rule.name, period, "done", result=_jsonable(result))


def run_period(app, rule: PeriodicRule, worker: str, lease: timedelta) -> RunOutcome:
    """Run the rule for the period the clock is in now, unless that period is taken."""
    clock = app.extensions["clock"]
    now = clock.now()
    period = period_key(now, rule.every)
    # The claim commits before the work starts: one claimant per period.
    with unit_of_work(app, SYSTEM, name="job claim") as work:
        run_id = claim(work.session, rule.name, period, now, worker, lease)
    if run_id is None:
        return RunOutcome(rule.name, period, "skipped")
    return execute(app, rule, run_id, period)


def _jsonable(result: Any) -> Any:
    if result is None or isinstance(result, (int, float, str, bool)):
        return result
    if isinstance(result, dict):
        return {str(key): _jsonable(value) for key, value in result.items()}
    if isinstance(result, (list, tuple)):
        return [_jsonable(value) for value in result]
    return str(result)
