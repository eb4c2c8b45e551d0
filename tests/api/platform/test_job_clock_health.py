"""An operator can alert on a stalled clock: /metrics and `flask jobs status`
show when each periodic rule last ran, and flag a rule STALLED when its last
run is older than JOBS_STALLED_AFTER_PERIODS of its periods (or it never ran)."""

from __future__ import annotations

import re
from datetime import timedelta

from mobile_api.jobs.registry import rule_named
from mobile_api.jobs.runs import run_period


def _scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _gauge(page: str, name: str, rule: str) -> float | None:
    match = re.search(rf'^{name}{{rule="{re.escape(rule)}"}} (\S+)$', page, re.M)
    return float(match.group(1)) if match else None


def test_last_run_and_stalled_flag_per_rule(app, client, session, clock):
    page = _scrape(client)
    assert _gauge(page, "fingertip_job_stalled", "platform.outbox_delivery") == 1.0  # never ran
    assert _gauge(page, "fingertip_job_last_run_timestamp_seconds", "platform.outbox_delivery") is None

    for name in ("platform.outbox_delivery", "identity.face_purge"):
        assert run_period(app, rule_named(app, name), "test", timedelta(minutes=5)).status == "done"
    page = _scrape(client)
    assert _gauge(page, "fingertip_job_last_run_timestamp_seconds", "platform.outbox_delivery") == \
        clock.now().timestamp()
    assert _gauge(page, "fingertip_job_stalled", "platform.outbox_delivery") == 0.0
    assert _gauge(page, "fingertip_job_stalled", "booking.mark_no_shows") == 1.0
    assert 'fingertip_job_queue_depth{queue="fingertip-periodic"}' in page  # RQ's queue, registered by jobs

    # Three 15 s periods without a run: the delivery clock is stalled; the hourly rule is not.
    clock.advance(seconds=46)
    page = _scrape(client)
    assert _gauge(page, "fingertip_job_stalled", "platform.outbox_delivery") == 1.0
    assert _gauge(page, "fingertip_job_stalled", "identity.face_purge") == 0.0

    status = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert status.exit_code == 0, status.output
    lines = {line.split()[0]: line for line in status.output.splitlines() if line.startswith("  ")
             and line.split()[0] in ("platform.outbox_delivery", "identity.face_purge", "feedback.sweep")}
    assert "started 2026-11-26 09:00:00" in lines["platform.outbox_delivery"]
    assert lines["platform.outbox_delivery"].endswith("STALLED")
    assert not lines["identity.face_purge"].endswith("STALLED")
    assert "never run" in lines["feedback.sweep"] and lines["feedback.sweep"].endswith("STALLED")


def test_status_still_answers_while_redis_is_away(app):
    import redis

    from mobile_api.embedded.common import free_port

    app.extensions["rq_redis"] = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)
    status = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert status.exit_code == 0, status.output
    assert "platform.outbox_delivery" in status.output
    assert "rq: Redis unreachable" in status.output
