"""Admin API: deactivate, reactivate and reset the password of staff, and
(de)activate kiosks; audited, department-scoped, refusals as problem+json."""

import pytest
from sqlalchemy import select

from mobile_api.audit import AuditEntry
from tests.factories import DEFAULT_PASSWORD

BASE = "/api/v1/identity"


def _login(client, username, password=DEFAULT_PASSWORD):
    return client.post("/api/v1/auth/staff/login", json={"username": username, "password": password})


def _problem(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == code
    return response.json


def _audit(session, action, object_id):
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                       AuditEntry.object_id == str(object_id))).all()
    # End this read here: requests in this test share one connection, and a
    # read left open would be released under them (see docs/DEVELOPING.md).
    session.commit()
    return entries


def _reload(session, row):
    session.refresh(row)
    session.commit()
    return row


def test_deactivation_revokes_tokens_and_blocks_login(client, make, session, clock):
    admin, clerk = make.staff("admin", hall_id=None), make.staff("clerk")
    pair = _login(client, clerk.username).json
    clerk_headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/v1/auth/whoami", headers=clerk_headers).status_code == 200

    response = client.post(f"{BASE}/staff/{clerk.id}/deactivate", headers=make.headers(admin),
                           json={"reason": "调离"})
    assert response.status_code == 200 and response.json["active"] is False
    _problem(client.get("/api/v1/auth/whoami", headers=clerk_headers), 401, "auth.token_revoked")
    _problem(client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401,
             "auth.refresh_reused")
    _problem(_login(client, clerk.username), 401, "auth.invalid_credentials")
    entry, = _audit(session, "staff.deactivate", clerk.id)
    assert entry.principal_id == admin.id and entry.details["reason"] == "调离"
    assert entry.details["refresh_tokens_revoked"] == 1

    clock.advance(seconds=1)
    assert client.post(f"{BASE}/staff/{clerk.id}/reactivate", headers=make.headers(admin)).json["active"] is True
    assert _audit(session, "staff.reactivate", clerk.id)
    fresh = _login(client, clerk.username).json
    assert client.get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {fresh['access_token']}"}
                      ).status_code == 200
    # Tokens from before the deactivation stay dead after reactivation.
    _problem(client.get("/api/v1/auth/whoami", headers=clerk_headers), 401, "auth.token_revoked")


def test_password_reset_generated_or_chosen_logs_the_person_out(client, make, session, clock):
    admin, clerk = make.staff("admin", hall_id=None), make.staff("clerk")
    old = {"Authorization": f"Bearer {_login(client, clerk.username).json['access_token']}"}
    clock.advance(seconds=1)
    response = client.post(f"{BASE}/staff/{clerk.id}/password", headers=make.headers(admin), json={})
    assert response.status_code == 200
    generated = response.json["temporary_password"]
    assert generated and response.json["staff"]["username"] == clerk.username
    _problem(client.get("/api/v1/auth/whoami", headers=old), 401, "auth.token_revoked")
    _problem(_login(client, clerk.username), 401, "auth.invalid_credentials")
    clock.advance(seconds=1)
    assert _login(client, clerk.username, generated).status_code == 200

    chosen = client.post(f"{BASE}/staff/{clerk.id}/password", headers=make.headers(admin),
                         json={"new_password": "新的 password 2026"})
    assert chosen.status_code == 200 and chosen.json["temporary_password"] is None
    assert len(_audit(session, "staff.password_reset", clerk.id)) == 2


@pytest.mark.parametrize("password, fragment", [
    ("short1!", "至少 10 个字符"), ("aaaaaaaaaaaa", "极少数字符"), ("onlyletterspassword", "两类"),
    ("password123", "常见"), ("xclerk-name-2026", None),
])
def test_weak_passwords_are_refused_and_change_nothing(client, make, session, password, fragment):
    admin = make.staff("admin", hall_id=None)
    clerk = make.staff("clerk", username="xclerk-name")
    before = clerk.password_hash
    body = _problem(client.post(f"{BASE}/staff/{clerk.id}/password", headers=make.headers(admin),
                                json={"new_password": password}), 422, "identity.weak_password")
    assert "new_password" in body["errors"]
    assert fragment is None or fragment in body["detail"]
    _reload(session, clerk)
    assert clerk.password_hash == before and not _audit(session, "staff.password_reset", clerk.id)


