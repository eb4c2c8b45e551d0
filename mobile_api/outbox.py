"""The transactional outbox: side effects happen after commit.

A service that must tell the outside world something (a WeChat message, a
webhook) calls `enqueue` with the same session as the change that causes it,
so the message exists exactly when the change does. A worker then delivers:
it claims a message (row lock with SKIP LOCKED on PostgreSQL, a conditional
UPDATE elsewhere), calls the handler registered for the topic, and records the
outcome; failures retry with exponential backoff up to `max_attempts`.

Handlers must be idempotent: they receive the message id and dedupe on it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .uow import working

log = logging.getLogger("mobile_api.outbox")

# Topic every package uses to tell a citizen something; the wechat package
# registers its handler (subscribe messages). Payload:
# {"citizen_id": int, "event": str, "data": {...}}
# events: booking_confirmed, booking_reminder, called_to_window,
#         application_status_changed, case_replied, rating_invitation
CITIZEN_NOTIFY = "citizen.notify"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), nullable=False)
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    # pending|sending|sent|failed|skipped, or retried: a failed message sent
    # again as a new one by `flask outbox retry` (result: {"retried_as": id})
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=6)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("topic", "dedupe_key"),
        Index("ix_outbox_due", "status", "available_at"),
    )


@dataclass
class DeliveryOutcome:
    status: str  # sent | skipped | retry | failed
    detail: str | None = None
    result: dict | None = None


class PermanentFailure(Exception):
    """A handler raises this when retrying cannot help."""


Handler = Callable[[Session, OutboxMessage, datetime], DeliveryOutcome]
_HANDLERS: dict[str, Handler] = {}


def register_handler(topic: str, handler: Handler) -> None:
    _HANDLERS[topic] = handler


def handler_for(topic: str) -> Handler | None:
    return _HANDLERS.get(topic)


def enqueue(session: Session, topic: str, payload: dict, now: datetime, dedupe_key: str | None = None,
            delay: timedelta | None = None, max_attempts: int = 6) -> OutboxMessage | None:
    """Add a message to the caller's transaction. With a `dedupe_key`, a second
    message for the same topic and key is ignored (returns None)."""
    message = OutboxMessage(topic=topic, payload=payload, dedupe_key=dedupe_key, status="pending",
                            attempts=0, max_attempts=max_attempts, available_at=now + (delay or timedelta()),
                            created_at=now)
    if dedupe_key is None:
        session.add(message)
        session.flush()
        return message
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def claim_batch(session: Session, worker_id: str, now: datetime, limit: int = 20,
                lease: timedelta = timedelta(minutes=2)) -> list[int]:
    """Claim due messages for this worker, in the caller's unit of work (which
    commits the claim before anything is delivered). Two workers never claim
    the same message: the claim is a conditional UPDATE on the status."""
    topics = sorted(_HANDLERS)
    if not topics:
        return []
    # Only topics this process can deliver: a message for a channel nobody
    # delivers yet (e.g. staff notices) waits, instead of failing its attempts.
    stmt = (select(OutboxMessage.id)
            .where(OutboxMessage.topic.in_(topics))
            .where(((OutboxMessage.status == "pending") & (OutboxMessage.available_at <= now))
                   | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now)))
            .order_by(OutboxMessage.available_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True))
    candidates = list(session.scalars(stmt))
    claimed = []
    for message_id in candidates:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id,
                   ((OutboxMessage.status == "pending") | ((OutboxMessage.status == "sending")
                                                          & (OutboxMessage.claimed_until < now))))
            .values(status="sending", claimed_by=worker_id, claimed_until=now + lease,
                    attempts=OutboxMessage.attempts + 1)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    return claimed


def deliver_one(session: Session, message_id: int, worker_id: str, now: datetime) -> str:
    """Deliver one claimed message in a unit of work of its own; whatever the
    handler did is rolled back if it fails, and the outcome is then recorded
    in another."""
    outcome = None
    try:
        with working(session, None, name="outbox delivery"):
            message = session.get(OutboxMessage, message_id, populate_existing=True)
            if message is None or message.status != "sending" or message.claimed_by != worker_id:
                return "lost"
            handler = handler_for(message.topic)
            if handler is None:
                outcome = DeliveryOutcome("retry", f"no handler registered for topic {message.topic}")
            else:
                outcome = handler(session, message, now)
    except PermanentFailure as exc:
        outcome = DeliveryOutcome("failed", str(exc))
    except Exception as exc:  # a handler bug or a network error: try again later
        log.warning("outbox delivery error", extra={"message_id": message_id, "error": repr(exc)})
        outcome = DeliveryOutcome("retry", repr(exc)[:500])
    with working(session, None, name="outbox outcome"):
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        if outcome.status == "retry" and message.attempts >= message.max_attempts:
            outcome = DeliveryOutcome("failed", f"gave up after {message.attempts} attempts: {outcome.detail}")
        if outcome.status == "retry":
            message.status = "pending"
            message.available_at = now + _backoff(message.attempts)
        else:
            message.status = outcome.status
            message.finished_at = now
        message.last_error = outcome.detail if outcome.status != "sent" else None
        message.result = outcome.result
        message.claimed_until = None
    return message.status


def work_once(session: Session, worker_id: str, now: datetime, limit: int = 20) -> dict[str, int]:
    """One round: claim due messages (committed), then deliver each in its own unit of work."""
    with working(session, None, name="outbox claim"):
        claimed = claim_batch(session, worker_id, now, limit)
    counts: dict[str, int] = {}
    for message_id in claimed:
        status = deliver_one(session, message_id, worker_id, now)
        counts[status] = counts.get(status, 0) + 1
    return counts
