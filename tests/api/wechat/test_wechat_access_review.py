"""Access review: /me, phone binding and subscriptions are the citizen's own; phones never leave unmasked,
not even in the audit log."""

from __future__ import annotations

import json

from sqlalchemy import select

from mobile_api.audit import AuditEntry

from .conftest import bearer, fresh_code

API = "/api/v1"


def test_no_token_is_401(client):
    for method, path in (("get", "/me"), ("delete", "/me"), ("post", "/auth/wechat/phone"),
                         ("get", "/wechat/subscriptions"), ("post", "/wechat/subscriptions"),
                         ("post", "/identity/face/wechat/verify-id"), ("post", "/identity/face/wechat/result")):
        response = getattr(client, method)(API + path, json={} if method == "post" else None)
        assert response.status_code == 401, (method, path, response.status_code)


def test_staff_and_kiosks_cannot_use_citizen_endpoints(client, make, session, login):
    alice = login("alice")
    kiosk, _ = make.kiosk()
    for principal in (make.staff("clerk"), make.staff("admin"), kiosk):
        h = make.headers(principal)
        assert client.get(f"{API}/me", headers=h).status_code == 403
        assert client.delete(f"{API}/me", headers=h).status_code == 403
        assert client.get(f"{API}/wechat/subscriptions", headers=h).status_code == 403
        bound = client.post(f"{API}/auth/wechat/phone", headers=h, json={"code": fresh_code("13812345678")})
        assert bound.status_code == 403
    assert client.get(f"{API}/me", headers=bearer(alice)).status_code == 200


def test_each_citizen_sees_only_their_own_profile_and_phones_stay_masked(client, session, login):
    alice, bob = login("alice"), login("bob")
    assert client.post(f"{API}/auth/wechat/phone", json={"code": fresh_code("13812345678")},
                       headers=bearer(alice)).status_code == 200
    assert client.post(f"{API}/auth/wechat/phone", json={"code": fresh_code("13987654321")},
                       headers=bearer(bob)).status_code == 200
    me_alice = client.get(f"{API}/me", headers=bearer(alice))
    me_bob = client.get(f"{API}/me", headers=bearer(bob))
    assert me_alice.json["phone_masked"] == "138****5678" and me_bob.json["phone_masked"] == "139****4321"
    for answer in (me_alice, me_bob):
        body = answer.get_data(as_text=True)
        assert "13812345678" not in body and "13987654321" not in body
        assert "session_key" not in body
    for entry in session.scalars(select(AuditEntry)):
        blob = json.dumps(entry.details or {}, ensure_ascii=False) + (entry.object_id or "")
        assert "13812345678" not in blob and "13987654321" not in blob, entry.action


def test_closing_ones_account_leaves_the_others_alone(client, login):
    alice, bob = login("alice"), login("bob")
    assert client.delete(f"{API}/me", headers=bearer(bob)).status_code in (200, 204)
    assert client.get(f"{API}/me", headers=bearer(alice)).status_code == 200
