"""Bearer-token authentication and role checks for views.

A `before_request` hook verifies the token if one is sent and puts the
resulting `Actor` on `g`; views declare what they need with `require_roles`,
which also documents the security requirement and the 401/403 answers in
OpenAPI. Services get the actor as an argument and check ownership with
`ensure_owner` and friends.
"""

from __future__ import annotations

from copy import deepcopy
from functools import wraps

from flask import current_app, g, request

from mobile_api.actor import Actor
from mobile_api.errors import Forbidden, Unauthorized

from .errors import TokenInvalid


def _token_service():
    return current_app.extensions["tokens"]


def _client_ip() -> str | None:
    return request.remote_addr


def authenticate_request() -> None:
    g.actor = None
    g.token_claims = None
    g.auth_error = None
    header = request.headers.get("Authorization")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        g.auth_error = TokenInvalid("Authorization 头应为 “Bearer <令牌>”")
        return
    try:
        claims = _token_service().decode_access(token.strip())
    except TokenInvalid as exc:
        g.auth_error = exc
        return
    kind, _, raw_id = claims["sub"].partition(":")
    try:
        principal_id = int(raw_id)
    except ValueError:
        g.auth_error = TokenInvalid("令牌主体不正确")
        return
    g.token_claims = claims
    g.actor = Actor(kind=kind, id=principal_id, role=claims["role"], department_code=claims.get("dept"),
                    hall_id=claims.get("hall"), channel=g.get("channel") or _default_channel(kind),
                    request_id=g.get("request_id"), ip=_client_ip(), token_id=claims["jti"],
                    login_channel=claims.get("chn"))


def _default_channel(kind: str) -> str | None:
    return {"kiosk": "kiosk", "staff": "window"}.get(kind)


def current_actor(required: bool = True) -> Actor | None:
    if g.get("auth_error") is not None:
        raise g.auth_error
    actor = g.get("actor")
    if actor is None and required:
        raise Unauthorized("请先登录")
    return actor


def anonymous_actor() -> Actor:
    """For audit entries of requests made before anyone is authenticated."""
    return Actor(kind="anonymous", id=None, role="anonymous", channel=g.get("channel"),
                 request_id=g.get("request_id"), ip=_client_ip())


_SECURITY_DOC = {
    "security": [{"bearerAuth": []}],
    "responses": {
        "401": {"description": "未登录或令牌无效", "content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}},
        "403": {"description": "无权执行此操作", "content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}},
    },
}


def require_roles(*roles: str):
    """Only principals with one of `roles` may call the view (any role if none given)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            actor = current_actor()
            if roles and actor.role not in roles:
                raise Forbidden("您的角色无权执行此操作")
            return view(*args, **kwargs)

        apidoc = deepcopy(getattr(view, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        manual.setdefault("security", _SECURITY_DOC["security"])
        manual.setdefault("responses", {}).update(deepcopy(_SECURITY_DOC["responses"]))
        wrapper._apidoc = apidoc
        return wrapper

    return decorator
