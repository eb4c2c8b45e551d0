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


def retry_message(session: Session, message_id: int, now: datetime) -> int | None:
    """Send a dead-lettered message again, as a new message due now; the id of
    the new message, or None if `message_id` is not a failed message.

    A new message, not the old one reset: handlers decide each message id at
    most once (the WeChat handler never sends a message id twice), so a retry
    the operator asks for is a fresh delivery. The old row becomes `retried`
    (a conditional UPDATE, so two operators retrying at once make one copy)
    and points to its copy."""
    moved = session.execute(update(outbox.OutboxMessage)
                            .where(outbox.OutboxMessage.id == message_id, outbox.OutboxMessage.status == "failed")
                            .values(status="retried", finished_at=now)
                            .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return None
    old = session.get(outbox.OutboxMessage, message_id, populate_existing=True)
    copy = outbox.OutboxMessage(topic=old.topic, payload=old.payload,
                                dedupe_key=f"retry-of:{old.id}"[:128], status="pending", attempts=0,
                                max_attempts=old.max_attempts, available_at=now, created_at=now)
    session.add(copy)
    session.flush()
    old.result = {"retried_as": copy.id}
    return copy.id


def retry_all_messages(session: Session, now: datetime) -> list[tuple[int, int]]:
    """(old id, new id) for every dead-lettered message sent again."""
    ids = list(session.scalars(select(outbox.OutboxMessage.id).where(outbox.OutboxMessage.status == "failed")
                               .order_by(outbox.OutboxMessage.id)))
    retried = []
    for message_id in ids:
        new_id = retry_message(session, message_id, now)
        if new_id is not None:
            retried.append((message_id, new_id))
    return retried
