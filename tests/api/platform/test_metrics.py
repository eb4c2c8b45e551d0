"""/metrics: request rate and latency by route, outbox backlog, booking
gauges, the job-queue registration point; protected by token or loopback."""

import pytest

from mobile_api import outbox
from mobile_api.metrics import register_gauge_source, register_job_queue_source


def _scrape(client, **kwargs):
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


def test_requests_are_counted_by_route_not_by_raw_path(client):
    client.get("/api/v1/health")
    client.get("/api/v1/health")
    client.get("/api/v1/booking/halls/12345")
    client.get("/api/v1/no/such/path")
    page = _scrape(client)
    assert 'fingertip_http_requests_total{method="GET",route="/api/v1/health",status="200"} 2.0' in page
    assert 'route="/api/v1/booking/halls/<int:hall_id>"' in page and "12345" not in page
    assert 'fingertip_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in page
    assert 'fingertip_http_request_duration_seconds_count{method="GET",route="/api/v1/health"} 2.0' in page


def test_outbox_backlog_and_booking_gauges_come_from_the_database(app, client, session, clock):
    outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {"citizen_id": 1, "event": "x", "data": {}}, clock.now())
    session.commit()
    page = _scrape(client)
    assert 'fingertip_outbox_backlog{status="pending"} 1.0' in page
    assert 'fingertip_outbox_backlog{status="failed"} 0.0' in page
    assert "# TYPE fingertip_booking_appointments_today gauge" in page
    assert "# TYPE fingertip_booking_tickets_today gauge" in page


def test_job_queues_plug_in_and_a_broken_source_is_left_out(app, client):
    register_job_queue_source(app, lambda _app: [{"queue": "default", "depth": 7, "failed": 2}])

    def broken(_app):
        raise RuntimeError("queue backend away")

    register_gauge_source(app, "fingertip_broken", "always fails", ["x"], broken)
    page = _scrape(client)
    assert 'fingertip_job_queue_depth{queue="default"} 7.0' in page
    assert 'fingertip_job_failed{queue="default"} 2.0' in page
    assert "fingertip_broken" not in page


def test_without_a_token_only_direct_loopback_requests_are_answered(client):
    for kwargs in ({"environ_base": {"REMOTE_ADDR": "10.1.2.3"}},
                   {"headers": {"X-Forwarded-For": "203.0.113.9"}}):
        response = client.get("/metrics", **kwargs)
        assert response.status_code == 403
        assert response.content_type == "application/problem+json"
        assert response.json["code"] == "metrics.forbidden"


@pytest.mark.parametrize("config_overrides", [{"METRICS_TOKEN": "m" * 32}])
def test_with_a_token_the_bearer_header_is_required(client):
    assert client.get("/metrics").json["code"] == "metrics.unauthorized"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    _scrape(client, headers={"Authorization": "Bearer " + "m" * 32},
            environ_base={"REMOTE_ADDR": "10.1.2.3"})


def test_metrics_scrapes_are_not_rate_limited(app, client):
    app.config["RATELIMIT_DEFAULT"] = "2 per minute"
    assert all(client.get("/metrics").status_code == 200 for _ in range(5))


def test_multiprocess_mode_sums_what_each_worker_wrote(tmp_path):
    """Two apps in two processes (as two gunicorn workers) write to one
    PROMETHEUS_MULTIPROC_DIR; a scrape from either sees both."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import os, sys\n"
        "from config import load_config\n"
        "from mobile_api import create_app\n"
        "app = create_app(load_config('testing', {'DATABASE_URL': sys.argv[1], 'REDIS_URL': os.environ['REDIS_URL'],"
        " 'LOG_LEVEL': 'ERROR'}))\n"
        "client = app.test_client()\n"
        "client.get('/api/v1/health')\n"
        "print(client.get('/metrics').get_data(as_text=True))\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    url = os.environ["DATABASE_URL"]
    root = Path(__file__).resolve().parents[3]
    outputs = [subprocess.run([sys.executable, "-c", script, url], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120) for _ in range(2)]
    assert all(out.returncode == 0 for out in outputs), outputs[-1].stderr
    assert 'fingertip_http_requests_total{method="GET",route="/api/v1/health",status="200"} 2.0' in outputs[-1].stdout
