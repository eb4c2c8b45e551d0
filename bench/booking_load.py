"""预约取号 under load: 2 gunicorn workers on a throw-away PostgreSQL database.

- 200 concurrent clients book one 50-place slot: exactly 50 created, the rest
  409 booking.slot_full, no 5xx; requests/s against a baseline endpoint that
  inserts one row in one transaction (bench/booking_baseline_app.py), measured
  in the same run with the same 200-client bursts.
- 200 concurrent walk-in tickets from kiosks: numbers 1..200, unique, no gaps.
- The same booking burst with 10,000 appointments already in the hall: its rate
  against the empty-calendar rate (no check may scan the bookings).

Run: .venv/bin/python -m bench.booking_load  (needs PostgreSQL and Redis on
127.0.0.1; uses Redis db 4 and a database it creates and drops).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, insert, text

from bench.common import gunicorn

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
CLIENTS = 200
PLACES = 50
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))  # 8: single bursts vary by ±30 % on a shared machine
FILL = 10_000
THREADS = int(os.environ.get("BENCH_THREADS", "4"))  # per gunicorn worker (1 = sync workers)
ALL_WEEK = {str(d): ["08:30", "17:30"] for d in range(7)}


def burst(port: int, specs: list) -> tuple[float, list[tuple[int, dict]]]:
    """All requests at once, one client (connection) each, released by a barrier."""
    barrier = threading.Barrier(len(specs) + 1)
    results: list = [None] * len(specs)

    def client(index):
        method, path, body, headers = specs[index]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            try:
                payload = json.loads(raw) if raw else {}
            except ValueError:
                payload = {}
            results[index] = (response.status, payload)
        except (OSError, http.client.HTTPException) as exc:
            results[index] = (599, {"error": str(exc)})
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(specs))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, results


def post(path: str, body: dict, token: str) -> tuple:
    return ("POST", path, json.dumps(body).encode(),
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Connection": "close"})


def create_database(name: str) -> None:
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(name: str) -> None:
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"), {"d": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


def bench_env(url: str) -> dict:
    """The servers' settings for a booking benchmark on database `url`."""
    return {"APP_ENV": "development", "DATABASE_URL": url, "REDIS_URL": REDIS_URL,
            "JWT_SIGNING_KEYS": f"bench:{secrets.token_urlsafe(32)}", "JWT_ACTIVE_KID": "bench",
            "SECRET_KEY": secrets.token_urlsafe(32), "DATA_ENCRYPTION_KEY": secrets.token_urlsafe(32),
            "RATELIMIT_ENABLED": "0", "BOOKING_PLACES_PER_WINDOW": str(PLACES), "DB_POOL_SIZE": "8",
            "LOG_LEVEL": "WARNING", "DEV_SEED_DEMO_ACCOUNTS": "0",
            # as in production: messages go out through the job engine, not inside the request
            "WECHAT_DELIVER_AFTER_COMMIT": "0"}


def prepare(env: dict, citizens_needed: int = CLIENTS * ROUNDS * 2) -> dict:
    """Schema, catalogue, two halls with one general window each (one stays
    empty, one gets 10,000 appointments), citizens and tokens."""
    from booking.calendar import hall_day, last_bookable_day, slot_starts
    from booking.services import halls
    from config import load_config
    from identity import services as identity_services
    from mobile_api import create_app, migrate
    from mobile_api.clock import LOCAL_TZ

    migrate.upgrade(env["DATABASE_URL"])
    app = create_app(load_config(env["APP_ENV"], dict(os.environ, **env)))
    clock = app.extensions["clock"]
    tokens = app.extensions["tokens"]
    with app.app_context(), app.extensions["db"].new_session() as session:
        session.execute(text("CREATE TABLE bench_baseline_rows (id serial PRIMARY KEY, principal varchar(64), "
                             "created_at timestamptz NOT NULL)"))
        from guides import services as guide_services

        guide_services.load_sample_catalogue(session, clock)
        item_code = next(i.code for i in guide_services.list_published_items(session)
                         if i.appointment_supported and i.department_code not in ("gongan", "shuiwu"))
        hall_ids = {}
        for key in ("empty", "full"):
            hall = halls.create_hall(session, clock, code=f"BENCH-{key}", name=f"压测大厅 {key}", level="city",
                                     address="压测路", lat=23.0, lng=113.7, opening_hours=ALL_WEEK)
            queue = halls.add_queue(session, hall, "A", "综合窗口", general=True)
            halls.add_window(session, hall, "01", "1号窗口", [queue])
            halls.assign_item(session, hall, queue, item_code)
            hall_ids[key] = (hall.id, queue.id)
        session.commit()
        today = clock.now().astimezone(LOCAL_TZ).date()
        last = last_bookable_day(today, 7)
        days = [today + timedelta(days=n) for n in range(1, (last - today).days + 1)]
        open_days = [d for d in days if hall_day(ALL_WEEK, d).open]
        target = open_days[0]
        times = [s.astimezone(LOCAL_TZ).strftime("%H:%M")
                 for s, _ in slot_starts(hall_day(ALL_WEEK, target), hall.lunch_start, hall.lunch_end, 30)]
        citizens = []
        for _ in range(citizens_needed):
            citizens.append(identity_services.create_citizen(session, clock))
        device, _ = identity_services.register_kiosk(session, clock, "BENCH-KIOSK", "压测终端",
                                                     hall_ids["empty"][0])
        session.commit()
        citizen_tokens = [tokens.issue_access(identity_services.citizen_actor(c, "miniprogram")) for c in citizens]
        kiosk_token = tokens.issue_access(identity_services.kiosk_actor(device))
        return {"halls": hall_ids, "item": item_code, "target": target, "times": times,
                "open_days": open_days, "tokens": citizen_tokens, "kiosk": kiosk_token, "app": app}


