"""Step-up tokens: proof that the citizen passed a face check moments ago.

Operations only the person themself may do (养老金资格认证, 公积金提取, a lost ID
card report, changing the bound phone) require, besides the access token, an
`X-Step-Up-Token` header: a short-lived JWT (default 5 minutes) issued on a
passed face check, bound to the same citizen. Views declare the need with
`@require_step_up()`; services that decide per item (e.g. an item marked
`in_person_required`) call `verify_step_up(actor, header_value)` themselves.
"""

from __future__ import annotations

import uuid
from copy import deepcopy
from datetime import timedelta
from functools import wraps

import jwt
from flask import current_app, request

from mobile_api.actor import Actor
from mobile_api.errors import DomainError

from .auth import current_actor
from .tokens import ALGORITHM, ISSUER

HEADER = "X-Step-Up-Token"


class StepUpRequired(DomainError):
    status = 403
    code = "identity.step_up_required"
    title = "需要人脸核身"


def issue_step_up_token(tokens, actor: Actor, method: str, ttl_seconds: int = 300) -> str:
    """`method`: how the face check was done (local, wechat)."""
    now = tokens.clock.now()
    claims = {
        "iss": ISSUER,
        "sub": actor.subject,
        "typ": "step_up",
        "amr": method,
        # The session it was earned in: a check done where the local method is
        # allowed does not stand in for the certified one another channel requires.
        **({"chn": actor.login_channel} if actor.login_channel else {}),
        "jti": uuid.uuid4().hex,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, tokens.keys[tokens.active_kid], algorithm=ALGORITHM, headers={"kid": tokens.active_kid})


def verify_step_up(tokens, actor: Actor, raw: str | None) -> dict:
    if not raw:
        raise StepUpRequired("此事项须本人办理，请先完成人脸核身")
    try:
        claims = tokens.decode_access(raw, expected_typ="step_up")
    except DomainError as exc:
        raise StepUpRequired("人脸核身凭证无效或已过期，请重新核身") from exc
    if claims["sub"] != actor.subject:
        raise StepUpRequired("人脸核身凭证不属于当前用户")
    if actor.login_channel and claims.get("chn") != actor.login_channel:
        raise StepUpRequired("人脸核身凭证不是在当前登录渠道取得的，请在当前渠道重新核身")
    return claims


def require_step_up():
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            verify_step_up(current_app.extensions["tokens"], current_actor(), request.headers.get(HEADER))
            return view(*args, **kwargs)

        apidoc = deepcopy(getattr(view, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        manual.setdefault("parameters", []).append(
            {"in": "header", "name": HEADER, "required": True, "schema": {"type": "string"},
             "description": "人脸核身通过后签发的短期凭证"})
        wrapper._apidoc = apidoc
        return wrapper

    return decorator
