"""The stand-in's state lives in Redis (prefix `wxstandin:`), so every process
of a development setup sees the same used codes and tokens, and tests reset it
with the rest of Redis. `StandInControl` is how tests and developers steer it:
fail the next calls, invalidate tokens, complete a face check, read what was
sent."""

from __future__ import annotations

import json

PREFIX = "wxstandin:"

# Endpoint names for fail_next().
ENDPOINTS = ("token", "jscode2session", "oauth2", "phone", "subscribe_send", "getverifyid", "queryverifyinfo")


class StandInControl:
    def __init__(self, redis):
        self.redis = redis

    # -- steering ----------------------------------------------------------
    def fail_next(self, endpoint: str, *outcomes) -> None:
        """The next calls of `endpoint` answer, in order, with these: a WeChat
        errcode (int), "timeout", "connection" or "http500"."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown stand-in endpoint {endpoint}")
        for outcome in outcomes:
            self.redis.rpush(PREFIX + "fail:" + endpoint, str(outcome))

    def invalidate_token(self, appid: str, errcode: int = 40001) -> str | None:
        """Make the current access token of `appid` answer `errcode` (40001
        invalid, 42001 expired) from now on."""
        token = self.redis.get(PREFIX + "current:" + appid)
        if token:
            self.redis.set(PREFIX + "revoked:" + token, str(errcode), ex=7200)
        return token

    def withhold_unionid(self, appid: str, withheld: bool = True) -> None:
        """Answer logins for `appid` without unionid (an app not yet bound to
        the open platform account)."""
        if withheld:
            self.redis.set(PREFIX + "nounion:" + appid, "1")
        else:
            self.redis.delete(PREFIX + "nounion:" + appid)

    def complete_face(self, verify_id: str, passed: bool) -> bool:
        """Play the mini-program's wx.requestFacialVerify for this verify_id."""
        key = PREFIX + "face:" + verify_id
        if not self.redis.exists(key):
            return False
        self.redis.hset(key, "ret", "10000" if passed else "10004")
        return True

    # -- reading -----------------------------------------------------------
    def token_fetches(self, appid: str) -> int:
        return int(self.redis.get(PREFIX + "fetches:" + appid) or 0)

    def sent_messages(self, appid: str) -> list[dict]:
        return [json.loads(item) for item in self.redis.lrange(PREFIX + "sent:" + appid, 0, -1)]

    def current_token(self, appid: str) -> str | None:
        return self.redis.get(PREFIX + "current:" + appid)

    # -- used by the stand-in app ------------------------------------------
    def pop_failure(self, endpoint: str) -> str | None:
        return self.redis.lpop(PREFIX + "fail:" + endpoint)