def fill_calendar(ctx: dict, engine, keep_times: list[str]) -> int:
    """10,000 booked appointments in the "full" hall, on every open day of the
    horizon, in slots the measured bursts do not use."""
    from booking.models import Appointment, Slot
    from mobile_api.clock import LOCAL_TZ

    slots = []
    for day in ctx["open_days"]:
        for hhmm in ctx["times"]:
            if day == ctx["target"] and hhmm in keep_times:
                continue
            hours, minutes = map(int, hhmm.split(":"))
            start = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
            slots.append((day, start))
    per_slot = -(-FILL // len(slots))
    hall_id, queue_id = ctx["halls"]["full"]
    now = datetime.now(timezone.utc)
    made = 0
    with engine.begin() as conn:
        for day, start in slots:
            count = min(per_slot, FILL - made)
            if count <= 0:
                break
            slot_id = conn.execute(insert(Slot).values(hall_id=hall_id, queue_id=queue_id,
                                                       local_date=day, starts_at=start,
                                                       ends_at=start + timedelta(minutes=30), capacity=count,
                                                       booked=count).returning(Slot.id)).scalar_one()
            conn.execute(insert(Appointment), [
                {"citizen_id": 5_000_000 + made + i, "hall_id": hall_id, "queue_id": queue_id,
                 "slot_id": slot_id, "item_code": ctx["item"], "local_date": day, "starts_at": start,
                 "ends_at": start + timedelta(minutes=30), "status": "booked", "qr_nonce": secrets.token_hex(8),
                 "channel": "bench", "created_at": now, "reschedule_count": 0} for i in range(count)])
            made += count
        conn.execute(text("ANALYZE"))
    return made


def booking_round(port: int, ctx: dict, engine, hall: str, round_index: int, time_index: int) -> dict:
    tokens = ctx["tokens"][round_index * CLIENTS:(round_index + 1) * CLIENTS]
    at = ctx["times"][time_index]
    hall_id, queue_id = ctx["halls"][hall]
    specs = [post("/api/v1/booking/appointments", {"hall_id": hall_id, "item": ctx["item"],
                                                   "date": ctx["target"].isoformat(), "time": at}, token)
             for token in tokens]
    seconds, results = burst(port, specs)
    created = sum(1 for status, _ in results if status == 201)
    full = sum(1 for status, body in results if status == 409 and body.get("code") == "booking.slot_full")
    errors = sum(1 for status, _ in results if status >= 500)
    other = len(results) - created - full
    from mobile_api.clock import LOCAL_TZ

    hours, minutes = map(int, at.split(":"))
    day = ctx["target"]
    start = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LOCAL_TZ)
    with engine.connect() as conn:
        booked = conn.execute(text("SELECT booked FROM booking_slots WHERE queue_id = :q AND starts_at = :s"),
                              {"q": queue_id, "s": start}).scalar()
    return {"rps": CLIENTS / seconds, "created": created, "slot_full": full, "5xx": errors, "other": other,
            "slot_booked": booked}


