"""预约取号, the successful path: bookings per second when nothing contends.

8 clients, each on its own keep-alive connection, send bookings one after
another; every request is a different citizen's first booking and goes to a
place no other client takes (each client books its own slots), so every
answer is a 201 and the figure is the cost of a booking that succeeds. The
baseline is the same application's endpoint inserting one row in one
transaction (bench/booking_baseline_app.py), driven by the same 8 clients in
interleaved rounds. Production settings as far as they matter here: messages
go through the outbox worker, not inside the request.

Run: .venv/bin/python -m bench.booking_throughput (PostgreSQL and Redis on
127.0.0.1; Redis db 4 and a database it creates and drops).
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import threading
import time

from sqlalchemy import create_engine, text

from bench.booking_load import PLACES, bench_env, create_database, drop_database, prepare
from bench.common import gunicorn

CLIENTS = 8
PER_CLIENT = int(os.environ.get("BENCH_PER_CLIENT", "60"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))


def drive(port: int, requests_per_client: list[list[tuple[str, dict, str]]]) -> tuple[float, dict[int, int]]:
    """Each client sends its requests in order on one connection; all start together."""
    barrier = threading.Barrier(len(requests_per_client) + 1)
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(requests):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()
        for path, body, token in requests:
            try:
                conn.request("POST", path, body=json.dumps(body).encode(),
                             headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 599
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(r,)) for r in requests_per_client]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, statuses


def main() -> None:
    name = f"booking_tp_bench_{os.getpid()}"
    create_database(name)
    url = f"postgresql+psycopg://postgres@127.0.0.1/{name}"
    env = bench_env(url)
    engine = create_engine(url)
    total = CLIENTS * PER_CLIENT * ROUNDS
    try:
        ctx = prepare(env, citizens_needed=total)
        with engine.begin() as conn:  # the throw-away baseline table of bench.booking_load
            conn.execute(text("TRUNCATE bench_baseline_rows"))
        places = [(day, at) for day in ctx["open_days"] for at in ctx["times"]]
        per_slot = max(1, PLACES // 2)
        hall_id = ctx["halls"]["empty"][0]
        tokens = iter(ctx["tokens"])
        rounds = []
        for r in range(ROUNDS):
            work = []
            for c in range(CLIENTS):
                requests = []
                for i in range(PER_CLIENT):
                    # client c fills its own slots, per_slot bookings each
                    index = (r * CLIENTS + c) * (PER_CLIENT // per_slot + 1) + i // per_slot
                    day, at = places[index % len(places)]
                    requests.append(("/api/v1/booking/appointments",
                                     {"hall_id": hall_id, "item": ctx["item"], "date": day.isoformat(), "time": at},
                                     next(tokens)))
                work.append(requests)
            rounds.append(work)
        baseline_work = [[("/bench/baseline-insert", {}, ctx["tokens"][c])] * PER_CLIENT for c in range(CLIENTS)]
        with gunicorn("bench.booking_baseline_app:app", env=env, workers=2, threads=THREADS,
                      worker_class="gthread" if THREADS > 1 else "sync") as port:
            drive(port, baseline_work)  # warm-up
            base, booked, statuses_seen = [], [], {}
            for work in rounds:
                seconds, statuses = drive(port, baseline_work)
                base.append(CLIENTS * PER_CLIENT / seconds)
                seconds, statuses = drive(port, work)
                booked.append(statuses.get(201, 0) / seconds)
                for status, count in statuses.items():
                    statuses_seen[status] = statuses_seen.get(status, 0) + count
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM booking_appointments WHERE hall_id = :h"),
                                  {"h": hall_id}).scalar()
        b, k = statistics.median(base), statistics.median(booked)
        print(f"baseline insert-one-row, {CLIENTS} clients: {b:.0f} req/s (median of {ROUNDS} rounds of "
              f"{CLIENTS * PER_CLIENT})")
        print(f"successful bookings, {CLIENTS} clients on distinct free places: {k:.0f} bookings/s; "
              f"answers {dict(sorted(statuses_seen.items()))}; {stored} appointments stored")
        print(f"booking ratio to baseline: {k / b:.2f} (target >= 0.5)")
    finally:
        engine.dispose()
        drop_database(name)


if __name__ == "__main__":
    main()
