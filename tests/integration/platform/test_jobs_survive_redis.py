"""The job processes ride out a Redis outage under the running stack.

`honcho start` with the Procfile (gunicorn, an RQ worker, an RQ scheduler)
against a private PostgreSQL database and a private Redis (the embedded
Valkey binary on a port of its own: the suite's Redis and the system one are
never touched). Redis is killed for longer than the 10–15 s that used to end
the scheduler: the web keeps answering, no process exits, each job process
logs the outage once; Redis comes back on the same port and the scheduler's
next period of `platform.outbox_delivery` runs. Then the worker is killed
with SIGKILL: the keep-alive wrapper starts it again and honcho keeps the
web. Every wait polls for its condition with a generous bound (a loaded
2-core machine); the one fixed duration is how long Redis stays down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil
import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mobile_api import migrate
from mobile_api.embedded.common import free_port
from mobile_api.embedded.redis import server_binary
from mobile_api.jobs.models import JobRun

pytestmark = [pytest.mark.postgres, pytest.mark.real_redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
# Longer than the scheduler used to live without Redis (10–15 s).
OUTAGE_SECONDS = 30
RULE = "platform.outbox_delivery"  # every 15 s


class PrivateRedis:
    """A Valkey of this test's own, on a fixed port so it can come back there."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(server_binary()), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        _wait(lambda: _answers(client), 30, "the private Redis to start")
        client.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def _answers(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def _wait(predicate, seconds: float, what: str, alive=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise AssertionError(f"the stack exited while waiting for {what}")
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def stack_database(scratch_database_url):
    """A migrated database of its own: the stack's processes commit for real."""
    migrate.upgrade(scratch_database_url)
    return scratch_database_url


class Output:
    """honcho's output, read as it comes so the test can poll it."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def of(self, process: str, phrase: str) -> list[str]:
        return [line for line in list(self.lines) if f" {process}.1 " in line and phrase in line]

    def text(self) -> str:
        return "\n".join(self.lines)


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _runs_since(engine, moment: datetime) -> list[JobRun]:
    with Session(engine) as session:
        return list(session.scalars(select(JobRun).where(JobRun.rule == RULE, JobRun.status == "done",
                                                         JobRun.started_at > moment)))


def _rq_worker(stack: subprocess.Popen) -> psutil.Process | None:
    for child in psutil.Process(stack.pid).children(recursive=True):
        try:
            args = child.cmdline()
        except psutil.Error:
            continue
        if args[-2:] == ["jobs", "worker"] and "mobile_api.jobs.keepalive" not in args:
            return child
    return None


def test_worker_and_scheduler_ride_out_a_redis_outage_and_the_web_stays(stack_database, private_redis):
    env = dict(os.environ, DATABASE_URL=stack_database, REDIS_URL=private_redis.url, APP_ENV="testing",
               LOG_LEVEL="WARNING", FLASK_APP="wsgi:app", WEB_CONCURRENCY="1",
               JOBS_REDIS_RETRY_MAX_SECONDS="2", PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    engine = create_engine(stack_database)
    port = free_port()
    started = datetime.now(timezone.utc)
    stack = subprocess.Popen([str(BIN / "honcho"), "start", "-f", "Procfile", "-p", str(port)], cwd=ROOT,
                             env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    output = Output(stack.stdout)
    alive = lambda: stack.poll() is None  # noqa: E731
    try:
        _wait(lambda: _healthy(port), 180, "gunicorn to answer", alive)
        _wait(lambda: _runs_since(engine, started), 180, f"a first period of {RULE}", alive)

        private_redis.kill()
        down_at = time.monotonic()
        # Each job process notices (the scheduler at its next enqueue, <= 15 s)
        _wait(lambda: output.of("worker", "redis unreachable") and output.of("scheduler", "redis unreachable"),
              120, "both job processes to notice the outage", alive)
        print(f"outage noticed by both job processes after {time.monotonic() - down_at:.1f} s")
        # ...and the outage lasts past the point where RQ used to give up.
        _wait(lambda: time.monotonic() - down_at >= OUTAGE_SECONDS, OUTAGE_SECONDS + 5, "the outage", alive)
        assert _healthy(port), "the web stopped answering while Redis was down"

        private_redis.start()
        back_at, back_clock = datetime.now(timezone.utc), time.monotonic()
        _wait(lambda: _runs_since(engine, back_at), 180, f"the next period of {RULE} after Redis returned", alive)
        print(f"{RULE} ran again {time.monotonic() - back_clock:.1f} s after Redis returned "
              f"(outage {back_clock - down_at:.0f} s)")
        _wait(lambda: output.of("worker", "redis answers again") and output.of("scheduler", "redis answers again"),
              60, "both job processes to log the recovery", alive)
        for process in ("worker", "scheduler"):
            assert len(output.of(process, "redis unreachable")) == 1, output.text()[-4000:]
            assert len(output.of(process, "redis answers again")) == 1, output.text()[-4000:]
            # RQ's own per-attempt errors are folded into that one line
            assert not [line for line in output.of(process, "Redis") if '"logger": "rq.' in line], \
                output.text()[-4000:]
        assert "exited with" not in output.text(), output.text()[-4000:]

        # Anything else that ends a job process: the wrapper starts it again.
        worker = _wait(lambda: _rq_worker(stack), 30, "the RQ worker process", alive)
        worker.send_signal(signal.SIGKILL)
        _wait(lambda: output.of("worker", "exited with status -9"), 60, "the keep-alive to notice", alive)
        _wait(lambda: (_rq_worker(stack) or worker).pid != worker.pid, 60, "a new RQ worker", alive)
        assert _healthy(port)
        killed_at = datetime.now(timezone.utc)
        _wait(lambda: _runs_since(engine, killed_at), 180, f"a period of {RULE} run by the new worker", alive)
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGTERM)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()
        engine.dispose()
    text_out = output.text()
    assert "Traceback" not in text_out, text_out[-4000:]
