"""`make run` from nothing: the embedded PostgreSQL and Redis start in an empty
instance directory, the sample city loads, the web, a worker and a scheduler
come up; a citizen books tomorrow, the demo clock moves to the hour before
the slot and the worker delivers the reminder to the WeChat stand-in; Ctrl-C
(SIGINT to the process group, as a terminal sends it) stops every process
and both servers. Bounded (about three minutes at worst)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import create_engine, text

from mobile_api.clock import LOCAL_TZ
from mobile_api.embedded import EmbeddedPostgres, EmbeddedRedis
from mobile_api.workdays import is_working_day

pytestmark = [pytest.mark.slow]


@pytest.fixture
def instance_dir():
    """Outside pytest's own temporary root: pytest makes that 0700 again at
    every session start, which would lock out the server's user."""
    import shutil
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="fingertip-embedded-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)

ROOT = Path(__file__).resolve().parents[3]
API = "/api/v1"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(predicate, seconds: float, what: str, stack):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise AssertionError(f"the stack exited while waiting for {what}: {stack.stdout.read()[-3000:]}")
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}{API}/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _next_working_day(after: date) -> date:
    day = after + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _book_tomorrow(base: str) -> tuple[str, date, str]:
    """A citizen of the mini-program grants two reminders and books 10:00 or
    later on the next working day; (the reminder's template id, day, time)."""
    login = requests.post(f"{base}{API}/auth/wechat/miniprogram", json={"code": "runner:1"}, timeout=10).json()
    auth = {"Authorization": f"Bearer {login['access_token']}"}
    templates = requests.get(f"{base}{API}/wechat/subscriptions", headers=auth, timeout=10)
    reminder = next(t["template_id"] for t in templates.json()["templates"] if t["event"] == "booking_reminder")
    for _ in range(2):  # one grant per message: the day-before and the hour-before reminders
        granted = requests.post(f"{base}{API}/wechat/subscriptions", json={"results": {reminder: "accept"}},
                                headers=auth, timeout=10)
        assert granted.status_code == 201, granted.text
    items = requests.get(f"{base}{API}/guides/items", params={"q": "身份证丢了", "page_size": 1}, timeout=10).json()
    item = items["items"][0]["code"]
    hall = requests.get(f"{base}{API}/booking/halls", params={"item": item}, timeout=10).json()[0]["id"]
    day = _next_working_day(datetime.now(LOCAL_TZ).date())
    slots = requests.get(f"{base}{API}/booking/halls/{hall}/slots", params={"item": item, "date": day.isoformat()},
                         timeout=10).json()["slots"]
    slot = next(s for s in slots if s["bookable"] and s["time"] >= "10:00")
    booked = requests.post(f"{base}{API}/booking/appointments", headers=auth, timeout=10,
                           json={"hall_id": hall, "item": item, "date": day.isoformat(), "time": slot["time"]})
    assert booked.status_code == 201, booked.text
    return reminder, day, slot["time"]


def test_make_run_serves_the_whole_stack_and_delivers_a_reminder_on_the_demo_clock(instance_dir):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(APP_ENV="development", INSTANCE_DIR=str(instance_dir), LOG_LEVEL="WARNING", FLASK_APP="wsgi:app")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    stack = subprocess.Popen([sys.executable, "-m", "mobile_api.embedded.stack", "--port", str(port)], cwd=ROOT,
                             env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    postgres, valkey = EmbeddedPostgres(instance_dir / "postgres"), EmbeddedRedis(instance_dir / "redis")
    output = ""
    try:
        _wait(lambda: _ready(base), 150, "the web to be ready", stack)
        print(f"make run: ready after {time.monotonic() - started:.1f} s from an empty instance directory")
        reminder_template, day, slot_time = _book_tomorrow(base)

        moved = subprocess.run([sys.executable, "-m", "flask", "demo", "clock", "--at",
                                f"{day.isoformat()} {int(slot_time[:2]) - 1:02d}:{slot_time[3:]}"],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert moved.returncode == 0, moved.stderr
        engine = create_engine(postgres.url(postgres.running_port(), "fingertip"))
        hour_before = text("SELECT status FROM outbox_messages WHERE dedupe_key LIKE :pattern").bindparams(
            pattern="%:hour_before")

        def delivered():
            with engine.connect() as connection:
                return connection.execute(hour_before).scalar() == "sent"

        _wait(delivered, 90, "the hour-before reminder to be delivered by the worker", stack)
        engine.dispose()
        rq = redis.Redis(host="127.0.0.1", port=valkey.running_port(), decode_responses=True)
        from wechat.standin import StandInControl

        appid = env.get("WECHAT_MINIPROGRAM_APPID", "wxstandin0miniprog")
        sent = StandInControl(rq).sent_messages(appid)
        rq.close()
        assert reminder_template in {message["template_id"] for message in sent}, sent
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGINT)
        try:
            output, _ = stack.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            output, _ = stack.communicate()
    assert stack.returncode in (0, 130), output[-3000:]
    assert postgres.running_port() is None and valkey.running_port() is None, output[-2000:]
    leftovers = subprocess.run(["pgrep", "-f", str(instance_dir)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], f"processes left running: {leftovers}"
