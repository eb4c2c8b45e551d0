"""Every error the shell produces is RFC 9457 problem+json with a stable code."""

import logging

import pytest

LOGIN = "/api/v1/auth/staff/login"


def assert_problem(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["code"] == code
    for field in ("type", "title", "detail"):
        assert body[field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), "detail must be Chinese"
    return body


def test_unknown_route(client):
    assert_problem(client.get("/api/v1/no-such-thing"), 404, "platform.not_found")


def test_wrong_method_lists_the_allowed_ones(client):
    response = client.delete("/api/v1/health")
    assert_problem(response, 405, "platform.method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json(client):
    response = client.post(LOGIN, data="{not json", content_type="application/json")
    assert_problem(response, 400, "request.malformed_json")


def test_wrong_content_type(client):
    response = client.post(LOGIN, data="username=a&password=b", content_type="text/plain")
    assert_problem(response, 415, "request.unsupported_media_type")


def test_unknown_and_missing_fields_are_named(client):
    response = client.post(LOGIN, json={"username": "a", "surprise": 1})
    body = assert_problem(response, 422, "platform.validation_failed")
    assert body["errors"]["surprise"] == ["不允许的字段"]
    assert body["errors"]["password"] == ["缺少必填字段"]


def test_wrong_type_is_a_field_error(client):
    body = assert_problem(client.post(LOGIN, json={"username": 5, "password": "x"}), 422,
                          "platform.validation_failed")
    assert "username" in body["errors"]


def test_json_body_over_the_json_limit(client, app):
    limit = app.config["MAX_JSON_BYTES"]
    response = client.post(LOGIN, data='{"username": "' + "a" * limit + '"}', content_type="application/json")
    assert_problem(response, 413, "request.too_large")


def test_upload_over_the_upload_limit(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    data = {"file": (__import__("io").BytesIO(b"x" * 4096), "big.bin")}
    response = client.post(LOGIN, data=data, content_type="multipart/form-data")
    assert_problem(response, 413, "request.too_large")


def test_bad_channel_header(client):
    response = client.get("/api/v1/auth/whoami", headers={"X-Client-Channel": "fax"})
    assert_problem(response, 400, "request.bad_channel")


def test_unhandled_exception_is_a_generic_500_logged_with_the_request_id(app, client, caplog):
    @app.get("/api/v1/_boom")
    def boom():
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/_boom", headers={"X-Request-ID": "req-boom-1"})
    body = assert_problem(response, 500, "platform.internal_error")
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert body["request_id"] == "req-boom-1"
    records = [r for r in caplog.records if r.name == "mobile_api.errors"]
    assert records and records[-1].request_id == "req-boom-1"


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    generated = client.get("/api/v1/health").headers["X-Request-ID"]
    assert len(generated) == 32
    # A hostile id (newline, far too long) is replaced, not echoed.
    assert client.get("/api/v1/health", headers={"X-Request-ID": "x" * 500}).headers["X-Request-ID"] != "x" * 500


def test_log_lines_are_json_with_the_request_id(app, client, capfd):
    from mobile_api.observability import configure_logging

    configure_logging("INFO", as_json=True)
    app.config["ACCESS_LOG"] = True
    client.get("/api/v1/health", headers={"X-Request-ID": "json-log-1"})
    import json

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry.get("path") == "/api/v1/health"]
    assert access and access[-1]["request_id"] == "json-log-1" and access[-1]["status"] == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/whoami", "/api/v1/admin/audit-log"])
def test_missing_token_is_401_problem(client, path):
    response = client.get(path)
    assert_problem(response, 401, "auth.unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture
def proxied(config_overrides):
    config_overrides["TRUSTED_PROXIES"] = 1


def test_behind_one_trusted_proxy_the_client_address_is_the_forwarded_one(proxied, app, client):
    @app.get("/api/v1/_ip")
    def ip():
        from flask import request

        return {"ip": request.remote_addr}

    response = client.get("/api/v1/_ip", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.json["ip"] == "203.0.113.9"


def test_nul_characters_are_refused_before_any_service_sees_them(client, make):
    body = assert_problem(client.post(LOGIN, json={"username": "a\u0000b", "password": "x"}), 422,
                          "platform.unstorable_text")
    assert body["errors"] == {"username": ["不能包含 NUL 字符"]}
    nested = client.post(LOGIN, json={"username": "a", "password": "x", "extra": [{"deep": "\u0000"}]})
    assert_problem(nested, 422, "platform.unstorable_text")
    headers = make.headers(make.staff(role="admin"))
    query = client.get("/api/v1/admin/audit-log?action=a%00b", headers=headers)
    assert_problem(query, 422, "platform.unstorable_text")
    assert_problem(client.get("/api/v1/admin/audit-log%00", headers=headers), 404, "platform.not_found")


def test_ids_no_database_column_can_hold_are_not_found(app, client):
    @app.get("/api/v1/_things/<int:thing_id>")
    def thing(thing_id):
        return {"id": thing_id}

    assert client.get("/api/v1/_things/2147483647").json == {"id": 2147483647}
    assert_problem(client.get("/api/v1/_things/2147483648"), 404, "platform.not_found")
    assert_problem(client.get("/api/v1/_things/9223372036854775808"), 404, "platform.not_found")


def test_range_and_length_messages_are_chinese(client, make):
    headers = make.headers(make.staff(role="admin"))
    body = assert_problem(client.get("/api/v1/admin/audit-log?page_size=1000", headers=headers), 422,
                          "platform.validation_failed")
    assert body["errors"]["page_size"] == ["应在 1 到 100 之间"]
    long_name = client.post(LOGIN, json={"username": "u" * 100, "password": "x"}).json
    assert long_name["errors"]["username"] == ["长度应在 1 到 64 之间"]