def test_department_admin_manages_only_their_own_department(client, make, session):
    police_admin = make.staff("admin", department_code="gongan")
    police_clerk = make.staff("clerk", department_code="gongan")
    tax_clerk = make.staff("clerk", department_code="shuiwu")
    platform_admin = make.staff("admin", hall_id=None)
    headers = make.headers(police_admin)
    _problem(client.post(f"{BASE}/staff/{tax_clerk.id}/deactivate", headers=headers, json={}), 403,
             "auth.forbidden")
    _problem(client.post(f"{BASE}/staff/{platform_admin.id}/password", headers=headers, json={}), 403,
             "auth.forbidden")
    _problem(client.post(f"{BASE}/kiosks/{make.kiosk()[0].id}/deactivate", headers=headers), 403, "auth.forbidden")
    hall_admin = make.staff("admin", department_code=None, hall_id=1)  # runs a hall, not the platform
    _problem(client.post(f"{BASE}/staff/{police_clerk.id}/deactivate", headers=make.headers(hall_admin), json={}),
             403, "auth.forbidden")
    assert client.post(f"{BASE}/staff/{police_clerk.id}/deactivate", headers=headers, json={}).status_code == 200
    _reload(session, tax_clerk)
    assert tax_clerk.active and not _audit(session, "staff.deactivate", tax_clerk.id)


def test_refusals(client, make):
    admin, clerk = make.staff("admin", hall_id=None), make.staff("clerk")
    _problem(client.post(f"{BASE}/staff/{clerk.id}/deactivate", json={}), 401, "auth.unauthorized")
    _problem(client.post(f"{BASE}/staff/{admin.id}/deactivate", headers=make.headers(clerk), json={}), 403,
             "auth.forbidden")
    _problem(client.post(f"{BASE}/staff/{admin.id}/deactivate", headers=make.headers(admin), json={}), 409,
             "identity.cannot_change_self")
    _problem(client.post(f"{BASE}/staff/999999/deactivate", headers=make.headers(admin), json={}), 404,
             "identity.not_found")
    too_big = client.post(f"{BASE}/staff/99999999999/deactivate", headers=make.headers(admin), json={})
    assert too_big.status_code == 404 and too_big.content_type == "application/problem+json"
    _problem(client.post(f"{BASE}/staff/{clerk.id}/reactivate", headers=make.headers(admin)), 409,
             "identity.already_in_state")
    _problem(client.post(f"{BASE}/staff/{clerk.id}/deactivate", headers=make.headers(admin),
                         json={"reason": "", "extra": 1}), 422, "platform.validation_failed")
    _problem(client.post(f"{BASE}/staff/{clerk.id}/password", headers=make.headers(admin),
                         json={"new_password": 12}), 422, "platform.validation_failed")


def test_kiosk_deactivation_revokes_and_blocks_the_device(client, make, session, clock):
    admin = make.staff("admin", hall_id=None)
    device, secret = make.kiosk()
    pair = client.post("/api/v1/auth/kiosk/token", json={"device_code": device.device_code, "secret": secret}).json
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    response = client.post(f"{BASE}/kiosks/{device.id}/deactivate", headers=make.headers(admin))
    assert response.status_code == 200 and response.json["active"] is False
    _problem(client.get("/api/v1/auth/whoami", headers=headers), 401, "auth.token_revoked")
    _problem(client.post("/api/v1/auth/kiosk/token", json={"device_code": device.device_code, "secret": secret}),
             401, "auth.invalid_device_credentials")
    _problem(client.post(f"{BASE}/kiosks/{device.id}/deactivate", headers=make.headers(admin)), 409,
             "identity.already_in_state")
    clock.advance(seconds=1)
    assert client.post(f"{BASE}/kiosks/{device.id}/reactivate", headers=make.headers(admin)).status_code == 200
    assert _audit(session, "kiosk.deactivate", device.id) and _audit(session, "kiosk.reactivate", device.id)
