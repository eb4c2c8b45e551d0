"""A local stand-in for the two 企业微信 endpoints staff notices use
(cgi-bin/gettoken, cgi-bin/message/send), answering as WeCom does (HTTP 200,
`errcode` in the body); for development and tests, never in production.

Members: any member id is known except those starting with `invalid`, which
come back in `invaliduser` as WeCom answers for a member outside the app's
visible range. State in Redis under `wecomstandin:`; `WeComStandInControl`
reads what was sent and makes the next calls fail."""

from __future__ import annotations

import json
import secrets

from flask import Flask, Response, request

from ..transport import FAULT_HEADER

PREFIX = "wecomstandin:"
TOKEN_TTL = 7200
ENDPOINTS = ("gettoken", "message_send")


def _answer(body: dict) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=200, mimetype="application/json")


def _error(errcode: int, errmsg: str) -> Response:
    return _answer({"errcode": errcode, "errmsg": f"{errmsg}, hint: [standin]"})


class WeComStandInControl:
    def __init__(self, redis):
        self.redis = redis

    def fail_next(self, endpoint: str, *outcomes) -> None:
        """The next calls answer, in order: a WeCom errcode (int), "timeout" or "connection"."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown stand-in endpoint {endpoint}")
        for outcome in outcomes:
            self.redis.rpush(PREFIX + "fail:" + endpoint, str(outcome))

    def pop_failure(self, endpoint: str) -> str | None:
        return self.redis.lpop(PREFIX + "fail:" + endpoint)

    def sent_messages(self) -> list[dict]:
        return [json.loads(item) for item in self.redis.lrange(PREFIX + "sent", 0, -1)]

    def received_by(self, userid: str) -> list[dict]:
        return [m for m in self.sent_messages() if userid in str(m.get("touser", "")).split("|")]


def create_wecom_standin(redis, corp_id: str, secret: str, agent_id: int) -> Flask:
    standin = Flask("wecom_standin")
    control = WeComStandInControl(redis)

    def injected(endpoint: str) -> Response | None:
        outcome = control.pop_failure(endpoint)
        if outcome is None:
            return None
        if outcome in ("timeout", "connection"):
            response = Response("", status=599)
            response.headers[FAULT_HEADER] = outcome
            return response
        return _error(int(outcome), "injected by the stand-in")

    @standin.get("/cgi-bin/gettoken")
    def gettoken():
        problem = injected("gettoken")
        if problem is not None:
            return problem
        if request.args.get("corpid") != corp_id:
            return _error(40013, "invalid corpid")
        if request.args.get("corpsecret") != secret:
            return _error(40001, "invalid credential")
        token = "standin-wecom-" + secrets.token_hex(16)
        redis.set(PREFIX + "token:" + token, "1", ex=TOKEN_TTL)
        return _answer({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": TOKEN_TTL})

    @standin.post("/cgi-bin/message/send")
    def message_send():
        token = request.args.get("access_token", "")
        if not token or not redis.exists(PREFIX + "token:" + token):
            return _error(40014, "invalid access_token")
        problem = injected("message_send")
        if problem is not None:
            return problem
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _error(40035, "invalid args")
        if body.get("agentid") != agent_id:
            return _error(40056, "invalid agentid")
        msgtype = body.get("msgtype")
        if msgtype not in ("text", "markdown") or not (body.get(msgtype) or {}).get("content"):
            return _error(40008, "invalid message type")
        users = [u for u in str(body.get("touser") or "").split("|") if u]
        if not users:
            return _error(40031, "invalid userid list")
        invalid = [u for u in users if u.startswith("invalid")]
        valid = [u for u in users if u not in invalid]
        if not valid:
            return _error(81013, "user & party & tag all invalid")
        msgid = "standin-msg-" + str(redis.incr(PREFIX + "msgid"))
        redis.rpush(PREFIX + "sent", json.dumps({**body, "touser": "|".join(valid), "msgid": msgid},
                                                ensure_ascii=False))
        return _answer({"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": msgid})

    return standin
