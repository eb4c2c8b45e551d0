"""Redis stopped: staff/kiosk login and refresh keep their rate limit and
lockout (counted in the database), and revoked tokens stay refused (the
deny-list is read from the database). "Stopped" is an app pointed at a closed
loopback port, or a private redis-server this test starts and stops; the
shared Redis is never touched."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from mobile_api import create_app
from tests.factories import DEFAULT_PASSWORD


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_LOGIN": "3 per minute", "STAFF_MAX_FAILED_LOGINS": 100}


def _app_on_redis(app_config, database, clock, url):
    app_config.REDIS_URL = url  # flask-limiter's storage too
    client = redis.Redis.from_url(url, socket_connect_timeout=0.3, socket_timeout=0.3, decode_responses=True)
    app = create_app(app_config, clock=clock, redis_client=client, database=database)
    app.config["ACCESS_LOG"] = False
    return app


@pytest.fixture
def redis_down_app(app_config, database, db_connection, clock):
    return _app_on_redis(app_config, database, clock, f"redis://127.0.0.1:{_free_port()}/0")


def _login(client, username, password=DEFAULT_PASSWORD):
    return client.post("/api/v1/auth/staff/login", json={"username": username, "password": password})


def test_staff_login_stays_rate_limited_when_redis_is_down(app, make, redis_down_app, clock):
    staff = make.staff()
    client = redis_down_app.test_client()
    for _ in range(3):
        assert _login(client, staff.username, "wrong-password-1").status_code == 401
    refused = _login(client, staff.username)  # even the right password: the limit comes first
    assert refused.status_code == 429
    assert refused.content_type == "application/problem+json"
    assert refused.json["code"] == "platform.rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    clock.advance(seconds=60)  # next window
    assert _login(client, staff.username).status_code == 200


def test_kiosk_token_and_refresh_stay_rate_limited_when_redis_is_down(app, make, redis_down_app):
    client = redis_down_app.test_client()
    for _ in range(3):
        assert client.post("/api/v1/auth/kiosk/token", json={"device_code": "K-X", "secret": "guess"}).status_code == 401
    assert client.post("/api/v1/auth/kiosk/token", json={"device_code": "K-X", "secret": "guess"}).status_code == 429
    for _ in range(3):
        assert client.post("/api/v1/auth/refresh", json={"refresh_token": "g" * 43}).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": "g" * 43}).status_code == 429


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_LOGIN": "100 per minute", "STAFF_MAX_FAILED_LOGINS": 3}])
def test_lockout_still_holds_when_redis_is_down(app, make, redis_down_app):
    staff = make.staff()
    client = redis_down_app.test_client()
    statuses = [_login(client, staff.username, "wrong-password-1").status_code for _ in range(3)]
    assert statuses == [401, 401, 423]
    assert _login(client, staff.username).status_code == 423


def test_a_logged_out_token_is_refused_when_redis_is_down(app, client, make, redis_down_app):
    staff = make.staff()
    pair = _login(client, staff.username).json
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers, json={}).status_code == 204
    kept = {"Authorization": f"Bearer {_login(client, staff.username).json['access_token']}"}

    down = redis_down_app.test_client()
    refused = down.get("/api/v1/auth/whoami", headers=headers)
    assert refused.status_code == 401 and refused.json["code"] == "auth.token_revoked"
    assert down.get("/api/v1/auth/whoami", headers=kept).status_code == 200  # reads keep working


def test_revocations_come_back_into_redis_after_a_flush(app, client, make, redis_client):
    staff = make.staff()
    headers = {"Authorization": f"Bearer {_login(client, staff.username).json['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers, json={}).status_code == 204
    redis_client.flushdb()  # Redis restarted empty
    assert client.get("/api/v1/auth/whoami", headers=headers).json["code"] == "auth.token_revoked"


def test_logout_while_redis_is_down_is_refused_whole(app, client, make, redis_down_app):
    staff = make.staff()
    headers = {"Authorization": f"Bearer {_login(client, staff.username).json['access_token']}"}
    response = redis_down_app.test_client().post("/api/v1/auth/logout", headers=headers, json={})
    assert response.status_code == 503 and response.headers["Retry-After"]
    # Nothing half-done: the token was not revoked, so the client may retry later.
    assert client.get("/api/v1/auth/whoami", headers=headers).status_code == 200


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server to start a private one")
def test_a_private_redis_server_stopped_mid_run(app_config, database, db_connection, clock, make, app):
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        probe = redis.Redis(port=port, socket_connect_timeout=0.2)
        for _ in range(50):
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        private = _app_on_redis(app_config, database, clock, f"redis://127.0.0.1:{port}/0")
        client = private.test_client()
        staff = make.staff()
        pair = _login(client, staff.username).json
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        assert client.post("/api/v1/auth/logout", headers=headers, json={}).status_code == 204
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert client.get("/api/v1/auth/whoami", headers=headers).json["code"] == "auth.token_revoked"
    # One login succeeded while Redis was up; in the database there is a fresh count.
    statuses = [_login(client, staff.username, "wrong-password-1").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
