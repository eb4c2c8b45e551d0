"""`honcho start` with the Procfile (gunicorn, two RQ workers, two RQ cron
schedulers) against a private PostgreSQL database and the test Redis, with
the processes' clock two days ahead (TEST_CLOCK_OFFSET_SECONDS): a booking
reminder due tomorrow reaches the WeChat stand-in, every rule runs once
although two schedulers enqueue it, and the web answers beside them.
Bounded (90 s), and it stops and cleans up what it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import load_config
from mobile_api import create_app, migrate, outbox
from mobile_api.jobs.models import JobRun
from mobile_api.jobs.periods import period_key
from mobile_api.jobs.schedule import CADENCES
from wechat.standin import StandInControl

pytestmark = [pytest.mark.postgres, pytest.mark.real_redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
OFFSET = timedelta(days=2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stack_database(scratch_database_url):
    """A database of its own: the stack's processes commit for real."""
    migrate.upgrade(scratch_database_url)
    return scratch_database_url


def _citizen_with_a_reminder_grant(app) -> int:
    from identity.models import Citizen

    client = app.test_client()
    login = client.post("/api/v1/auth/wechat/miniprogram", json={"code": "stackuser:1"})
    assert login.status_code == 200, login.json
    template = app.config["WECHAT_TEMPLATE_BOOKING_REMINDER"]
    grant = client.post("/api/v1/wechat/subscriptions", json={"results": {template: "accept"}},
                        headers={"Authorization": f"Bearer {login.json['access_token']}"})
    assert grant.status_code == 201, grant.json
    with app.app_context():
        with app.extensions["db"].new_session() as session:
            return session.scalar(select(Citizen.id).where(Citizen.public_id == login.json["citizen"]["public_id"]))


def test_the_procfile_stack_fires_periodic_rules_once_with_the_clock_moved(stack_database, redis_client):
    env = dict(os.environ, DATABASE_URL=stack_database, APP_ENV="testing", LOG_LEVEL="WARNING",
               FLASK_APP="wsgi:app", PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               TEST_CLOCK_OFFSET_SECONDS=str(int(OFFSET.total_seconds())), WEB_CONCURRENCY="1")
    app = create_app(load_config("testing", dict(env, TEST_CLOCK_OFFSET_SECONDS="0")))
    citizen_id = _citizen_with_a_reminder_grant(app)
    now = app.extensions["clock"].now()
    engine = app.extensions["db"].engine
    with Session(engine) as session:
        reminder = outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
            "citizen_id": citizen_id, "event": "booking_reminder",
            "data": {"item_name": "居民身份证换领", "hall_name": "市民服务中心", "reminder": "day_before",
                     "local_time": "2026-12-05 09:30"}}, now, delay=timedelta(days=1))
        session.commit()
        reminder_id = reminder.id

    port = _free_port()
    stack = subprocess.Popen([str(BIN / "honcho"), "start", "-f", "Procfile", "-p", str(port),
                              "-c", "worker=2,scheduler=2"], cwd=ROOT, env=env, start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = ""
    try:
        standin = StandInControl(redis_client)
        deadline = time.monotonic() + 90
        delivered = health = None
        while time.monotonic() < deadline and not (delivered and health):
            time.sleep(1)
            with Session(engine) as session:
                delivered = session.get(outbox.OutboxMessage, reminder_id).status == "sent"
            try:
                health = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200
            except requests.RequestException:
                health = False
        assert health, "gunicorn did not answer /api/v1/health"
        assert delivered, "the reminder due tomorrow was not delivered"
        [sent] = standin.sent_messages(app.config["WECHAT_MINIPROGRAM_APPID"])
        assert sent["template_id"] == app.config["WECHAT_TEMPLATE_BOOKING_REMINDER"]

        time.sleep(3)  # let the second scheduler's copies be picked up too
        with Session(engine) as session:
            runs = session.execute(select(JobRun.rule, JobRun.period_key, JobRun.status)).all()
        moved_now = now + OFFSET
        for rule in ("booking.mark_no_shows", "submissions.supervision", "feedback.sweep", "identity.face_purge"):
            mine = [run for run in runs if run.rule == rule]
            assert len(mine) == 1 and mine[0].status == "done", (rule, runs)
            # the processes live two days ahead
            assert mine[0].period_key[:10] == period_key(moved_now, CADENCES[rule])[:10]
        from rq.cron import get_cron_job_ids
        import redis

        rq_redis = redis.Redis.from_url(os.environ["REDIS_URL"])
        assert len(get_cron_job_ids("identity.face_purge", rq_redis)) == 2  # both schedulers enqueued it
        rq_redis.close()
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        try:
            output, _ = stack.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            output, _ = stack.communicate()
        app.extensions["db"].engine.dispose()
    assert "Traceback" not in output, output[-3000:]
