"""The `text/event-stream` of one hall, as a WSGI body that holds no database connection.

Order of work for one connection: subscribe to the process's hub first, then
read the hall's event log (replay after `Last-Event-ID`, or the newest id for
a fresh client), then forward what the hub delivers, skipping what the replay
already sent. So no event falls between the replay and the live feed.

Frames: `id: <Redis stream id>` and `data: <JSON>` (`type` says what changed);
`hello` on connect (re-fetch the state), `resync` when the client's last id
is older than the log keeps (re-fetch, nothing can be replayed), comment
lines as heartbeats, and `retry:` so browsers reconnect after 3 s.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from typing import Iterator

from redis.exceptions import RedisError

from booking.events import stream_key

from .hub import LOST, Hub

log = logging.getLogger("screens.stream")
_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
RETRY_MS = 3000


def parse_id(value: str) -> tuple[int, int]:
    ms, seq = value.split("-")
    return int(ms), int(seq)


def frame(event_id: str | None, data: dict | str) -> str:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}data: {body}\n\n"


def replay(redis, hall_id: int, last_id: str, limit: int) -> list[tuple[str, str]] | None:
    """Events after `last_id`, oldest first; None when they cannot all be
    given (the id is malformed, from before the log's oldest kept entry, or
    from a log that was lost)."""
    if not _ID.match(last_id):
        return None
    key = stream_key(hall_id)
    oldest = redis.xrange(key, "-", "+", count=1)
    newest = redis.xrevrange(key, "+", "-", count=1)
    if not oldest:
        return None if last_id != "0-0" else []
    last = parse_id(last_id)
    if last < parse_id(oldest[0][0]) and last_id != "0-0" or last > parse_id(newest[0][0]):
        return None
    entries = redis.xrange(key, f"({last_id}", "+", count=limit + 1)
    if len(entries) > limit:
        return None
    return [(entry_id, fields["e"]) for entry_id, fields in entries]


def newest_id(redis, hall_id: int) -> str:
    newest = redis.xrevrange(stream_key(hall_id), "+", "-", count=1)
    return newest[0][0] if newest else "0-0"


class HallStream:
    """The response body. `close()` (called by the WSGI server when the client
    goes or the body ends) always releases the stream's slot, even if the body
    was never iterated."""

    def __init__(self, hub: Hub, redis, hall_id: int, last_id: str | None, *, heartbeat: float,
                 max_seconds: float, log_length: int, slot: threading.Semaphore | None = None,
                 connect_wait: float = 2.0):
        self._hub, self._redis, self._hall_id = hub, redis, hall_id
        self._last_id = last_id
        self._heartbeat, self._max_seconds, self._log_length = heartbeat, max_seconds, log_length
        self._slot, self._connect_wait = slot, connect_wait
        self._sub = None
        self._closed = False
        self._body = self._generate()

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._body).encode("utf-8")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._body.close()
        if self._sub is not None:
            self._hub.unsubscribe(self._sub)
        if self._slot is not None:
            self._slot.release()

    def _catch_up(self) -> Iterator[str]:
        """Replay after the last id this client holds, or tell it to resync."""
        events = replay(self._redis, self._hall_id, self._last_id, self._log_length)
        if events is None:
            self._last_id = newest_id(self._redis, self._hall_id)
            yield frame(self._last_id, {"type": "resync", "hall_id": self._hall_id})
            return
        for event_id, body in events:
            self._last_id = event_id
            yield frame(event_id, body)

    def _generate(self) -> Iterator[str]:
        try:
            yield from self._events()
        except RedisError:
            # Redis went away mid-stream: end it; the client reconnects with its last id
            log.warning("hall stream ended: Redis unavailable", extra={"hall_id": self._hall_id})

    def _events(self) -> Iterator[str]:
        self._sub = self._hub.subscribe(self._hall_id)
        yield f"retry: {RETRY_MS}\n\n"
        self._hub.connected.wait(self._connect_wait)
        if self._last_id:
            yield from self._catch_up()
        else:
            self._last_id = newest_id(self._redis, self._hall_id)
            yield frame(self._last_id, {"type": "hello", "hall_id": self._hall_id})
        deadline = time.monotonic() + self._max_seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return  # the client reconnects with its Last-Event-ID; access is checked again
            try:
                item = self._sub.get(timeout=min(self._heartbeat, left))
            except queue.Empty:
                yield ": heartbeat\n\n"
                continue
            if item is LOST:
                self._hub.connected.wait(self._connect_wait)
                yield from self._catch_up()
                continue
            event_id, body = item
            if parse_id(event_id) <= parse_id(self._last_id):
                continue  # sent by the replay already
            self._last_id = event_id
            yield frame(event_id, body)
