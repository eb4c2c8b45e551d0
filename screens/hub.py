"""One Redis pub/sub subscriber per web process, fanned out to its open streams.

Every stream of a process shares one Redis connection (a pattern
subscription to all halls' channels, read by one daemon thread) instead of
holding one each, so 200 open streams cost 200 idle threads blocked on a
queue, not 200 Redis connections. When the subscriber loses Redis it tells
every stream (`LOST`): each then replays from the hall's event log what it
may have missed, as a reconnecting client would.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time

from booking.events import CHANNEL_PATTERN

log = logging.getLogger("screens.hub")

LOST = ("lost", None)


class Subscription:
    def __init__(self, hall_id: int):
        self.hall_id = hall_id
        self.queue: "queue.SimpleQueue[tuple[str, str | None]]" = queue.SimpleQueue()

    def get(self, timeout: float):
        return self.queue.get(timeout=timeout)


class Hub:
    def __init__(self, redis, idle_seconds: float = 10.0):
        self._redis = redis
        self._idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._subs: dict[int, set[Subscription]] = {}
        self._thread: threading.Thread | None = None
        self._pid = None
        self._stopped = threading.Event()
        self.connected = threading.Event()

    def subscribe(self, hall_id: int) -> Subscription:
        sub = Subscription(hall_id)
        with self._lock:
            self._subs.setdefault(hall_id, set()).add(sub)
            # started on first use in the process that serves (never across a fork)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="screens-hub", daemon=True)
                self._thread.start()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.hall_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.hall_id]

    def open_streams(self) -> int:
        with self._lock:
            return sum(len(subs) for subs in self._subs.values())

    def stop(self) -> None:
        self._stopped.set()

    def _fan_out(self, hall_id: int | None, item) -> None:
        with self._lock:
            targets = [sub for h, subs in self._subs.items() if hall_id is None or h == hall_id for sub in subs]
        for sub in targets:
            sub.queue.put(item)

    def _idle_exit(self, idle_since: float) -> bool:
        """With no stream open for a while the thread ends (and its Redis
        connection closes); the next stream starts another."""
        with self._lock:
            if self._subs or time.monotonic() - idle_since < self._idle_seconds:
                return False
            self._thread = None
            self.connected.clear()
            return True

    def _run(self) -> None:
        backoff = 0.2
        idle_since = time.monotonic()
        while not self._stopped.is_set():
            pubsub = None
            try:
                pubsub = self._redis.pubsub()
                pubsub.psubscribe(CHANNEL_PATTERN)
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if self._subs:
                        idle_since = time.monotonic()
                    elif self._idle_exit(idle_since):
                        return
                    if message is None:
                        continue
                    if message.get("type") == "psubscribe":
                        # from now on no event is missed: streams may read the log
                        self.connected.set()
                        backoff = 0.2
                    elif message.get("type") == "pmessage":
                        self._dispatch(message["channel"], message["data"])
            except Exception:
                if self._idle_exit(float("-inf")):
                    return  # nobody listens: no reconnecting for nobody
                if self.connected.is_set():
                    log.warning("hall events subscriber lost Redis; streams will replay", exc_info=True)
                self.connected.clear()
                self._fan_out(None, LOST)
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass

    def _dispatch(self, channel: str, data: str) -> None:
        try:
            hall_id = int(channel.rsplit(":", 1)[1])
            event_id, body = data.split(" ", 1)
        except (ValueError, IndexError):
            log.warning("malformed hall event ignored", extra={"channel": channel})
            return
        self._fan_out(hall_id, (event_id, body))
