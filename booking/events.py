"""A hall's live events: what changed on its queues, told to every process.

Publishing happens after the unit of work commits (an event about a change
that then rolled back would send boards to re-fetch for nothing, and one sent
before the commit would make them re-fetch the old state). Each event goes,
in one server-side script so both see the same order, into

- the hall's capped event log, a Redis stream `hall:<id>:events` (its entry id
  is the event id that a reconnecting client sends back as `Last-Event-ID`),
- and the pub/sub channel `hall-events:<id>`, which each web process's
  subscriber thread fans out to the streams it holds open (screens/).

An event only says what changed; clients re-fetch the state. Redis is
disposable: if it is down the change still stands, the event is lost, and
clients heal at their next reconnect or periodic re-fetch.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy.orm import Session

from mobile_api import uow

log = logging.getLogger("booking.events")

TYPES = ("ticket.called", "ticket.recalled", "ticket.serving", "ticket.skipped", "ticket.completed",
         "ticket.transferred", "ticket.requeued", "ticket.returned", "queue.changed", "hall.notice")
DEFAULT_LOG_LENGTH = 500

# KEYS[1] stream, KEYS[2] channel; ARGV[1] max length, ARGV[2] the event's JSON.
_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[2])
return id
"""


def stream_key(hall_id: int) -> str:
    return f"hall:{hall_id}:events"


def channel(hall_id: int) -> str:
    return f"hall-events:{hall_id}"


CHANNEL_PATTERN = "hall-events:*"


def publish_now(redis, hall_id: int, event: dict, log_length: int = DEFAULT_LOG_LENGTH) -> str:
    """Log and broadcast one event; returns its id."""
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=str)
    return redis.eval(_PUBLISH, 2, stream_key(hall_id), channel(hall_id), log_length, body)


def publish(session: Session, hall_id: int, kind: str, at: datetime, **data) -> None:
    """Tell the hall's screens that `kind` happened, once this unit of work has committed."""
    if kind not in TYPES:
        raise ValueError(f"unknown hall event {kind}")
    event = {"type": kind, "hall_id": hall_id, "at": at.isoformat(), **data}

    def send() -> None:
        from flask import current_app  # the app's Redis and settings: infrastructure, not a rule

        try:
            publish_now(current_app.extensions["redis"], hall_id, event,
                        current_app.config.get("SCREENS_EVENT_LOG_LENGTH", DEFAULT_LOG_LENGTH))
        except Exception:  # the change is committed; a lost event heals at the next re-fetch
            log.warning("hall event not published", exc_info=True, extra={"hall_id": hall_id, "type": kind})

    uow.of(session).after_commit(send)


def ticket_event(session: Session, kind: str, ticket, at: datetime, window=None, **extra) -> None:
    """A ticket's change: its number, queue and (when called) the window; no personal data."""
    publish(session, ticket.hall_id, kind, at, ticket_id=ticket.id, number=ticket.display,
            queue_id=ticket.queue_id, window=getattr(window, "number", None),
            window_id=getattr(window, "id", None), **extra)
