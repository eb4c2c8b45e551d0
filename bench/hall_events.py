"""Issue 18: hall events under load. A real gunicorn (2 gthread workers, as
gunicorn.conf.py runs them) on a throw-away database; 200 boards/consoles
hold the hall's event stream open (`/api/v1/screens/halls/<id>/events`).

1. Latency: a clerk at a counter session calls the next ticket CALLS times
   (and completes it);
   for every call, the time from sending call-next (so including the call's
   own work up to its commit: an upper bound of commit → event) to the
   `ticket.called` event arriving on each of the 200 streams. Goal p95 ≤ 500 ms.
2. Throughput: requests/s of an ordinary API read (GET a ticket, as a
   citizen's phone polls it) with the 200 streams open against the same
   server with none, interleaved rounds. Goal ≥ 0.8.

All 200 streams are read by one selector thread of this process, so the
client side adds no thread per stream to the 2-core machine.
"""

from __future__ import annotations

import json
import os
import secrets
import selectors
import socket
import statistics
import tempfile
import threading
import time

from .common import drive, get, gunicorn
from .servers import bench_services

STREAMS = int(os.environ.get("BENCH_STREAMS", "200"))
CALLS = int(os.environ.get("BENCH_CALLS", "40"))
ROUNDS = 4
SECONDS = 6
CONCURRENCY = 8
THREADS = 256  # per worker: however unevenly 2 workers accept the streams, room for requests
ALL_DAY = {str(d): ["00:00", "23:59"] for d in range(7)}


def _env(tmp: str, database_url: str, redis_url: str) -> dict:
    return {"APP_ENV": "development", "INSTANCE_DIR": tmp, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_urlsafe(32), "JWT_SIGNING_KEYS": f"bench:{secrets.token_urlsafe(32)}",
            "JWT_ACTIVE_KID": "bench", "DATA_ENCRYPTION_KEY": secrets.token_urlsafe(32),
            "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING", "DEV_SEED_DEMO_ACCOUNTS": "0",
            "WECHAT_DELIVER_AFTER_COMMIT": "0", "SCREENS_MAX_STREAMS_PER_WORKER": str(THREADS - 16),
            "DB_POOL_SIZE": "8",
            # shorter than the 15 s default: more heartbeat writes (a harder case), and closed
            # streams between rounds are noticed, and their threads freed, within 2 s
            "SCREENS_HEARTBEAT_SECONDS": "2"}


def prepare(env: dict) -> dict:
    """Schema, catalogue, a hall open all day with one window, a clerk, a kiosk, a board."""
    from booking.services import halls
    from config import load_config
    from guides import services as guide_services
    from identity import services as identity_services
    from mobile_api import create_app, migrate
    from screens import tokens

    migrate.upgrade(env["DATABASE_URL"])
    app = create_app(load_config(env["APP_ENV"], dict(os.environ, **env)))
    clock, issuer = app.extensions["clock"], app.extensions["tokens"]
    with app.app_context(), app.extensions["db"].new_session() as session:
        guide_services.load_sample_catalogue(session, clock)
        item = next(i.code for i in guide_services.list_published_items(session)
                    if i.department_code not in ("gongan", "shuiwu"))
        hall = halls.create_hall(session, clock, code="BENCH-EVENTS", name="压测大厅", level="city", address="压测路",
                                 lat=23.0, lng=113.7, opening_hours=ALL_DAY)
        queue = halls.add_queue(session, hall, "A", "综合窗口", general=True)
        window = halls.add_window(session, hall, "01", "1号窗口", [queue])
        halls.assign_item(session, hall, queue, item)
        clerk = identity_services.create_staff(session, clock, "bench.clerk", secrets.token_urlsafe(16), "clerk",
                                               "压测窗口", None, hall.id, scrypt_n=2 ** 10)
        kiosk, _ = identity_services.register_kiosk(session, clock, "BENCH-KIOSK", "压测终端", hall.id)
        board, _ = identity_services.register_kiosk(session, clock, "BENCH-BOARD", "压测大屏", hall.id, kind="board")
        session.commit()
        stream_token, _ = tokens.mint(env["SECRET_KEY"], clock.now(), 3600, hall.id, "board", board.id)
        ctx = {"hall": hall.id, "window": window.id, "item": item, "stream_token": stream_token,
               "clerk": issuer.issue_access(identity_services.staff_actor(clerk, "window")),
               "kiosk": issuer.issue_access(identity_services.kiosk_actor(kiosk))}
    app.extensions["db"].engine.dispose()
    return ctx


