"""Staff and kiosk login refuse names no account can have, as a 422 (never a 500)."""

import pytest


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/auth/staff/login", {"username": "demo\x00clerk", "password": "x"}, "username"),
    ("/api/v1/auth/staff/login", {"username": "\x00", "password": "x"}, "username"),
    ("/api/v1/auth/kiosk/token", {"device_code": "KIOSK\x001", "secret": "x"}, "device_code"),
])
def test_a_nul_in_a_login_name_is_a_422(client, path, body, field):
    # Was a 500 on PostgreSQL: the name reached the account look-up as a text
    # parameter, which PostgreSQL refuses when it holds NUL.
    response = client.post(path, json=body)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["code"] == "platform.unstorable_text"
    assert response.json["errors"][field] == ["不能包含 NUL 字符"]
