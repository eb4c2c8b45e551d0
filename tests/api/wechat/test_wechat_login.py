"""Mini-program and app login against the stand-in: wechatpy's request code
runs for every call."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from identity.models import Citizen, RefreshToken
from mobile_api import hooks
from mobile_api.audit import AuditEntry
from wechat.models import WeChatAccount, WeChatUnion

from .conftest import bearer, fresh_code


def _citizens(session) -> int:
    return session.scalar(select(func.count(Citizen.id)))


def test_first_login_creates_a_citizen_and_keeps_the_session_key_server_side(client, session, mp_appid, app):
    code = fresh_code("alice")
    response = client.post("/api/v1/auth/wechat/miniprogram", json={"code": code})
    assert response.status_code == 200
    answer = response.json
    assert answer["citizen"]["is_new"] is True and answer["citizen"]["merged"] is False
    assert "session_key" not in str(answer)
    me = client.get("/api/v1/me", headers=bearer(answer))
    assert me.status_code == 200 and me.json["public_id"] == answer["citizen"]["public_id"]
    account = session.scalar(select(WeChatAccount).where(WeChatAccount.appid == mp_appid))
    assert account.channel == "miniprogram" and account.unionid is not None
    from wechat.services.login import session_key_of
    from wechat.standin.identities import session_key_for

    plain = session_key_of(app.extensions["cipher"], account, app.extensions["clock"].now())
    assert account.session_key_enc != plain
    assert plain == session_key_for(mp_appid, "alice", code.split(":")[1])
    assert session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "wechat.login")) == 1


def test_session_key_expires(session, login, app, clock, mp_appid):
    login("erin")
    account = session.scalar(select(WeChatAccount).where(WeChatAccount.appid == mp_appid))
    from wechat.services.login import session_key_of

    clock.advance(seconds=app.config["WECHAT_SESSION_KEY_TTL_SECONDS"] + 1)
    assert session_key_of(app.extensions["cipher"], account, clock.now()) is None


def test_second_login_finds_the_same_citizen(login, session):
    first = login("bob")
    second = login("bob")
    assert second["citizen"]["public_id"] == first["citizen"]["public_id"]
    assert second["citizen"]["is_new"] is False
    assert _citizens(session) == 1


def test_miniprogram_and_app_share_a_citizen_through_the_unionid(login, session):
    via_mp = login("carol", "miniprogram")
    via_app = login("carol", "app")
    assert via_app["citizen"]["public_id"] == via_mp["citizen"]["public_id"]
    assert via_app["citizen"]["is_new"] is False
    accounts = session.scalars(select(WeChatAccount)).all()
    assert {a.channel for a in accounts} == {"miniprogram", "app"}
    assert len({a.citizen_id for a in accounts}) == 1
    assert accounts[0].openid != accounts[1].openid  # openids differ per app, as in WeChat


def test_different_people_get_different_citizens(login):
    assert login("dave")["citizen"]["public_id"] != login("dora")["citizen"]["public_id"]


def test_a_late_unionid_merges_the_two_citizens(client, login, session, standin, mp_appid):
    moved = []
    hooks.register_citizen_merge_hook("zz_test_probe", lambda s, f, i: moved.append((f, i)))
    try:
        standin.withhold_unionid(mp_appid)  # the mini-program is not yet bound to the open platform
        via_mp = login("frank", "miniprogram")
        via_app = login("frank", "app")  # has a unionid: a second citizen
        assert via_app["citizen"]["public_id"] != via_mp["citizen"]["public_id"]
        standin.withhold_unionid(mp_appid, False)
        merged = login("frank", "miniprogram")
    finally:
        hooks._merge_hooks.pop("zz_test_probe", None)
    assert merged["citizen"]["merged"] is True
    survivor = session.scalar(select(Citizen).where(Citizen.public_id == via_mp["citizen"]["public_id"]))
    absorbed = session.scalar(select(Citizen).where(Citizen.public_id == via_app["citizen"]["public_id"]))
    assert merged["citizen"]["public_id"] == survivor.public_id  # the older record survives
    assert moved == [(absorbed.id, survivor.id)]  # every package's rows were asked to move
    session.expire_all()
    assert absorbed.status == "closed"
    assert {a.citizen_id for a in session.scalars(select(WeChatAccount))} == {survivor.id}
    assert session.scalar(select(WeChatUnion.citizen_id)) == survivor.id
    # the absorbed citizen's refresh tokens no longer work
    assert session.scalar(select(func.count(RefreshToken.id)).where(
        RefreshToken.principal_id == absorbed.id, RefreshToken.revoked_at.is_(None))) == 0
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": via_app["refresh_token"]})
    assert refresh.status_code == 401
    # and the app now logs in to the survivor
    assert login("frank", "app")["citizen"]["public_id"] == survivor.public_id


def test_replayed_code_is_refused_and_changes_nothing(client, session):
    code = fresh_code("gina")
    assert client.post("/api/v1/auth/wechat/miniprogram", json={"code": code}).status_code == 200
    before = _citizens(session)
    again = client.post("/api/v1/auth/wechat/miniprogram", json={"code": code})
    assert again.status_code == 401
    assert again.json["code"] == "wechat.code_used"
    assert again.content_type == "application/problem+json"
    assert _citizens(session) == before


@pytest.mark.parametrize("code, status, problem", [
    ("not-a-wechat-code", 401, "wechat.code_invalid"),
    ("err40029:1", 401, "wechat.code_invalid"),
    ("err40163:1", 401, "wechat.code_used"),
    ("err45011:1", 429, "wechat.rate_limited"),
    ("err-1:1", 503, "wechat.unavailable"),
    ("timeout:1", 503, "wechat.unavailable"),
    ("unreachable:1", 503, "wechat.unavailable"),
    ("http500:1", 503, "wechat.unavailable"),
    ("err40226:1", 502, "wechat.upstream_error"),
])
@pytest.mark.parametrize("channel", ["miniprogram", "app"])
def test_wechat_errors_map_to_clear_answers(client, session, code, status, problem, channel):
    response = client.post(f"/api/v1/auth/wechat/{channel}", json={"code": code})
    assert response.status_code == status, response.json
    assert response.json["code"] == problem
    assert response.content_type == "application/problem+json"
    if status in (429, 503):
        assert int(response.headers["Retry-After"]) > 0
    assert _citizens(session) == 0


@pytest.mark.parametrize("body, field", [
    ({}, "code"),
    ({"code": ""}, "code"),
    ({"code": 12345}, "code"),
    ({"code": "a" * 129}, "code"),
    ({"code": "alice 1"}, "code"),
    ({"code": "alice:1", "extra": 1}, "extra"),
    ({"code": "alice:1", "appid": "wx-someone-else"}, "appid"),
])
def test_bad_input_is_a_4xx_and_changes_nothing(client, session, body, field):
    response = client.post("/api/v1/auth/wechat/miniprogram", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert _citizens(session) == 0


def test_unknown_appid_has_its_own_code(client, session, mp_appid):
    response = client.post("/api/v1/auth/wechat/app", json={"code": fresh_code("x"), "appid": mp_appid})
    assert response.json["code"] == "wechat.unknown_appid"
    ok = client.post("/api/v1/auth/wechat/miniprogram", json={"code": fresh_code("x"), "appid": mp_appid})
    assert ok.status_code == 200


def test_a_body_that_is_not_json_is_refused(client, session):
    response = client.post("/api/v1/auth/wechat/miniprogram", data="code=alice:1",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert _citizens(session) == 0


def test_login_is_rate_limited_per_code(client):
    code = fresh_code("henry")
    answers = [client.post("/api/v1/auth/wechat/miniprogram", json={"code": code}).status_code for _ in range(4)]
    assert answers == [200, 401, 401, 429]


@pytest.fixture
def tight_ip_limit(config_overrides):
    config_overrides["WECHAT_LOGIN_RATELIMIT_IP"] = "2 per minute"


def test_login_is_rate_limited_per_ip(tight_ip_limit, client):
    answers = [client.post("/api/v1/auth/wechat/miniprogram", json={"code": fresh_code("ivy")}).status_code
               for _ in range(3)]
    assert answers == [200, 200, 429]
    other_ip = client.post("/api/v1/auth/wechat/miniprogram", json={"code": fresh_code("ivy")},
                           environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other_ip.status_code == 200


def test_the_standin_is_also_served_over_http_in_development(client, mp_appid, app):
    response = client.get("/_standin/wechat/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": mp_appid, "secret": app.config["WECHAT_MINIPROGRAM_SECRET"]})
    assert response.status_code == 200 and response.json["access_token"]
    wrong = client.get("/_standin/wechat/cgi-bin/token", query_string={
        "grant_type": "client_credential", "appid": mp_appid, "secret": "nope"})
    assert wrong.json["errcode"] == 40125


def test_redis_down_while_fetching_the_token_is_a_503(client, session, app, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def redis_down(*args, **kwargs):
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(app.extensions["wechat"].client.session, "get", redis_down)
    response = client.post("/api/v1/auth/wechat/miniprogram", json={"code": fresh_code("nora")})
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert _citizens(session) == 0
