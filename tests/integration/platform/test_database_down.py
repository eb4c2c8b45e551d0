"""Database stopped: API requests answer 503 problem+json with Retry-After, never 500.

"Stopped" is a database the app cannot reach: a closed loopback port. The
shared servers are never touched.
"""

import socket

import pytest

from config import load_config
from mobile_api import create_app
from tests.conftest import servers_env


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the socket closes: nothing listens there


@pytest.fixture
def unreachable_database_app(clock):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/fingertip_down_test"
    config = load_config("testing", servers_env(DATABASE_URL=url, LOG_LEVEL="CRITICAL"))
    app = create_app(config, clock=clock)
    app.config["ACCESS_LOG"] = False
    return app


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/guides/items", None),
    ("GET", "/api/v1/booking/halls", None),
    ("POST", "/api/v1/auth/staff/login", {"username": "li.clerk", "password": "a-long-password"}),
    ("POST", "/api/v1/auth/refresh", {"refresh_token": "x" * 43}),
])
def test_requests_answer_503_with_retry_after(unreachable_database_app, method, path, body):
    response = unreachable_database_app.test_client().open(path, method=method, json=body)
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "platform.database_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert "数据库" in response.json["detail"]


def test_readiness_names_the_database(unreachable_database_app):
    response = unreachable_database_app.test_client().get("/api/v1/ready")
    assert response.status_code == 503 and response.json["database"] == "unreachable"
