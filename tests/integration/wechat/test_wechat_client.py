"""The WeChat client over the stand-in: the access token shared through Redis,
one refresh on 40001/42001, a timeout on every request."""

from __future__ import annotations

import pytest
from wechatpy.exceptions import WeChatClientException

from wechat.client import WeChatApiClient
from wechat.settings import STANDIN_BASE_URL
from wechat.standin import StandInControl, create_standin_app
from wechat.transport import WSGIAdapter

APPID, SECRET = "wxtestclient0000001", "test-secret"


class RecordingAdapter(WSGIAdapter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timeouts = []

    def send(self, request, **kwargs):
        self.timeouts.append(kwargs.get("timeout"))
        return super().send(request, **kwargs)


@pytest.fixture
def standin_app(redis_client):
    return create_standin_app(redis_client, {APPID: SECRET}).wsgi_app


@pytest.fixture
def control(redis_client):
    return StandInControl(redis_client)


def make_client(redis_client, standin_app, adapter=None):
    adapter = adapter or WSGIAdapter(standin_app, STANDIN_BASE_URL)
    return WeChatApiClient(APPID, SECRET, STANDIN_BASE_URL, redis_client, timeout=3.5, transport=adapter)


def _phone_code(control, redis_client, user="13812345678"):
    return f"{user}:{redis_client.incr('test:nonce')}"


def test_two_clients_share_one_access_token(redis_client, standin_app, control):
    first, second = make_client(redis_client, standin_app), make_client(redis_client, standin_app)
    assert first.get_user_phone_number(_phone_code(control, redis_client))["phone_info"]["purePhoneNumber"]
    assert second.get_user_phone_number(_phone_code(control, redis_client))["errcode"] == 0
    assert control.token_fetches(APPID) == 1
    assert redis_client.get(f"wechatpy:{APPID}_access_token") is not None


@pytest.mark.parametrize("errcode", [40001, 42001])
def test_a_rejected_token_is_refreshed_once_and_the_call_retried(redis_client, standin_app, control, errcode):
    client = make_client(redis_client, standin_app)
    client.get_user_phone_number(_phone_code(control, redis_client))
    old = control.invalidate_token(APPID, errcode)
    answer = client.get_user_phone_number(_phone_code(control, redis_client))
    assert answer["errcode"] == 0
    assert control.token_fetches(APPID) == 2
    assert control.current_token(APPID) != old


def test_a_second_rejection_is_not_retried_forever(redis_client, standin_app, control):
    client = make_client(redis_client, standin_app)
    control.fail_next("phone", 40001, 40001, 40001)
    with pytest.raises(WeChatClientException) as raised:
        client.get_user_phone_number(_phone_code(control, redis_client))
    assert raised.value.errcode == 40001
    assert control.token_fetches(APPID) == 2  # the first fetch and exactly one refresh


def test_no_refresh_when_another_process_already_refreshed(redis_client, standin_app, control):
    first, second = make_client(redis_client, standin_app), make_client(redis_client, standin_app)
    first.get_user_phone_number(_phone_code(control, redis_client))
    stale = control.invalidate_token(APPID)
    second.get_user_phone_number(_phone_code(control, redis_client))  # second refreshes: fetch 2
    first._refresh_after_rejection(stale)  # first saw the stale token rejected meanwhile
    assert control.token_fetches(APPID) == 2
    assert first.get_user_phone_number(_phone_code(control, redis_client))["errcode"] == 0


def test_every_request_carries_a_timeout(redis_client, standin_app, control):
    adapter = RecordingAdapter(standin_app, STANDIN_BASE_URL)
    client = make_client(redis_client, standin_app, adapter)
    client.get_user_phone_number(_phone_code(control, redis_client))
    assert len(adapter.timeouts) == 2  # cgi-bin/token (wechatpy passes none) and the call
    assert adapter.timeouts == [3.5, 3.5]


def test_code_to_session_goes_to_the_configured_base_url(redis_client, standin_app, control):
    adapter = RecordingAdapter(standin_app, STANDIN_BASE_URL)
    client = make_client(redis_client, standin_app, adapter)
    answer = client.wxa.code_to_session("zoe:1")
    assert answer["openid"].startswith("o") and answer["unionid"].startswith("u")