class Streams:
    """STREAMS raw SSE connections read by one selector thread; records when
    each `ticket.called` event reached each stream."""

    def __init__(self, port: int, hall: int, token: str, count: int):
        self.port, self.path = port, f"/api/v1/screens/halls/{hall}/events?token={token}"
        self.count = count
        self.selector = selectors.DefaultSelector()
        self.arrivals: dict[int, list[float]] = {}
        self.hellos = 0
        self.statuses: dict[str, int] = {}
        self.refused = 0
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._sockets: list[socket.socket] = []

    def _connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.sendall(f"GET {self.path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n".encode())
        sock.setblocking(False)
        self._sockets.append(sock)
        self.selector.register(sock, selectors.EVENT_READ, {"buf": b"", "head": True})

    def open(self, timeout: float = 60.0) -> None:
        for _ in range(self.count):
            self._connect()
        self._thread.start()
        deadline = time.monotonic() + timeout
        while self.hellos < self.count and time.monotonic() < deadline:
            time.sleep(0.5)
            with self.lock:
                refused, self.refused = self.refused, 0
            for _ in range(refused):  # as a browser's page does after a 503: connect again
                self._connect()
        if self.hellos < self.count:
            raise RuntimeError(f"only {self.hellos} of {self.count} streams opened: {self.statuses}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self._sockets:
            sock.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for key, _ in self.selector.select(timeout=0.2):
                now = time.perf_counter()
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.selector.unregister(key.fileobj)
                    continue
                self._feed(key.data, data, now)

    def _feed(self, state: dict, data: bytes, now: float) -> None:
        state["buf"] += data
        if state["head"]:
            if b"\r\n\r\n" not in state["buf"]:
                return
            head, state["buf"] = state["buf"].split(b"\r\n\r\n", 1)
            status = head.split(b" ", 2)[1].decode()
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status != "200":
                    self.refused += 1
                    state["buf"] = b""
                    state["refused"] = True
            state["head"] = False
        if state.get("refused"):
            return
        # chunked transfer: frames are small; find "data: {...}" lines wherever they are
        while b"\n\n" in state["buf"]:
            block, state["buf"] = state["buf"].split(b"\n\n", 1)
            for line in block.split(b"\n"):
                if not line.startswith(b"data: "):
                    continue
                event = json.loads(line[6:])
                with self.lock:
                    if event["type"] == "hello":
                        self.hellos += 1
                    elif event["type"] == "ticket.called":
                        self.arrivals.setdefault(event["ticket_id"], []).append(now)


def _post(port: int, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps(body).encode() if body is not None else None
    conn.request("POST", path, body=payload, headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/json"})
    response = conn.getresponse()
    answer = json.loads(response.read() or b"{}")
    conn.close()
    return response.status, answer


def latency(port: int, ctx: dict, streams: Streams) -> dict:
    sent: dict[int, float] = {}
    for _ in range(CALLS):
        status, ticket = _post(port, "/api/v1/booking/tickets", ctx["kiosk"], {"item": ctx["item"]})
        assert status == 201, ticket
        time.sleep(0.1)
        started = time.perf_counter()
        status, called = _post(port, f"/api/v1/booking/counter-sessions/{ctx['session']}/call-next", ctx["clerk"])
        assert status == 200, called
        sent[called["id"]] = started
        time.sleep(0.3)  # let the event reach every stream before the next change
        status, done = _post(port, f"/api/v1/booking/tickets/{called['id']}/complete", ctx["clerk"])
        assert status == 200, done
    time.sleep(1.0)
    samples, missing = [], 0
    with streams.lock:
        for ticket_id, started in sent.items():
            arrived = streams.arrivals.get(ticket_id, [])
            missing += streams.count - len(arrived)
            samples.extend((at - started) * 1000 for at in arrived)
    samples.sort()

    def pct(p):
        return round(samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))], 1)

    return {"calls": CALLS, "deliveries": len(samples), "missing": missing, "p50_ms": pct(50), "p95_ms": pct(95),
            "p99_ms": pct(99), "max_ms": round(samples[-1], 1)}


