"""Staff and kiosk login, token refresh and logout."""

from flask import current_app, g
from flask_smorest import Blueprint

from mobile_api.ratelimit import rate_limit
from mobile_api.uow import current_uow

from . import services
from .login_limits import limited_in_database_when_redis_down
from .auth import anonymous_actor, current_actor, require_roles
from .schemas import (KioskTokenRequestSchema, LogoutRequestSchema, RefreshRequestSchema, StaffLoginSchema,
                      TokenPairSchema, WhoAmISchema)

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录与令牌")


def _pair(pair):
    return {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
            "token_type": pair.token_type, "expires_in": pair.expires_in}


@blp.route("/staff/login", methods=["POST"])
@rate_limit("RATELIMIT_LOGIN")
@limited_in_database_when_redis_down("RATELIMIT_LOGIN")
@blp.arguments(StaffLoginSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, description="用户名或密码不正确")
@blp.alt_response(423, description="账号已被临时锁定")
@blp.alt_response(429, description="请求过于频繁")
def staff_login(body):
    """Log a staff member in with username and password."""
    uow = current_uow()
    cfg = uow.config
    pair = services.staff_login(
        uow.session, current_app.extensions["tokens"], uow.clock,
        body["username"], body["password"], max_failures=cfg["STAFF_MAX_FAILED_LOGINS"],
        lockout_seconds=cfg["STAFF_LOCKOUT_SECONDS"], actor_context=anonymous_actor(),
        scrypt_n=cfg["PASSWORD_SCRYPT_N"])
    return _pair(pair)


@blp.route("/kiosk/token", methods=["POST"])
@rate_limit("RATELIMIT_LOGIN")
@limited_in_database_when_redis_down("RATELIMIT_LOGIN")
@blp.arguments(KioskTokenRequestSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, description="设备编号或密钥不正确")
def kiosk_token(body):
    """Exchange a kiosk device's secret for tokens."""
    uow = current_uow()
    pair = services.kiosk_login(uow.session, current_app.extensions["tokens"], uow.clock,
                                body["device_code"], body["secret"], anonymous_actor())
    return _pair(pair)


@blp.route("/refresh", methods=["POST"])
@rate_limit("RATELIMIT_LOGIN")
@limited_in_database_when_redis_down("RATELIMIT_LOGIN")
@blp.arguments(RefreshRequestSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, description="刷新令牌无效、过期或已被使用")
def refresh(body):
    """Spend a refresh token for a new token pair."""
    return _pair(services.refresh(current_uow().session, current_app.extensions["tokens"], body["refresh_token"]))


@blp.route("/logout", methods=["POST"])
@require_roles()
@blp.arguments(LogoutRequestSchema)
@blp.response(204)
def logout(body):
    """Revoke the current access token and, if given, its refresh-token family."""
    uow = current_uow()
    services.logout(uow.session, current_app.extensions["tokens"], uow.clock,
                    current_actor(), g.token_claims, body.get("refresh_token"))


@blp.route("/whoami", methods=["GET"])
@require_roles()
@blp.response(200, WhoAmISchema)
def whoami():
    """The principal behind the bearer token."""
    actor = current_actor()
    return {"kind": actor.kind, "id": actor.id, "role": actor.role, "department_code": actor.department_code,
            "hall_id": actor.hall_id, "channel": actor.channel}
