"""The token lifecycle: login, expiry, signatures, roles, key rotation,
refresh rotation and reuse, logout, lock-out, kiosks."""

import jwt
import pytest

from identity.tokens import TokenService
from tests.factories import DEFAULT_PASSWORD

LOGIN = "/api/v1/auth/staff/login"
WHOAMI = "/api/v1/auth/whoami"


def login(client, username, password=DEFAULT_PASSWORD):
    return client.post(LOGIN, json={"username": username, "password": password})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_staff_login_gives_tokens_that_identify_the_staff(client, make):
    staff = make.staff(role="approver", department_code="renshe", hall_id=3)
    response = login(client, staff.username)
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    me = client.get(WHOAMI, headers=bearer(body["access_token"])).json
    assert me == {"kind": "staff", "id": staff.id, "role": "approver", "department_code": "renshe", "hall_id": 3,
                  "channel": "window"}


def test_wrong_password_and_unknown_user_look_the_same(client, make):
    staff = make.staff()
    wrong = login(client, staff.username, "wrong password!")
    unknown = login(client, "nobody-here", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["code"] == unknown.json["code"] == "auth.invalid_credentials"


def test_access_token_expires_by_the_clock(client, make, clock):
    token = make.token(make.citizen())
    assert client.get(WHOAMI, headers=bearer(token)).status_code == 200
    clock.advance(minutes=15, seconds=1)
    response = client.get(WHOAMI, headers=bearer(token))
    assert response.status_code == 401 and response.json["code"] == "auth.token_expired"


def test_token_signed_with_an_unknown_key_or_tampered_is_refused(client, make, app):
    citizen = make.citizen()
    good = make.token(citizen)
    claims = jwt.decode(good, options={"verify_signature": False})
    forged = jwt.encode(claims, "x" * 40, algorithm="HS256", headers={"kid": app.config["JWT_ACTIVE_KID"]})
    assert client.get(WHOAMI, headers=bearer(forged)).json["code"] == "auth.token_invalid"
    unknown_kid = jwt.encode(claims, "x" * 40, algorithm="HS256", headers={"kid": "nope"})
    assert client.get(WHOAMI, headers=bearer(unknown_kid)).status_code == 401
    none_alg = jwt.encode(claims, None, algorithm="none")
    assert client.get(WHOAMI, headers=bearer(none_alg)).status_code == 401
    assert client.get(WHOAMI, headers={"Authorization": "Basic abc"}).status_code == 401


def test_wrong_role_is_403(client, make):
    citizen = make.citizen()
    response = client.get("/api/v1/admin/audit-log", headers=make.headers(citizen))
    assert response.status_code == 403 and response.json["code"] == "auth.forbidden"
    clerk = make.staff(role="clerk")
    assert client.get("/api/v1/admin/audit-log", headers=make.headers(clerk)).status_code == 403


def test_key_rotation_keeps_old_tokens_valid_until_the_old_key_is_retired(app, client, make):
    citizen = make.citizen()
    old_token = make.token(citizen)
    config = app.config["APP_CONFIG"]
    old_kid = config.JWT_ACTIVE_KID
    rotated = dict(config.JWT_SIGNING_KEYS, k2="n" * 40)
    service = app.extensions["tokens"]
    service.keys, service.active_kid = rotated, "k2"
    new_token = make.token(citizen)
    assert jwt.get_unverified_header(new_token)["kid"] == "k2"
    assert client.get(WHOAMI, headers=bearer(old_token)).status_code == 200
    assert client.get(WHOAMI, headers=bearer(new_token)).status_code == 200
    service.keys = {"k2": rotated["k2"]}  # the old key is retired
    assert client.get(WHOAMI, headers=bearer(old_token)).status_code == 401
    assert client.get(WHOAMI, headers=bearer(new_token)).status_code == 200
    assert old_kid != "k2"


def test_refresh_rotates_and_reuse_revokes_the_whole_family(client, make):
    staff = make.staff()
    first = login(client, staff.username).json
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.json
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get(WHOAMI, headers=bearer(second["access_token"])).status_code == 200
    # The spent token comes back (stolen?): refused, and the family is revoked.
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401 and reuse.json["code"] == "auth.refresh_reused"
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401 and after.json["code"] == "auth.refresh_reused"


def test_refresh_with_garbage_or_expired_token(client, make, clock):
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 40}).json["code"] == "auth.token_invalid"
    staff = make.staff()
    pair = login(client, staff.username).json
    clock.advance(days=31)
    expired = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert expired.status_code == 401 and expired.json["code"] == "auth.token_expired"


def test_refresh_is_refused_for_a_disabled_account(client, make, session):
    staff = make.staff()
    pair = login(client, staff.username).json
    staff.active = False
    session.commit()
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401


def test_logout_revokes_the_access_token_and_the_refresh_family(client, make):
    staff = make.staff()
    pair = login(client, staff.username).json
    response = client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]},
                           headers=bearer(pair["access_token"]))
    assert response.status_code == 204
    again = client.get(WHOAMI, headers=bearer(pair["access_token"]))
    assert again.status_code == 401 and again.json["code"] == "auth.token_revoked"
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


def test_staff_lockout_after_repeated_failures(client, make, clock, app):
    staff = make.staff()
    limit = app.config["STAFF_MAX_FAILED_LOGINS"]
    for _ in range(limit - 1):
        assert login(client, staff.username, "wrong password!").status_code == 401
    locked = login(client, staff.username, "wrong password!")
    assert locked.status_code == 423 and locked.json["code"] == "auth.account_locked"
    assert int(locked.headers["Retry-After"]) > 0
    # Even the right password is refused while locked …
    assert login(client, staff.username).status_code == 423
    # … and works again once the lock-out has passed.
    clock.advance(seconds=app.config["STAFF_LOCKOUT_SECONDS"] + 1)
    assert login(client, staff.username).status_code == 200


def test_kiosk_exchanges_its_secret_for_tokens(client, make):
    device, secret = make.kiosk(hall_id=7)
    response = client.post("/api/v1/auth/kiosk/token", json={"device_code": device.device_code, "secret": secret})
    assert response.status_code == 200
    me = client.get(WHOAMI, headers=bearer(response.json["access_token"])).json
    assert me["kind"] == "kiosk" and me["role"] == "kiosk" and me["hall_id"] == 7
    wrong = client.post("/api/v1/auth/kiosk/token", json={"device_code": device.device_code, "secret": "nope"})
    assert wrong.status_code == 401


def test_login_and_failures_are_audited(client, make, app):
    staff = make.staff()
    admin = make.staff(role="admin")
    login(client, staff.username, "wrong password!")
    login(client, staff.username)
    entries = client.get(f"/api/v1/admin/audit-log?object_type=staff&object_id={staff.id}",
                         headers=make.headers(admin)).json
    actions = [entry["action"] for entry in entries]
    assert actions[:2] == ["staff.login", "staff.login_failed"]
    assert all(entry["request_id"] for entry in entries[:2])


def test_a_step_up_token_is_not_accepted_as_an_access_token(app, make):
    service: TokenService = app.extensions["tokens"]
    step_up_like = jwt.encode({"iss": "fingertip", "sub": "citizen:1", "jti": "j", "iat": 1, "exp": 4102444800,
                               "typ": "step_up"}, service.keys[service.active_kid], algorithm="HS256",
                              headers={"kid": service.active_kid})
    with pytest.raises(Exception) as info:
        service.decode_access(step_up_like)
    assert getattr(info.value, "code", "") == "auth.token_invalid"