def _connections(database_url: str) -> dict:
    """The servers' connections to the bench database by state, with every
    stream open and no request running: the pools' idle connections only."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT coalesce(state, '?'), count(*) FROM pg_stat_activity "
                                           "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                           "GROUP BY 1")).all()
        return {state: count for state, count in rows}
    finally:
        engine.dispose()


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp, bench_services("hall") as (database_url, redis_url):
        env = _env(tmp, database_url, redis_url)
        ctx = prepare(env)
        with gunicorn("wsgi:app", env=env, workers=2, threads=THREADS, worker_class="gthread") as port:
            status, ticket = _post(port, "/api/v1/booking/tickets", ctx["kiosk"], {"item": ctx["item"]})
            assert status == 201, ticket
            status, counter = _post(port, "/api/v1/booking/counter-sessions", ctx["clerk"], {"window_id": ctx["window"]})
            assert status == 201, counter
            ctx["session"] = counter["id"]
            read = get(f"/api/v1/booking/tickets/{ticket['id']}", {"Authorization": f"Bearer {ctx['kiosk']}"})
            without, with_streams, events, connections = [], [], None, None
            drive(port, read, CONCURRENCY, duration=2)  # warm-up
            # interleaved rounds (none, then 200 open), so the machine's drift hits both alike
            for r in range(ROUNDS):
                without.append(drive(port, read, CONCURRENCY, duration=SECONDS, warmup=0))
                streams = Streams(port, ctx["hall"], ctx["stream_token"], STREAMS)
                streams.open()
                try:
                    with_streams.append(drive(port, read, CONCURRENCY, duration=SECONDS, warmup=0))
                    if r == ROUNDS - 1:
                        events = latency(port, ctx, streams)
                        time.sleep(1.0)
                        connections = _connections(database_url)
                finally:
                    streams.close()
                time.sleep(3.0)  # the server notices closed streams at their next heartbeat
    base = statistics.median(r.rps for r in without)
    loaded = statistics.median(r.rps for r in with_streams)
    return {"streams": STREAMS, "stream_statuses": streams.statuses, "events": events,
            "db_connections_with_streams_open": connections,
            "throughput": {"without_streams_rps": round(base, 1), "with_streams_rps": round(loaded, 1),
                           "ratio": round(loaded / base, 3),
                           "paired_ratios": [round(w.rps / b.rps, 3) for b, w in zip(without, with_streams)],
                           "without_runs": [round(r.rps, 1) for r in without],
                           "with_runs": [round(r.rps, 1) for r in with_streams],
                           "with_p99_ms": round(statistics.median(r.percentile(99) for r in with_streams), 1),
                           "statuses": [r.statuses for r in with_streams]}}


def main() -> None:
    summary = run()
    print(f"hall events: {STREAMS} SSE streams on 2 gunicorn gthread workers x {THREADS} threads; "
          f"{CALLS} calls; GET ticket, {CONCURRENCY} connections, median of {ROUNDS} x {SECONDS}s")
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"call-next sent -> ticket.called on a stream: p95 {summary['events']['p95_ms']} ms (goal <= 500); "
          f"throughput with/without streams = {summary['throughput']['ratio']} (goal >= 0.8)")


if __name__ == "__main__":
    main()
