"""HTTP plumbing under wechatpy: a requests session that never waits without
a timeout, and a transport adapter that hands requests to a WSGI app in this
process (the stand-in), so wechatpy's own request code runs unchanged in
development and tests without a server or a network."""

from __future__ import annotations

import io

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client

# The stand-in asks for a simulated network fault with this response header:
# in-process there is nothing to wait for, and tests never sleep.
FAULT_HEADER = "X-Standin-Fault"


class TimeoutSession(requests.Session):
    """wechatpy passes no timeout when it fetches the access token; this
    session supplies one to every request that lacks it."""

    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class WSGIAdapter(BaseAdapter):
    """Dispatches requests for one URL prefix to a WSGI app, in process."""

    def __init__(self, wsgi_app, base_url: str):
        super().__init__()
        self.client = Client(wsgi_app)
        self.base_url = base_url.rstrip("/")

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        path = request.url[len(self.base_url):] or "/"
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        answer = self.client.open(path, method=request.method, data=body or b"",
                                  headers={k: v for k, v in request.headers.items() if k.lower() != "host"})
        fault = answer.headers.get(FAULT_HEADER)
        if fault == "timeout":
            raise requests.exceptions.ReadTimeout(f"read timed out (stand-in, timeout={timeout})", request=request)
        if fault == "connection":
            raise requests.exceptions.ConnectionError("connection refused (stand-in)", request=request)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        response.raw = io.BytesIO(answer.get_data())
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        response.reason = answer.status.partition(" ")[2]
        return response

    def close(self):
        pass
