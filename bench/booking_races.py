"""Issue 16: cancel, reschedule and book racing on shared slots.

Each round: 10 slots of 4 places on one day, 30 citizens holding 3 places in
each; then 200 requests at once, one connection each: for every held
appointment its cancel AND a reschedule to another of the slots (60), plus
140 fresh bookings of random slots. Whatever wins, no slot may hold more
active appointments than places, each slot's `booked` counter must equal its
active appointments, and nothing may answer 5xx. Printed: places held vs
capacity, slots over capacity, counter drift, 5xx, and the answers by code.

Server: the whole app under gunicorn, 2 workers (gthread, 4 threads each), on
a database of its own (bench/servers.py: DATABASE_URL's server or the
embedded PostgreSQL and Redis).

Baseline in the same run: set BENCH_BASELINE_TREE to a checkout of the code
before the fix (e.g. `git worktree add /tmp/before <commit>`, with a .venv
link); the same rounds then run against gunicorn started from that tree, on a
database of its own (prepared by this tree's migrations, a superset of the
old schema). Without it only this tree is measured.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.booking_load import burst, post
from bench.common import gunicorn
from bench.servers import bench_services

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SLOTS, PLACES, HELD_PER_SLOT, CLIENTS = 10, 4, 3, 200
ALL_WEEK = {str(d): ["08:30", "17:30"] for d in range(7)}


def _env(database_url: str, redis_url: str, jwt_key: str) -> dict:
    return {"APP_ENV": "development", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "JWT_SIGNING_KEYS": f"bench:{jwt_key}", "JWT_ACTIVE_KID": "bench",
            "SECRET_KEY": secrets.token_urlsafe(32), "DATA_ENCRYPTION_KEY": secrets.token_urlsafe(32),
            "RATELIMIT_ENABLED": "0", "BOOKING_PLACES_PER_WINDOW": str(PLACES), "DB_POOL_SIZE": "8",
            "BOOKING_MAX_ACTIVE_PER_CITIZEN": "5", "LOG_LEVEL": "CRITICAL", "DEV_SEED_DEMO_ACCOUNTS": "0",
            "WECHAT_DELIVER_AFTER_COMMIT": "0"}


def prepare(env: dict) -> dict:
    """Schema, the catalogue, one hall with one general window (4 places per
    slot), the days and slot times of the rounds, and a token maker."""
    from booking.calendar import hall_day, slot_starts
    from booking.services import halls
    from config import load_config
    from guides import services as guide_services
    from mobile_api import create_app, migrate
    from mobile_api.actor import Actor
    from mobile_api.clock import LOCAL_TZ

    migrate.upgrade(env["DATABASE_URL"])
    app = create_app(load_config("development", dict(os.environ, **env)))
    clock = app.extensions["clock"]
    with app.app_context(), app.extensions["db"].new_session() as session:
        guide_services.load_sample_catalogue(session, clock)
        item = next(i.code for i in guide_services.list_published_items(session)
                    if i.appointment_supported and i.department_code not in ("gongan", "shuiwu"))
        hall = halls.create_hall(session, clock, code="RACE", name="并发压测大厅", level="city", address="压测路",
                                 lat=23.0, lng=113.7, opening_hours=ALL_WEEK)
        queue = halls.add_queue(session, hall, "A", "综合窗口", general=True)
        halls.add_window(session, hall, "01", "1号窗口", [queue])
        halls.assign_item(session, hall, queue, item)
        session.commit()
        hall_id, lunch = hall.id, (hall.lunch_start, hall.lunch_end)
    today = clock.now().astimezone(LOCAL_TZ).date()
    days = [today + timedelta(days=n) for n in range(1, 15) if hall_day(ALL_WEEK, today + timedelta(days=n)).open]
    tokens = app.extensions["tokens"]
    rounds = []
    for day in days[1:1 + ROUNDS]:  # from the day after tomorrow: clear of the notice and cut-off rules
        times = [s.astimezone(LOCAL_TZ).strftime("%H:%M") for s, _ in slot_starts(hall_day(ALL_WEEK, day),
                                                                                   *lunch, 30)][:SLOTS]
        rounds.append((day, times))

    def token(citizen_id: int) -> str:
        return tokens.issue_access(Actor(kind="citizen", id=citizen_id, role="citizen", channel="miniprogram"))

    return {"hall": hall_id, "item": item, "rounds": rounds, "token": token}


def run_round(port: int, ctx: dict, index: int, rng: random.Random) -> Counter:
    day, times = ctx["rounds"][index]
    base = 1_000_000 + index * 10_000
    held = []
    for slot, at in enumerate(times):  # the holders, booked one by one first
        for n in range(HELD_PER_SLOT):
            citizen = base + slot * HELD_PER_SLOT + n
            _, [(status, body)] = burst(port, [post("/api/v1/booking/appointments", {
                "hall_id": ctx["hall"], "item": ctx["item"], "date": day.isoformat(), "time": at},
                ctx["token"](citizen))])
            assert status == 201, (status, body)
            held.append((citizen, body["id"], at))
    specs = []
    for citizen, appointment, at in held:
        token = ctx["token"](citizen)
        specs.append(post(f"/api/v1/booking/appointments/{appointment}/cancel", {}, token))
        specs.append(post(f"/api/v1/booking/appointments/{appointment}/reschedule",
                          {"date": day.isoformat(), "time": rng.choice([t for t in times if t != at])}, token))
    for n in range(CLIENTS - len(specs)):
        specs.append(post("/api/v1/booking/appointments", {"hall_id": ctx["hall"], "item": ctx["item"],
                                                           "date": day.isoformat(), "time": rng.choice(times)},
                          ctx["token"](base + 5_000 + n)))
    rng.shuffle(specs)
    _, results = burst(port, specs)
    return Counter(f"{status} {body.get('code', '')}".strip() for status, body in results)


def facts(database_url: str, hall_id: int) -> dict:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT s.capacity, s.booked, (SELECT count(*) FROM booking_appointments a"
                " WHERE a.slot_id = s.id AND a.status IN ('booked', 'checked_in'))"
                " FROM booking_slots s WHERE s.hall_id = :h"), {"h": hall_id}).all()
    finally:
        engine.dispose()
    return {"capacity": sum(r[0] for r in rows), "held": sum(r[2] for r in rows),
            "over": sum(1 for r in rows if r[2] > r[0]), "max_over": max([r[2] - r[0] for r in rows] + [0]),
            "drift": sum(abs(r[1] - r[2]) for r in rows), "slots": len(rows)}


def measure(label: str, tree: Path | None) -> dict:
    with bench_services("races") as (database_url, redis_url):
        env = _env(database_url, redis_url, secrets.token_urlsafe(32))
        ctx = prepare(env)
        server_env = dict(env)
        if tree is not None:
            server_env["PYTHONPATH"] = str(tree)
        answers: Counter = Counter()
        with gunicorn("wsgi:app", env=server_env, workers=2, threads=4, worker_class="gthread", cwd=tree) as port:
            rng = random.Random(16)
            for index in range(len(ctx["rounds"])):
                answers += run_round(port, ctx, index, rng)
        result = facts(database_url, ctx["hall"])
    result["answers"] = dict(sorted(answers.items()))
    result["5xx"] = sum(count for key, count in answers.items() if key.startswith("5"))
    result["requests"] = sum(answers.values())
    print(f"{label}: {result['requests']} requests in {len(ctx['rounds'])} bursts of {CLIENTS}; "
          f"places held {result['held']} of capacity {result['capacity']} ({result['slots']} slots), "
          f"slots over capacity {result['over']} (worst +{result['max_over']}), counter drift {result['drift']}, "
          f"5xx {result['5xx']}", flush=True)
    print(f"  answers: {json.dumps(result['answers'], ensure_ascii=False)}", flush=True)
    return result


def main() -> None:
    baseline_tree = os.environ.get("BENCH_BASELINE_TREE")
    if baseline_tree:
        measure(f"before the fix ({baseline_tree})", Path(baseline_tree).resolve())
    ours = measure("this tree", None)
    ok = ours["over"] == 0 and ours["drift"] == 0 and ours["5xx"] == 0 and ours["held"] <= ours["capacity"]
    print(f"no slot over capacity, counters exact, no 5xx: {ok}")


if __name__ == "__main__":
    main()
