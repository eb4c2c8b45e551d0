"""A deadlock or serialization failure is retried once by the shell and
otherwise answers 409 problem+json `platform.concurrent_update`, never 500
(issue 16, defect 2: the mechanism every view shares)."""

from __future__ import annotations

import threading

import psycopg.errors
import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from config import load_config
from mobile_api import create_app
from mobile_api.uow import commit_point, current_uow
from tests.conftest import servers_env

pytestmark = pytest.mark.postgres


@pytest.fixture
def live_app(database, clock, redis_client):
    config = load_config("testing", servers_env(LOG_LEVEL="CRITICAL"))
    app = create_app(config, clock=clock, redis_client=redis_client, database=database)
    app.config["ACCESS_LOG"] = False
    return app


def test_a_real_deadlock_is_retried_and_both_requests_succeed(live_app):
    barrier = threading.Barrier(2)
    attempts: list[str] = []

    def crossing(first: int, second: int):
        def view():
            session = current_uow().session
            attempts.append(f"{first}->{second}")
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": first})
            if attempts.count(f"{first}->{second}") == 1:
                barrier.wait(timeout=10)  # both hold their first lock: the second locks cross
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": second})
            return {"ok": True}
        return view

    live_app.add_url_rule("/test/cross-a", "cross_a", crossing(916_001, 916_002), methods=["POST"])
    live_app.add_url_rule("/test/cross-b", "cross_b", crossing(916_002, 916_001), methods=["POST"])
    answers = {}

    def call(path):
        answers[path] = FlaskClient(live_app).post(path)

    threads = [threading.Thread(target=call, args=(p,)) for p in ("/test/cross-a", "/test/cross-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert {p: a.status_code for p, a in answers.items()} == {"/test/cross-a": 200, "/test/cross-b": 200}
    assert len(attempts) == 3  # PostgreSQL broke the cycle by failing one; it ran once more


def _deadlock() -> OperationalError:
    return OperationalError("SELECT 1", {}, psycopg.errors.DeadlockDetected("deadlock detected"))


def test_a_deadlock_twice_is_a_409_problem_not_a_500(live_app):
    runs = []

    def view():
        current_uow().session.execute(text("SELECT 1"))
        runs.append(1)
        raise _deadlock()

    live_app.add_url_rule("/test/always-deadlocks", "always_deadlocks", view, methods=["POST"])
    answer = FlaskClient(live_app).post("/test/always-deadlocks")
    assert answer.status_code == 409
    assert answer.content_type == "application/problem+json"
    assert answer.json["code"] == "platform.concurrent_update"
    assert "重试" in answer.json["detail"]
    assert len(runs) == 2


def test_no_retry_once_part_of_the_work_has_committed(live_app):
    runs = []

    def view():
        session = current_uow().session
        session.execute(text("SELECT 1"))
        runs.append(1)
        commit_point(session, "a spent attempt stays spent")
        raise _deadlock()

    live_app.add_url_rule("/test/committed-then-deadlocks", "committed_then_deadlocks", view, methods=["POST"])
    answer = FlaskClient(live_app).post("/test/committed-then-deadlocks")
    assert answer.status_code == 409 and answer.json["code"] == "platform.concurrent_update"
    assert len(runs) == 1