def baseline_round(port: int, ctx: dict) -> float:
    specs = [post("/bench/baseline-insert", {}, token) for token in ctx["tokens"][:CLIENTS]]
    seconds, results = burst(port, specs)
    assert all(status == 201 for status, _ in results), {s for s, _ in results}
    return CLIENTS / seconds


def ticket_round(port: int, ctx: dict) -> dict:
    specs = [post("/api/v1/booking/tickets", {"item": ctx["item"]}, ctx["kiosk"]) for _ in range(CLIENTS)]
    seconds, results = burst(port, specs)
    numbers = sorted(int(body["number"][1:]) for status, body in results if status == 201)
    return {"rps": CLIENTS / seconds, "created": len(numbers), "5xx": sum(1 for s, _ in results if s >= 500),
            "numbers": numbers}


def tickets_gap_free(rounds: list[dict]) -> bool:
    """Every burst's numbers continue the day's sequence: together 1..N, no gaps."""
    numbers = sorted(n for r in rounds for n in r["numbers"])
    return numbers == list(range(1, CLIENTS * len(rounds) + 1)) and all(r["5xx"] == 0 for r in rounds)


def main() -> None:
    name = f"booking_bench_{os.getpid()}"
    create_database(name)
    url = f"postgresql+psycopg://postgres@127.0.0.1/{name}"
    env = bench_env(url)
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        ctx = prepare(env)
        filled = fill_calendar(ctx, engine, ctx["times"][:ROUNDS])
        print(f"prepared in {time.perf_counter() - started:.1f}s: slot day {ctx['target']}, item {ctx['item']}",
              flush=True)
        with gunicorn("bench.booking_baseline_app:app", env=env, workers=2, threads=THREADS,
                      worker_class="gthread" if THREADS > 1 else "sync") as port:
            baseline_round(port, ctx)  # warm-up: connections, imports, caches
            baselines, empty, full, tickets = [], [], [], []
            # The two halls take turns, so drift in the machine's load hits both alike.
            for r in range(ROUNDS):
                baselines.append(baseline_round(port, ctx))
                empty.append(booking_round(port, ctx, engine, "empty", 2 * r, r))
                full.append(booking_round(port, ctx, engine, "full", 2 * r + 1, r))
            for _ in range(ROUNDS):
                tickets.append(ticket_round(port, ctx))
                baselines.append(baseline_round(port, ctx))
        report(baselines, empty, full, tickets, filled)
    finally:
        engine.dispose()
        drop_database(name)


def report(baselines, empty, full, tickets, filled) -> None:
    base = statistics.median(baselines)
    empty_rps = statistics.median(r["rps"] for r in empty)
    full_rps = statistics.median(r["rps"] for r in full)
    ticket_rps = statistics.median(r["rps"] for r in tickets)
    correct = all(r["created"] == PLACES and r["slot_full"] == CLIENTS - PLACES and r["5xx"] == 0
                  and r["slot_booked"] == PLACES for r in empty + full)
    gap_free = tickets_gap_free(tickets)
    print(f"baseline insert-one-row: {base:.0f} req/s (median of {len(baselines)} bursts of {CLIENTS})")
    for label, rounds in (("empty calendar", empty), (f"{filled} appointments", full)):
        for r in rounds:
            print(f"  booking burst, {label}: {r['rps']:.0f} req/s, created {r['created']}, "
                  f"slot_full {r['slot_full']}, other {r['other']}, 5xx {r['5xx']}, slot booked {r['slot_booked']}")
    for r in tickets:
        print(f"  walk-in burst: {r['rps']:.0f} req/s, issued {r['created']}, 5xx {r['5xx']}")
    print(f"booking (empty calendar): {empty_rps:.0f} req/s, ratio to baseline {empty_rps / base:.2f} (target >= 0.5)")
    print(f"booking ({filled} appointments): {full_rps:.0f} req/s, ratio to empty calendar "
          f"{full_rps / empty_rps:.2f} (target >= 0.9)")
    print(f"walk-in tickets: {ticket_rps:.0f} req/s, ratio to baseline {ticket_rps / base:.2f} (target >= 0.5); "
          f"{sum(r['created'] for r in tickets)} issued, numbers 1..{CLIENTS * len(tickets)} gap-free: {gap_free}")
    print(f"exactly {PLACES} created per burst, the rest booking.slot_full, no 5xx: {correct}")


if __name__ == "__main__":
    main()
