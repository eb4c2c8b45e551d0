"""The stream body against a real Redis: live fan-out through each process's
hub, no gap and no duplicate between replay and live, healing after the
subscriber lost Redis, and the stream's slot given back however it ends."""

from __future__ import annotations

import json
import threading
import time

from booking.events import publish_now
from screens.hub import LOST, Hub
from screens.stream import HallStream

HALL = 7


def read_frames(stream: HallStream, count: int, timeout: float = 5.0) -> list[dict]:
    """The next `count` data frames (heartbeats and retry lines skipped), read in a thread."""
    got: list[dict] = []

    def reader():
        for chunk in stream:
            text = chunk.decode()
            if text.startswith(":") or text.startswith("retry:"):
                continue
            fields = dict(line.split(": ", 1) for line in text.strip().splitlines())
            got.append({"id": fields.get("id"), **json.loads(fields["data"])})
            if len(got) >= count:
                return

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    return got


def opened(hub, redis, last_id=None, slot=None, **kwargs) -> HallStream:
    return HallStream(hub, redis, HALL, last_id, heartbeat=kwargs.pop("heartbeat", 5), max_seconds=30,
                      log_length=100, slot=slot, **kwargs)


def test_an_event_reaches_the_streams_of_every_process_in_well_under_a_second(redis_client):
    hubs = [Hub(redis_client), Hub(redis_client)]  # two web processes
    streams = [opened(hub, redis_client) for hub in hubs]
    try:
        for stream in streams:
            assert read_frames(stream, 1)[0]["type"] == "hello"
        started = time.monotonic()
        event_id = publish_now(redis_client, HALL, {"type": "ticket.called", "number": "A001", "window": "03"})
        for stream in streams:
            frame = read_frames(stream, 1)[0]
            assert frame == {"id": event_id, "type": "ticket.called", "number": "A001", "window": "03"}
        assert time.monotonic() - started < 1.0
    finally:
        for stream in streams:
            stream.close()
        for hub in hubs:
            hub.stop()


def test_events_of_other_halls_are_not_sent(redis_client):
    hub = Hub(redis_client)
    stream = opened(hub, redis_client)
    try:
        read_frames(stream, 1)
        publish_now(redis_client, HALL + 1, {"type": "queue.changed"})
        mine = publish_now(redis_client, HALL, {"type": "queue.changed"})
        assert [f["id"] for f in read_frames(stream, 1)] == [mine]
    finally:
        stream.close()
        hub.stop()


def test_replay_then_live_without_duplicates(redis_client):
    hub = Hub(redis_client)
    first = publish_now(redis_client, HALL, {"type": "queue.changed", "n": 1})
    second = publish_now(redis_client, HALL, {"type": "queue.changed", "n": 2})
    stream = opened(hub, redis_client, last_id=first)
    try:
        assert [f["id"] for f in read_frames(stream, 1)] == [second]
        third = publish_now(redis_client, HALL, {"type": "queue.changed", "n": 3})
        assert [f["id"] for f in read_frames(stream, 1)] == [third]
    finally:
        stream.close()
        hub.stop()


def test_after_the_subscriber_lost_redis_the_stream_replays_what_it_missed(redis_client):
    hub = Hub(redis_client)
    stream = opened(hub, redis_client)
    try:
        read_frames(stream, 1)
        # published while this process's subscriber was away: only the log has it
        missed = redis_client.xadd("hall:7:events", {"e": json.dumps({"type": "ticket.skipped"})})
        hub._fan_out(None, LOST)
        frames = read_frames(stream, 1)
        assert [(f["id"], f["type"]) for f in frames] == [(missed, "ticket.skipped")]
    finally:
        stream.close()
        hub.stop()


def test_heartbeats_keep_an_idle_stream_talking(redis_client):
    hub = Hub(redis_client)
    stream = opened(hub, redis_client, heartbeat=0.2)
    try:
        chunks = []
        for chunk in stream:
            chunks.append(chunk.decode())
            if len(chunks) == 4:
                break
        assert chunks[0].startswith("retry:") and chunks[2] == ": heartbeat\n\n"
    finally:
        stream.close()
        hub.stop()


def test_the_slot_comes_back_even_for_a_body_never_read(redis_client):
    hub = Hub(redis_client)
    slot = threading.BoundedSemaphore(1)
    assert slot.acquire(blocking=False)
    opened(hub, redis_client, slot=slot).close()
    assert slot.acquire(blocking=False)
    slot.release()
    hub.stop()


def test_redis_lost_mid_stream_ends_the_stream_instead_of_failing(redis_client, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    hub = Hub(redis_client)
    stream = opened(hub, redis_client, last_id="1-0")

    def down(*args, **kwargs):
        raise RedisDown("down")

    monkeypatch.setattr(redis_client, "xrange", down)
    chunks = [chunk.decode() for chunk in stream]  # ends by itself
    assert chunks == ["retry: 3000\n\n"]
    stream.close()
    hub.stop()
