"""The WeChat client: wechatpy's WeChatClient and WeChatOAuth, pointed at the
configured base URL, with

- the access token in Redis through wechatpy's RedisStorage, so every process
  uses the same token instead of fetching (and so invalidating) its own;
- one refresh and one retry on 40001/40014/42001, and only if no other
  process has refreshed meanwhile (wechatpy's own auto_retry retries without
  limit, so it is switched off);
- a timeout on every call (wechatpy sends none when it fetches the token);
- WeChat's errors turned into problem answers (`WeChatGateway`).
"""

from __future__ import annotations

import logging

from wechatpy import WeChatClient, WeChatOAuth
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from .transport import TimeoutSession

log = logging.getLogger("wechat.client")

TOKEN_REJECTED = (40001, 40014, 42001)


class WeChatApiClient(WeChatClient):
    def __init__(self, appid: str, secret: str, base_url: str, redis, timeout: float, transport=None,
                 key_prefix: str = "wechatpy"):
        super().__init__(appid, secret, session=RedisStorage(redis, prefix=key_prefix), timeout=timeout,
                         auto_retry=False)
        self.base_url = base_url
        self.API_BASE_URL = base_url + "cgi-bin/"
        self.wxa.API_BASE_URL = base_url  # an instance of wechatpy's WeChatWxa, made per client
        self._http = TimeoutSession(timeout)
        if transport is not None:
            self._http.mount(base_url, transport)

    def fetch_access_token(self):
        return self._fetch_access_token(url=self.base_url + "cgi-bin/token",
                                        params={"grant_type": "client_credential", "appid": self.appid,
                                                "secret": self.secret})

    def _request(self, method, url_or_endpoint, **kwargs):
        params = dict(kwargs.get("params") or {})
        if "access_token" in params:  # the caller chose the token: no refresh on its behalf
            return super()._request(method, url_or_endpoint, **kwargs)
        first = dict(params)
        try:
            return super()._request(method, url_or_endpoint, **{**kwargs, "params": first})
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_REJECTED:
                raise
            self._refresh_after_rejection(first.get("access_token"))
        # Exactly one retry; a second rejection goes up to the caller.
        return super()._request(method, url_or_endpoint, **{**kwargs, "params": dict(params)})

    def _refresh_after_rejection(self, rejected: str | None) -> None:
        current = self.session.get(self.access_token_key)
        if current and current != rejected:
            log.info("access token was refreshed by another process; retrying with it")
            return
        log.info("access token rejected; fetching a new one", extra={"appid": self.appid})
        self.session.delete(self.access_token_key)
        self.fetch_access_token()

    # -- endpoints wechatpy 1.8.18 lacks -------------------------------------
    def get_user_phone_number(self, code: str) -> dict:
        return self.post("wxa/business/getuserphonenumber", data={"code": code}, api_base_url=self.base_url)

    def send_subscribe(self, openid: str, template_id: str, data: dict, page: str | None, state: str) -> dict:
        body = {"touser": openid, "template_id": template_id, "data": data, "miniprogram_state": state,
                "lang": "zh_CN"}
        if page:
            body["page"] = page
        return self.post("message/subscribe/send", data=body)

    def face_get_verify_id(self, out_seq_no: str, cert_info: dict, openid: str) -> dict:
        return self.post("cityservice/face/identify/getverifyid", api_base_url=self.base_url,
                         data={"out_seq_no": out_seq_no, "cert_info": cert_info, "openid": openid})

    def face_query_verify_info(self, verify_id: str, out_seq_no: str, cert_hash: str, openid: str) -> dict:
        return self.post("cityservice/face/identify/queryverifyinfo", api_base_url=self.base_url,
                         data={"verify_id": verify_id, "out_seq_no": out_seq_no, "cert_hash": cert_hash,
                               "openid": openid})


class AppOAuth(WeChatOAuth):
    """The city app's WeChat login (open platform mobile app OAuth). One
    object per exchange: wechatpy's OAuth keeps the user's token on itself."""

    def __init__(self, appid: str, secret: str, base_url: str, http: TimeoutSession):
        super().__init__(appid, secret, redirect_uri="", scope="snsapi_userinfo")
        self.API_BASE_URL = base_url
        self._http = http
