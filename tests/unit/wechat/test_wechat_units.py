"""Pure pieces: the stand-in's code convention, template filling, the
settings that keep the stand-in out of production."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import redis
from flask import Flask

from mobile_api.settings import register_settings
from wechat import resolve_transport
from wechat.certs import cert_hash
from wechat.services.templates import template_data
from wechat.settings import REAL_BASE_URL, SETTINGS, STANDIN_BASE_URL
from wechat.standin.identities import openid_for, parse_code, phone_for, unionid_for


def test_codes_of_one_user_are_one_wechat_person():
    assert parse_code("alice:1").user == parse_code("alice:2").user == "alice"
    assert openid_for("wxa", "alice") == openid_for("wxa", "alice")
    assert openid_for("wxa", "alice") != openid_for("wxb", "alice")  # openids are per app
    assert openid_for("wxa", "alice") != openid_for("wxa", "bob")
    assert unionid_for("alice") == unionid_for("alice") and unionid_for("nounion-x") is None


def test_special_codes_ask_for_errors_and_faults():
    assert parse_code("err40163:1").errcode == 40163
    assert parse_code("err-1:9").errcode == -1
    assert parse_code("timeout:1").fault == "timeout"
    assert parse_code("unreachable:1").fault == "connection"
    assert parse_code("no colon") is None and parse_code("") is None


def test_phone_users_have_their_number():
    assert phone_for("13812345678") == "13812345678"
    assert phone_for("alice") == phone_for("alice") and phone_for("alice").startswith("139")


def test_cert_hash_is_base64_sha256_of_the_cert_fields():
    import base64
    import hashlib

    expected = base64.b64encode(hashlib.sha256(
        "cert_type=IDENTITY_CARD&cert_name=张三&cert_no=11010519491231002X".encode()).digest()).decode()
    assert cert_hash("IDENTITY_CARD", "张三", "11010519491231002X") == expected


def test_template_data_fills_defaults_cuts_long_values_and_shows_beijing_time():
    data = template_data("booking_confirmed", {"item_name": "一" * 30, "time": "2026-11-27T01:30:00+00:00"})
    assert len(data["thing1"]["value"]) == 20 and data["thing1"]["value"].endswith("…")
    assert data["time2"]["value"] == "2026-11-27 09:30"
    assert data["thing3"]["value"] == "政务服务中心"  # default when the event did not say
    assert template_data("case_replied", {"status_text": "已经全部办理完毕"})["phrase2"]["value"] == "已经全部…"


def _app(env_name: str, env: dict):
    app = Flask("probe")
    app.config["APP_CONFIG"] = SimpleNamespace(ENV_NAME=env_name, env=env)
    # A client that connects on first use: building the transport must not use it.
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, decode_responses=True)
    register_settings(app, SETTINGS)
    return app


def test_development_and_tests_use_the_in_process_standin():
    base, transport = resolve_transport(_app("testing", {}))
    assert base == STANDIN_BASE_URL and transport is not None


def test_production_refuses_the_standin():
    secrets = {s.name: "x" for s in SETTINGS if s.production_required}
    with pytest.raises(RuntimeError, match="stand-in"):
        resolve_transport(_app("production", {**secrets, "WECHAT_STANDIN_ENABLED": "true"}))
    base, transport = resolve_transport(_app("production", secrets))
    assert base == REAL_BASE_URL and transport is None


def test_production_needs_the_real_ids_and_secrets():
    with pytest.raises(RuntimeError, match="WECHAT_"):
        _app("production", {})
