"""`WeChatGateway`: the calls our services make, each with WeChat's failures
turned into problem answers. Services receive it as an argument; the app
builds one (`app.extensions["wechat"]`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from wechatpy.exceptions import WeChatClientException

from .client import AppOAuth, WeChatApiClient
from .errors import (UnknownAppId, WeChatCodeInvalid, WeChatCodeUsed, WeChatRateLimited, WeChatUnavailable,
                     WeChatUpstreamError, tag)
from .transport import TimeoutSession

log = logging.getLogger("wechat.gateway")

CODE_INVALID = (40029,)
CODE_USED = (40163,)
RATE_LIMITED = (45009, 45011)
BUSY = (-1,)


def translate(exc: Exception, what: str):
    """The problem answer for a failed WeChat call. `what` names the call for
    the Chinese detail."""
    if isinstance(exc, WeChatClientException):
        errcode = exc.errcode
        if errcode in CODE_INVALID:
            return tag(WeChatCodeInvalid(f"{what}：微信凭证 code 无效，请重新获取"), errcode, "invalid code", False)
        if errcode in CODE_USED:
            return tag(WeChatCodeUsed(f"{what}：微信凭证 code 已被使用，请重新获取"), errcode, "code used", False)
        if errcode in RATE_LIMITED:
            return tag(WeChatRateLimited(f"{what}：微信接口调用过于频繁，请稍后再试", retry_after=60), errcode,
                       f"rate limited ({errcode})", True)
        if errcode in BUSY:
            return tag(WeChatUnavailable(f"{what}：微信系统繁忙，请稍后再试", retry_after=5), errcode, "busy", True)
        if errcode is None:  # an HTTP error status from WeChat's side
            status = getattr(getattr(exc, "response", None), "status_code", None)
            return tag(WeChatUnavailable(f"{what}：微信服务暂时不可用，请稍后再试", retry_after=10), None,
                       f"http status {status}", True)
        log.warning("wechat error", extra={"errcode": errcode, "errmsg": exc.errmsg, "call": what})
        return tag(WeChatUpstreamError(f"{what}：微信接口返回错误（错误码 {errcode}）", extra={"wechat_errcode": errcode}),
                   errcode, f"errcode {errcode}: {str(exc.errmsg)[:200]}", False)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return tag(WeChatUnavailable(f"{what}：连接微信服务超时，请稍后再试", retry_after=5), None, "connect timeout", True)
    if isinstance(exc, requests.exceptions.Timeout):
        # The request went out: WeChat may have acted on it.
        return tag(WeChatUnavailable(f"{what}：微信服务响应超时，请稍后再试", retry_after=5), None, "read timeout",
                   True, ambiguous=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return tag(WeChatUnavailable(f"{what}：无法连接微信服务，请稍后再试", retry_after=5), None, "connection error",
                   True)
    # Anything else from the HTTP layer or an unreadable answer.
    log.warning("unexpected wechat failure", extra={"error": repr(exc)[:300], "call": what})
    return tag(WeChatUnavailable(f"{what}：微信服务返回了无法识别的结果，请稍后再试", retry_after=10), None,
               f"unexpected: {type(exc).__name__}", True, ambiguous=True)


_EXPECTED = (WeChatClientException, requests.exceptions.RequestException, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class PhoneNumber:
    pure: str
    country_code: str


class WeChatGateway:
    def __init__(self, *, base_url: str, miniprogram: tuple[str, str], app: tuple[str, str], redis,
                 timeout: float, transport=None):
        self.base_url = base_url
        self.miniprogram_appid, _ = miniprogram
        self.app_appid, self._app_secret = app
        self.client = WeChatApiClient(miniprogram[0], miniprogram[1], base_url, redis, timeout, transport)
        self._oauth_http = TimeoutSession(timeout)
        if transport is not None:
            self._oauth_http.mount(base_url, transport)

    def _call(self, what: str, fn, *args):
        try:
            return fn(*args)
        except _EXPECTED as exc:
            raise translate(exc, what) from exc

    def check_appid(self, channel: str, appid: str | None) -> None:
        expected = self.miniprogram_appid if channel == "miniprogram" else self.app_appid
        if appid is not None and appid != expected:
            raise UnknownAppId("appid 与本平台的微信应用不符", errors={"appid": ["未知的 appid"]})

    # -- login -------------------------------------------------------------
    def code_to_session(self, code: str) -> dict:
        """{"openid", "session_key", "unionid"?}"""
        result = self._call("小程序登录", self.client.wxa.code_to_session, code)
        return self._require(result, ("openid", "session_key"), "小程序登录")

    def app_oauth(self, code: str) -> dict:
        """{"openid", "unionid"?, "access_token", …}"""
        oauth = AppOAuth(self.app_appid, self._app_secret, self.base_url, self._oauth_http)
        result = self._call("APP 微信登录", oauth.fetch_access_token, code)
        return self._require(result, ("openid",), "APP 微信登录")

    def phone_number(self, code: str) -> PhoneNumber:
        result = self._call("获取手机号", self.client.get_user_phone_number, code)
        info = result.get("phone_info") if isinstance(result, dict) else None
        if not isinstance(info, dict) or not info.get("purePhoneNumber"):
            raise translate(ValueError("phone_info missing"), "获取手机号")
        return PhoneNumber(str(info["purePhoneNumber"]), str(info.get("countryCode") or "86"))

    # -- messages and face -------------------------------------------------
    def send_subscribe(self, openid: str, template_id: str, data: dict, page: str | None, state: str) -> dict:
        return self._call("发送订阅消息", self.client.send_subscribe, openid, template_id, data, page, state)

    def face_get_verify_id(self, out_seq_no: str, cert_info: dict, openid: str) -> dict:
        result = self._call("人脸核身", self.client.face_get_verify_id, out_seq_no, cert_info, openid)
        return self._require(result, ("verify_id",), "人脸核身")

    def face_query(self, verify_id: str, out_seq_no: str, cert_hash: str, openid: str) -> int:
        result = self._call("人脸核身结果查询", self.client.face_query_verify_info, verify_id, out_seq_no,
                            cert_hash, openid)
        result = self._require(result, ("verify_ret",), "人脸核身结果查询")
        try:
            return int(result["verify_ret"])
        except (TypeError, ValueError) as exc:
            raise translate(exc, "人脸核身结果查询") from exc

    @staticmethod
    def _require(result, fields: tuple[str, ...], what: str) -> dict:
        if not isinstance(result, dict) or any(not result.get(f) for f in fields):
            raise translate(ValueError(f"answer lacks {fields}"), what)
        return result
