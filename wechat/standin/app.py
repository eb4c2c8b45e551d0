"""The stand-in's HTTP endpoints, answering as WeChat does (HTTP 200 with an
`errcode` in the JSON body), for: cgi-bin/token, sns/jscode2session,
sns/oauth2/access_token, wxa/business/getuserphonenumber,
cgi-bin/message/subscribe/send, cityservice/face/identify/getverifyid and
…/queryverifyinfo."""

from __future__ import annotations

import json
import secrets

from flask import Flask, Response, request

from ..certs import ID_CARD, cert_hash
from ..transport import FAULT_HEADER
from .control import PREFIX, StandInControl
from .identities import openid_for, parse_code, phone_for, session_key_for, unionid_for

TOKEN_TTL = 7200


def _answer(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def _error(errcode: int, errmsg: str) -> Response:
    return _answer({"errcode": errcode, "errmsg": f"{errmsg} rid: standin"})


def _fault(kind: str) -> Response:
    if kind == "http500":
        return Response("internal error", status=500)
    response = Response("", status=599)
    response.headers[FAULT_HEADER] = kind  # timeout | connection
    return response


def _injected(outcome: str | None) -> Response | None:
    if outcome is None:
        return None
    if outcome in ("timeout", "connection", "http500"):
        return _fault(outcome)
    return _error(int(outcome), "injected by the stand-in")


def _body() -> dict:
    """wechatpy posts JSON bytes without a Content-Type, as WeChat allows."""
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def create_standin_app(redis, apps: dict[str, str]) -> Flask:
    """`apps`: {appid: secret} the stand-in knows."""
    standin = Flask("wechat_standin")
    control = StandInControl(redis)

    def known_app(appid: str | None, secret: str | None) -> Response | None:
        if appid not in apps:
            return _error(40013, "invalid appid")
        if secret != apps[appid]:
            return _error(40125, "invalid appsecret")
        return None

    def token_app(endpoint: str) -> tuple[str | None, Response | None]:
        """Check the access_token query parameter as WeChat does."""
        injected = _injected(control.pop_failure(endpoint))
        if injected is not None:
            return None, injected
        token = request.args.get("access_token", "")
        appid = redis.get(PREFIX + "token:" + token) if token else None
        if appid is None:
            return None, _error(40001, "invalid credential, access_token is invalid or not latest")
        revoked = redis.get(PREFIX + "revoked:" + token)
        if revoked:
            return None, _error(int(revoked), "access_token expired" if revoked == "42001" else
                                "invalid credential, access_token is invalid or not latest")
        if redis.get(PREFIX + "current:" + appid) != token:
            return None, _error(40001, "invalid credential, access_token is invalid or not latest")
        return appid, None

    def code_problem(parsed, code: str, appid: str) -> Response | None:
        if parsed is None:
            return _error(40029, "invalid code")
        if parsed.fault:
            return _fault(parsed.fault)
        if parsed.errcode is not None:
            return _error(parsed.errcode, "requested by the code")
        if not redis.set(PREFIX + f"code:{appid}:{code}", "1", nx=True, ex=600):
            return _error(40163, "code been used")
        return None

    def issue_identity(appid: str, user: str) -> dict:
        openid = openid_for(appid, user)
        redis.hset(PREFIX + "openids:" + appid, openid, user)
        identity = {"openid": openid}
        unionid = unionid_for(user)
        if unionid and not redis.exists(PREFIX + "nounion:" + appid):
            identity["unionid"] = unionid
        return identity

    @standin.get("/cgi-bin/token")
    def token():
        injected = _injected(control.pop_failure("token"))
        if injected is not None:
            return injected
        appid = request.args.get("appid")
        problem = known_app(appid, request.args.get("secret"))
        if problem is not None:
            return problem
        if request.args.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        value = "standin-at-" + secrets.token_hex(16)
        redis.set(PREFIX + "token:" + value, appid, ex=TOKEN_TTL)
        redis.set(PREFIX + "current:" + appid, value, ex=TOKEN_TTL)
        redis.incr(PREFIX + "fetches:" + appid)
        return _answer({"access_token": value, "expires_in": TOKEN_TTL})

    def exchange_code(failure_key: str, code_param: str):
        """Both logins trade a `<user>:<nonce>` code for the user's identity:
        (an error answer, None) or (None, the identity body and parsed code)."""
        injected = _injected(control.pop_failure(failure_key))
        if injected is not None:
            return injected, None, None
        appid, code = request.args.get("appid"), request.args.get(code_param, "")
        problem = known_app(appid, request.args.get("secret"))
        if problem is not None:
            return problem, None, None
        parsed = parse_code(code)
        problem = code_problem(parsed, code, appid)
        if problem is not None:
            return problem, None, None
        return None, issue_identity(appid, parsed.user), parsed

    @standin.get("/sns/jscode2session")
    def jscode2session():
        problem, body, parsed = exchange_code("jscode2session", "js_code")
        if problem is not None:
            return problem
        body["session_key"] = session_key_for(request.args.get("appid"), parsed.user, parsed.nonce)
        return _answer(body)

    @standin.get("/sns/oauth2/access_token")
    def oauth2_access_token():
        problem, body, _ = exchange_code("oauth2", "code")
        if problem is not None:
            return problem
        body.update({"access_token": "standin-oauth-" + secrets.token_hex(12), "expires_in": 7200,
                     "refresh_token": "standin-refresh-" + secrets.token_hex(12), "scope": "snsapi_userinfo"})
        return _answer(body)

    @standin.post("/wxa/business/getuserphonenumber")
    def getuserphonenumber():
        appid, problem = token_app("phone")
        if problem is not None:
            return problem
        code = _body().get("code", "")
        parsed = parse_code(code)
        problem = code_problem(parsed, code, appid + ":phone")
        if problem is not None:
            return problem
        phone = phone_for(parsed.user)
        return _answer({"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
            "watermark": {"timestamp": 0, "appid": appid}}})

    @standin.post("/cgi-bin/message/subscribe/send")
    def subscribe_send():
        appid, problem = token_app("subscribe_send")
        if problem is not None:
            return problem
        body = _body()
        if not redis.hexists(PREFIX + "openids:" + appid, str(body.get("touser", ""))):
            return _error(40003, "invalid openid")
        if not body.get("template_id"):
            return _error(40037, "invalid template_id")
        data = body.get("data")
        if not isinstance(data, dict) or not all(isinstance(v, dict) and isinstance(v.get("value"), str)
                                                 for v in data.values()):
            return _error(47003, "argument invalid! data format error")
        msgid = redis.incr(PREFIX + "msgid")
        redis.rpush(PREFIX + "sent:" + appid, json.dumps({**body, "msgid": msgid}, ensure_ascii=False))
        return _answer({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    @standin.post("/cityservice/face/identify/getverifyid")
    def getverifyid():
        appid, problem = token_app("getverifyid")
        if problem is not None:
            return problem
        body = _body()
        cert = body.get("cert_info") or {}
        if not redis.hexists(PREFIX + "openids:" + appid, str(body.get("openid", ""))):
            return _error(40003, "invalid openid")
        if cert.get("cert_type") != ID_CARD or not cert.get("cert_name") or not cert.get("cert_no") \
                or not body.get("out_seq_no"):
            return _error(40097, "invalid args")
        verify_id = "standin-verify-" + secrets.token_hex(16)
        key = PREFIX + "face:" + verify_id
        redis.hset(key, mapping={"appid": appid, "openid": body["openid"], "out_seq_no": body["out_seq_no"],
                                 "cert_hash": cert_hash(ID_CARD, cert["cert_name"], cert["cert_no"]),
                                 "ret": "90004"})  # until the mini-program completes: user cancelled
        redis.expire(key, 3600)
        return _answer({"errcode": 0, "errmsg": "ok", "verify_id": verify_id, "expires_in": 3600})

    @standin.post("/cityservice/face/identify/queryverifyinfo")
    def queryverifyinfo():
        appid, problem = token_app("queryverifyinfo")
        if problem is not None:
            return problem
        body = _body()
        session = redis.hgetall(PREFIX + "face:" + str(body.get("verify_id", "")))
        if not session or session["appid"] != appid:
            return _error(40097, "invalid args: verify_id")
        for field in ("openid", "out_seq_no", "cert_hash"):
            if body.get(field) != session[field]:
                return _answer({"errcode": 0, "errmsg": "ok", "verify_ret": 10001})  # 参数错误
        return _answer({"errcode": 0, "errmsg": "ok", "verify_ret": int(session["ret"])})

    @standin.post("/standin/face/complete")
    def face_complete():
        """Development only: what the mini-program's wx.requestFacialVerify does."""
        body = _body()
        done = control.complete_face(str(body.get("verify_id", "")), bool(body.get("passed")))
        return _answer({"errcode": 0 if done else 40097, "errmsg": "ok" if done else "invalid verify_id"})

    return standin
