"""What did not work: failed periods, dead-lettered outbox messages, failed
RQ jobs. Listed by `flask jobs status`, retried by `flask jobs retry` and
`flask outbox retry`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import outbox
from .models import JobRun


def last_runs(session: Session) -> dict[str, JobRun]:
    """The latest run of each rule."""
    latest = (select(JobRun.rule, func.max(JobRun.id).label("id")).group_by(JobRun.rule).subquery())
    rows = session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))
    return {run.rule: run for run in rows}


def failed_runs(session: Session, limit: int = 50) -> list[JobRun]:
    return list(session.scalars(select(JobRun).where(JobRun.status == "failed")
                                .order_by(JobRun.id.desc()).limit(limit)))


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(outbox.OutboxMessage.status, func.count()).group_by(outbox.OutboxMessage.status))
    return {status: count for status, count in rows}


def dead_messages(session: Session, limit: int = 50) -> list[outbox.OutboxMessage]:
    return list(session.scalars(select(outbox.OutboxMessage).where(outbox.OutboxMessage.status == "failed")
                                .order_by(outbox.OutboxMessage.id.desc()).limit(limit)))


def retry_message(session: Session, message_id: int, now: datetime) -> bool:
    """Give a dead-lettered message a fresh set of attempts, due now. Only a
    failed message moves (a sent one is never sent twice)."""
    result = session.execute(update(outbox.OutboxMessage)
                             .where(outbox.OutboxMessage.id == message_id, outbox.OutboxMessage.status == "failed")
                             .values(status="pending", attempts=0, available_at=now, finished_at=None,
                                     claimed_by=None, claimed_until=None)
                             .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def retry_all_messages(session: Session, now: datetime) -> int:
    result = session.execute(update(outbox.OutboxMessage).where(outbox.OutboxMessage.status == "failed")
                             .values(status="pending", attempts=0, available_at=now, finished_at=None,
                                     claimed_by=None, claimed_until=None)
                             .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount
