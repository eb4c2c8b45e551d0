import pytest


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_LOGIN": "3 per minute"}


def test_login_is_rate_limited_with_a_problem_answer_and_retry_after(client):
    for _ in range(3):
        assert client.post("/api/v1/auth/staff/login", json={"username": "u", "password": "p"}).status_code == 401
    response = client.post("/api/v1/auth/staff/login", json={"username": "u", "password": "p"})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "platform.rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_health_is_never_rate_limited(client, app):
    app.config["RATELIMIT_DEFAULT"] = "2 per minute"
    assert all(client.get("/api/v1/health").status_code == 200 for _ in range(10))
