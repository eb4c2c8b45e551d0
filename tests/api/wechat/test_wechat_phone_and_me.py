"""Phone binding (encrypted, masked, step-up to replace), the profile and
account closure."""

from __future__ import annotations

from sqlalchemy import func, select

from identity.models import Citizen, RefreshToken
from identity.stepup import HEADER, issue_step_up_token
from wechat.models import PhoneBinding, SubscriptionGrant, WeChatAccount, WeChatUnion

from .conftest import bearer, fresh_code


def _bind(client, answer, user, **headers):
    return client.post("/api/v1/auth/wechat/phone", json={"code": fresh_code(user)},
                       headers=bearer(answer, **headers))


def _step_up(app, session, answer):
    from identity.services import citizen_actor

    citizen = session.scalar(select(Citizen).where(Citizen.public_id == answer["citizen"]["public_id"]))
    return issue_step_up_token(app.extensions["tokens"], citizen_actor(citizen, "miniprogram"), "wechat")


def test_binding_a_phone_stores_it_encrypted_and_shows_it_masked(client, session, login, app):
    answer = login("alice")
    response = _bind(client, answer, "13812345678")
    assert response.status_code == 200
    assert response.json == {"phone_masked": "138****5678"}
    binding = session.scalar(select(PhoneBinding))
    assert "13812345678" not in binding.phone_enc and "5678" not in binding.phone_index
    assert binding.phone_index == app.extensions["cipher"].blind_index("13812345678", "phone")
    me = client.get("/api/v1/me", headers=bearer(answer)).json
    assert me["phone_masked"] == "138****5678"
    assert "13812345678" not in str(me)


def test_rebinding_the_same_phone_needs_no_step_up_but_a_new_one_does(client, session, login, app):
    answer = login("bob")
    assert _bind(client, answer, "13900000001").status_code == 200
    assert _bind(client, answer, "13900000001").status_code == 403  # a bound phone: step-up first
    refused = _bind(client, answer, "13900000002")
    assert refused.status_code == 403 and refused.json["code"] == "identity.step_up_required"
    assert client.get("/api/v1/me", headers=bearer(answer)).json["phone_masked"] == "139****0001"
    changed = _bind(client, answer, "13900000002", **{HEADER: _step_up(app, session, answer)})
    assert changed.status_code == 200 and changed.json["phone_masked"] == "139****0002"


def test_a_step_up_token_of_someone_else_is_refused(client, session, login, app):
    owner, other = login("carl"), login("cora")
    assert _bind(client, owner, "13700000001").status_code == 200
    response = _bind(client, owner, "13700000002", **{HEADER: _step_up(app, session, other)})
    assert response.status_code == 403


def test_a_number_moves_to_its_current_wechat_owner(client, session, login):
    first, second = login("dina"), login("dirk")
    assert _bind(client, first, "13600000001").status_code == 200
    assert _bind(client, second, "13600000001").status_code == 200
    assert client.get("/api/v1/me", headers=bearer(first)).json["phone_masked"] is None
    assert session.scalar(select(func.count(PhoneBinding.id))) == 1


def test_phone_binding_errors(client, session, login, standin):
    answer = login("emma")
    code = fresh_code("13500000001")
    assert client.post("/api/v1/auth/wechat/phone", json={"code": code}, headers=bearer(answer)).status_code == 200
    replay = client.post("/api/v1/auth/wechat/phone", json={"code": code}, headers=bearer(answer))
    assert replay.status_code in (401, 403)
    assert client.post("/api/v1/auth/wechat/phone", json={"code": code}).status_code == 401  # no token
    assert client.post("/api/v1/auth/wechat/phone", json={"code": "x" * 200},
                       headers=bearer(answer)).status_code == 422
    other = login("emil")
    standin.fail_next("phone", 45011)
    limited = _bind(client, other, "13500000002")
    assert limited.status_code == 429 and limited.json["code"] == "wechat.rate_limited"
    standin.fail_next("phone", "timeout")
    assert _bind(client, other, "13500000002").status_code == 503
    assert session.scalar(select(func.count(PhoneBinding.id))) == 1


def test_the_phone_call_refreshes_a_rejected_token_once(client, login, standin, mp_appid):
    answer = login("fern")
    assert _bind(client, answer, "13400000001").status_code == 200
    standin.invalidate_token(mp_appid)
    other = login("finn")
    assert _bind(client, other, "13400000002").status_code == 200
    assert standin.token_fetches(mp_appid) == 2


def test_profile_shows_channels_and_real_name_status(client, login):
    answer = login("gwen", "miniprogram")
    login("gwen", "app")
    me = client.get("/api/v1/me", headers=bearer(answer))
    assert me.status_code == 200
    assert sorted(c["channel"] for c in me.json["channels"]) == ["app", "miniprogram"]
    assert me.json["real_name"]["status"] in ("none", "declared", "verified")
    assert me.json["phone_masked"] is None
    assert client.get("/api/v1/me").status_code == 401


def test_closing_the_account_revokes_tokens_and_erases_wechat_data(client, session, login, app):
    answer = login("hugo", "miniprogram")
    login("hugo", "app")
    assert _bind(client, answer, "13300000001").status_code == 200
    template = app.config["WECHAT_TEMPLATE_BOOKING_CONFIRMED"]
    client.post("/api/v1/wechat/subscriptions", json={"results": {template: "accept"}}, headers=bearer(answer))
    citizen = session.scalar(select(Citizen).where(Citizen.public_id == answer["citizen"]["public_id"]))

    closed = client.delete("/api/v1/me", headers=bearer(answer))
    assert closed.status_code == 204
    session.expire_all()
    assert citizen.status == "closed" and citizen.closed_at is not None
    for model in (WeChatAccount, WeChatUnion, PhoneBinding, SubscriptionGrant):
        assert session.scalar(select(func.count(model.id))) == 0, model
    assert session.scalar(select(func.count(RefreshToken.id)).where(
        RefreshToken.principal_id == citizen.id, RefreshToken.revoked_at.is_(None))) == 0
    assert client.get("/api/v1/me", headers=bearer(answer)).status_code == 401  # the token is denied
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": answer["refresh_token"]}).status_code == 401
    again = login("hugo")
    assert again["citizen"]["is_new"] is True and again["citizen"]["public_id"] != answer["citizen"]["public_id"]


def test_subscription_grants_validate_templates(client, session, login, app):
    answer = login("iris")
    listing = client.get("/api/v1/wechat/subscriptions", headers=bearer(answer))
    assert listing.status_code == 200 and len(listing.json["templates"]) == 8
    unknown = client.post("/api/v1/wechat/subscriptions", json={"results": {"someone-elses": "accept"}},
                          headers=bearer(answer))
    assert unknown.status_code == 422 and unknown.json["code"] == "wechat.unknown_template"
    bad = client.post("/api/v1/wechat/subscriptions", json={"results": {"x": "maybe"}}, headers=bearer(answer))
    assert bad.status_code == 422
    assert client.post("/api/v1/wechat/subscriptions", json={"results": {}}, headers=bearer(answer)).status_code == 422
    template = app.config["WECHAT_TEMPLATE_CASE_REPLIED"]
    other = app.config["WECHAT_TEMPLATE_RATING_INVITATION"]
    ok = client.post("/api/v1/wechat/subscriptions", json={"results": {template: "accept", other: "reject"}},
                     headers=bearer(answer))
    counts = {t["event"]: t["available"] for t in ok.json["templates"]}
    assert counts["case_replied"] == 1 and counts["rating_invitation"] == 0
    assert session.scalar(select(func.count(SubscriptionGrant.id))) == 1
