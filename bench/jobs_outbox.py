"""Issue 11 (jobs): what does the job engine deliver, and what does it cost the web?

1. The outbox delivering 1,000 queued booking reminders to the WeChat
   stand-in through the engine (the `platform.outbox_delivery` rule run by an
   RQ worker) in messages/s, against the loop `flask outbox work` runs
   (`outbox.work_once`, 20 at a time) on another 1,000, in the same run.
2. `GET /api/v1/health` under gunicorn with and without an RQ worker and
   scheduler running beside it (interleaved rounds). Goal: ratio >= 0.95.

Runs on DATABASE_URL's server and REDIS_URL when set, otherwise on the
embedded servers (bench/servers.py); each part gets a database of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from datetime import datetime, timedelta, timezone

from .common import PYTHON, ROOT, drive, get, gunicorn, median
from .servers import bench_services

MESSAGES = 1000
ROUNDS = 5  # the web comparison: interleaved rounds, median
SECONDS = 5
CONCURRENCY = 8


@contextlib.contextmanager
def bench_database():
    """A fresh database (and the Redis) for one part; REDIS_URL set for the
    app and the processes this benchmark starts."""
    with bench_services("jobs") as (database_url, redis_url):
        previous = os.environ.get("REDIS_URL")
        os.environ["REDIS_URL"] = redis_url
        try:
            yield database_url
        finally:
            if previous is None:
                os.environ.pop("REDIS_URL", None)
            else:
                os.environ["REDIS_URL"] = previous


def _app(database_url: str):
    from config import load_config
    from mobile_api import create_app, migrate

    migrate.upgrade(database_url)
    env = dict(os.environ, DATABASE_URL=database_url, APP_ENV="testing", LOG_LEVEL="WARNING",
               WECHAT_DELIVER_AFTER_COMMIT="false")
    return create_app(load_config("testing", env))


def _citizen_and_grants(app, count: int) -> int:
    """One mini-program citizen (a real login through the stand-in) holding
    `count` reminder grants (inserted: setup, not what is measured)."""
    from identity.models import Citizen
    from sqlalchemy import insert, select
    from wechat.models import SubscriptionGrant

    login = app.test_client().post("/api/v1/auth/wechat/miniprogram", json={"code": "benchuser:1"})
    assert login.status_code == 200, login.json
    now = datetime.now(timezone.utc)
    with app.app_context(), app.extensions["db"].new_session() as session:
        citizen_id = session.scalar(select(Citizen.id).where(Citizen.public_id == login.json["citizen"]["public_id"]))
        template = app.config["WECHAT_TEMPLATE_BOOKING_REMINDER"]
        session.execute(insert(SubscriptionGrant), [{"citizen_id": citizen_id, "template_id": template,
                                                     "granted_at": now} for _ in range(count)])
        session.commit()
    return citizen_id


def _queue_reminders(app, citizen_id: int, count: int, tag: str) -> None:
    from mobile_api import outbox

    now = app.extensions["clock"].now()
    with app.app_context(), app.extensions["db"].new_session() as session:
        for index in range(count):
            session.add(outbox.OutboxMessage(
                topic=outbox.CITIZEN_NOTIFY, dedupe_key=f"bench:{tag}:{index}", status="pending", attempts=0,
                max_attempts=6, available_at=now - timedelta(seconds=1), created_at=now,
                payload={"citizen_id": citizen_id, "event": "booking_reminder",
                         "data": {"item_name": "居民身份证换领", "hall_name": "市民服务中心",
                                  "local_time": "2026-12-05 09:30", "reminder": "day_before"}}))
        session.commit()


def _sent(app) -> int:
    from sqlalchemy import func, select

    from mobile_api.outbox import OutboxMessage

    with app.app_context(), app.extensions["db"].new_session() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent"))


def delivery() -> dict:
    from mobile_api import outbox
    from mobile_api.jobs import rq_runtime
    from mobile_api.jobs.tasks import run_periodic

    with bench_database() as database_url:
        app = _app(database_url)
        rq_runtime.rq_connection(app).delete(f"rq:queue:{app.config['JOBS_QUEUE']}")
        citizen_id = _citizen_and_grants(app, 2 * MESSAGES)

        _queue_reminders(app, citizen_id, MESSAGES, "engine")
        with app.app_context():
            started = time.perf_counter()
            rq_runtime.queue(app).enqueue(run_periodic, "platform.outbox_delivery")
            rq_runtime.build_worker(app, name=f"bench-{os.getpid()}").work(burst=True)
            engine_seconds = time.perf_counter() - started
        engine_sent = _sent(app)

        _queue_reminders(app, citizen_id, MESSAGES, "loop")
        with app.app_context(), app.extensions["db"].new_session() as session:
            started = time.perf_counter()
            while outbox.work_once(session, "bench-loop", app.extensions["clock"].now()):
                pass
            loop_seconds = time.perf_counter() - started
        loop_sent = _sent(app) - engine_sent
        sent_to_standin = len(app.extensions["redis"].lrange("wxstandin:sent:" + app.config["WECHAT_MINIPROGRAM_APPID"], 0, -1))
        app.extensions["db"].engine.dispose()
    return {"database": database_url.split(":")[0], "engine": {"sent": engine_sent, "seconds": round(engine_seconds, 2),
            "messages_per_s": round(engine_sent / engine_seconds, 1)},
            "flask_outbox_work_loop": {"sent": loop_sent, "seconds": round(loop_seconds, 2),
                                       "messages_per_s": round(loop_sent / loop_seconds, 1)},
            "stand_in_received": sent_to_standin,
            "ratio_engine_over_loop": round((engine_sent / engine_seconds) / (loop_sent / loop_seconds), 3)}


@contextlib.contextmanager
def worker_and_scheduler(env: dict):
    procs = [subprocess.Popen([os.path.join(os.path.dirname(PYTHON), "flask"), "jobs", kind], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for kind in ("worker", "scheduler")]
    try:
        _wait_until_idle(env)
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_until_idle(env: dict, limit: float = 60) -> None:
    """Measure the worker and scheduler as they run all day (waiting, and
    working each period), not while they import and start: wait until both
    are registered in Redis and the first round of rules has been worked off."""
    import redis
    from rq import Queue, Worker
    from rq.cron import CronScheduler

    connection = redis.Redis.from_url(env["REDIS_URL"])
    queue = Queue(env.get("JOBS_QUEUE", "fingertip-periodic"), connection=connection)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if Worker.all(queue=queue) and CronScheduler.all(connection) and queue.count == 0:
            break
        time.sleep(0.5)
    else:
        raise RuntimeError("worker and scheduler did not come up")
    time.sleep(1)
    connection.close()


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def web_beside_jobs() -> dict:
    with bench_database() as database_url:
        _app(database_url).extensions["db"].engine.dispose()
        env = dict(os.environ, DATABASE_URL=database_url, APP_ENV="testing", LOG_LEVEL="WARNING",
                   RATELIMIT_ENABLED="false", FLASK_APP="wsgi:app")
        alone, beside, jobs_cpu = [], [], []
        with gunicorn("wsgi:app", env=env) as port:
            for _ in range(ROUNDS):  # interleaved, so drift hits both alike
                alone.append(drive(port, get("/api/v1/health"), CONCURRENCY, duration=SECONDS).rps)
                with worker_and_scheduler(env) as procs:
                    before = sum(_cpu_seconds(proc.pid) for proc in procs)
                    started = time.perf_counter()
                    beside.append(drive(port, get("/api/v1/health"), CONCURRENCY, duration=SECONDS).rps)
                    used = sum(_cpu_seconds(proc.pid) for proc in procs) - before
                    jobs_cpu.append(used / (time.perf_counter() - started))
    return {"alone_rps": round(median(alone), 1), "with_worker_and_scheduler_rps": round(median(beside), 1),
            "rounds_alone": [round(r, 1) for r in alone], "rounds_beside": [round(r, 1) for r in beside],
            "ratio": round(median(beside) / median(alone), 3),
            # load-independent: the share of one core the worker and the
            # scheduler used while the web was under load beside them
            "worker_and_scheduler_cpu_share_of_a_core": round(median(jobs_cpu), 4)}


def main() -> None:
    result = delivery()
    print(f"outbox: {MESSAGES} queued reminders to the WeChat stand-in")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    web = web_beside_jobs()
    print(f"GET /api/v1/health, 2 gunicorn sync workers, {CONCURRENCY} connections, median of {ROUNDS} x {SECONDS}s")
    print(json.dumps(web, ensure_ascii=False, indent=2))
    print(f"ratio with/without worker+scheduler = {web['ratio']} (goal >= 0.95)")


if __name__ == "__main__":
    main()
