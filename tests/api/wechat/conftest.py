"""Helpers for the WeChat API tests: the stand-in's control and logins."""

from __future__ import annotations

import itertools

import pytest

from wechat.standin import StandInControl

_nonce = itertools.count(1)


@pytest.fixture
def standin(app):
    return StandInControl(app.extensions["redis"])


@pytest.fixture
def mp_appid(app):
    return app.config["WECHAT_MINIPROGRAM_APPID"]


@pytest.fixture
def app_appid(app):
    return app.config["WECHAT_APP_APPID"]


def fresh_code(user: str) -> str:
    return f"{user}:{next(_nonce)}"


@pytest.fixture
def login(client):
    """login("alice") → the JSON answer of a mini-program login (asserts 200)."""

    def do(user: str, channel: str = "miniprogram", expect: int = 200):
        response = client.post(f"/api/v1/auth/wechat/{channel}", json={"code": fresh_code(user)},
                               headers={"X-Client-Channel": channel})
        assert response.status_code == expect, response.json
        return response.json

    return do


def bearer(answer: dict, **extra) -> dict:
    return {"Authorization": f"Bearer {answer['access_token']}", **extra}


@pytest.fixture
def session(app, db_connection):
    """The session requests use. Inside the test's app context, Flask reuses
    that context for every request, so requests share `g` and with it one
    session; the test reads through the same one, so two sessions never
    interleave savepoints on the shared test connection."""
    with app.app_context():
        yield app.extensions["db"].session
