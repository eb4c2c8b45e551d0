"""The 企业微信 (WeCom) client: wechatpy's enterprise `WeChatClient` (wechatpy
1.8.18 names it `wechatpy.enterprise`; 2.x renamed it `wechatpy.work`),
pointed at the configured base URL, with the access token shared in Redis,
a timeout on every call, and one refresh and retry when WeCom rejects the
token (wechatpy's own auto_retry retries without limit), as wechat.client
does for the mini-program."""

from __future__ import annotations

import logging

from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from ..client import TOKEN_REJECTED
from ..transport import TimeoutSession

log = logging.getLogger("wechat.work.client")


class WeComClient(WeChatClient):
    def __init__(self, corp_id: str, secret: str, base_url: str, redis, timeout: float, transport=None):
        super().__init__(corp_id, secret, session=RedisStorage(redis, prefix="wecom"), timeout=timeout,
                         auto_retry=False)
        self.base_url = base_url
        self.API_BASE_URL = base_url + "cgi-bin/"
        self._http = TimeoutSession(timeout)
        if transport is not None:
            self._http.mount(base_url, transport)

    def fetch_access_token(self):
        return self._fetch_access_token(url=self.base_url + "cgi-bin/gettoken",
                                        params={"corpid": self.corp_id, "corpsecret": self.secret})

    def _request(self, method, url_or_endpoint, **kwargs):
        params = dict(kwargs.get("params") or {})
        first = dict(params)
        try:
            return super()._request(method, url_or_endpoint, **{**kwargs, "params": first})
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_REJECTED:
                raise
            current = self.session.get(self.access_token_key)
            if not current or current == first.get("access_token"):
                log.info("wecom access token rejected; fetching a new one")
                self.session.delete(self.access_token_key)
                self.fetch_access_token()
        return super()._request(method, url_or_endpoint, **{**kwargs, "params": dict(params)})
