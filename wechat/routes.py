"""WeChat login, phone binding, the citizen's profile and account closure,
subscribe-message grants. Thin views: parse, call one service, answer."""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_smorest import Blueprint

from identity.auth import anonymous_actor, current_actor, require_roles
from identity.stepup import HEADER as STEP_UP_HEADER, verify_step_up
from mobile_api.idempotency import idempotent
from mobile_api.ratelimit import rate_limit
from mobile_api.uow import current_uow

from .schemas import (PhoneBindResultSchema, PhoneBindSchema, ProfileSchema, SubscriptionResultsSchema,
                      TemplateGrantListSchema, WeChatLoginResultSchema, WeChatLoginSchema)
from .services import lifecycle, login, phone, profile, subscriptions
from .settings import templates_by_event

auth_blp = Blueprint("wechat_auth", __name__, url_prefix="/api/v1/auth/wechat", description="微信登录与手机号绑定")
me_blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="我的账号")
subscriptions_blp = Blueprint("wechat_subscriptions", __name__, url_prefix="/api/v1/wechat",
                              description="微信订阅消息")


def _ext(name: str):
    return current_app.extensions[name]


def _session():
    """The request's unit of work's session (it commits once the view has answered)."""
    return current_uow().session


def _clock():
    return current_uow().clock


def login_code_key() -> str:
    """Rate-limit key per login code (hashed: a code is a credential)."""
    body = request.get_json(silent=True)
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str):
        return "wechat-code:none"
    return "wechat-code:" + hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()[:32]


def _answer(result: login.LoginResult) -> dict:
    pair = result.pair
    return {"access_token": pair.access_token, "refresh_token": pair.refresh_token, "token_type": pair.token_type,
            "expires_in": pair.expires_in,
            "citizen": {"public_id": result.citizen.public_id, "is_new": result.is_new,
                        "merged": result.merged_citizen_id is not None}}


def _context(channel: str):
    return anonymous_actor().with_context(channel=channel)


@auth_blp.route("/miniprogram", methods=["POST"])
@rate_limit("WECHAT_LOGIN_RATELIMIT_IP")
@rate_limit("WECHAT_LOGIN_RATELIMIT_CODE", key_func=login_code_key)
@auth_blp.arguments(WeChatLoginSchema)
@auth_blp.response(200, WeChatLoginResultSchema)
@auth_blp.alt_response(401, description="code 无效或已被使用")
@auth_blp.alt_response(422, description="code 缺失、格式不正确或 appid 未知")
@auth_blp.alt_response(429, description="登录过于频繁或微信接口限频")
@auth_blp.alt_response(503, description="微信服务繁忙、超时或不可达")
def miniprogram_login(body):
    """Log in from the mini-program with the code of wx.login()."""
    gateway = _ext("wechat")
    gateway.check_appid("miniprogram", body.get("appid"))
    result = login.login_miniprogram(_session(), gateway, _ext("tokens"), _clock(), _ext("cipher"),
                                     _context("miniprogram"), body["code"],
                                     current_uow().config["WECHAT_SESSION_KEY_TTL_SECONDS"])
    return _answer(result)


@auth_blp.route("/app", methods=["POST"])
@rate_limit("WECHAT_LOGIN_RATELIMIT_IP")
@rate_limit("WECHAT_LOGIN_RATELIMIT_CODE", key_func=login_code_key)
@auth_blp.arguments(WeChatLoginSchema)
@auth_blp.response(200, WeChatLoginResultSchema)
@auth_blp.alt_response(401, description="code 无效或已被使用")
@auth_blp.alt_response(422, description="code 缺失、格式不正确或 appid 未知")
@auth_blp.alt_response(429, description="登录过于频繁或微信接口限频")
@auth_blp.alt_response(503, description="微信服务繁忙、超时或不可达")
def app_login(body):
    """Log in from the city app with the code of WeChat OAuth."""
    gateway = _ext("wechat")
    gateway.check_appid("app", body.get("appid"))
    result = login.login_app(_session(), gateway, _ext("tokens"), _clock(), _context("app"), body["code"])
    return _answer(result)


@auth_blp.route("/phone", methods=["POST"])
@require_roles("citizen")
@auth_blp.arguments(PhoneBindSchema)
@auth_blp.response(200, PhoneBindResultSchema)
@auth_blp.alt_response(403, description="更换已绑定的手机号须先完成人脸核身（X-Step-Up-Token）")
@auth_blp.alt_response(409, description="手机号正在被同时绑定")
def bind_phone(body):
    """Bind the phone number from getPhoneNumber; replacing a bound one needs a step-up token."""
    actor = current_actor()
    session = _session()
    step_up = False
    if request.headers.get(STEP_UP_HEADER) or phone.phone_binding(session, actor.id) is not None:
        verify_step_up(_ext("tokens"), actor, request.headers.get(STEP_UP_HEADER))
        step_up = True
    masked = phone.bind_phone(session, _ext("wechat"), _ext("cipher"), _clock(), actor, body["code"], step_up)
    return {"phone_masked": masked}


@me_blp.route("", methods=["GET"])
@require_roles("citizen")
@me_blp.response(200, ProfileSchema)
def get_me():
    """The citizen's own profile: masked phone, real-name status, linked channels."""
    return profile.profile(_session(), _ext("cipher"), current_actor().id)


@me_blp.route("", methods=["DELETE"])
@require_roles("citizen")
@me_blp.response(204)
def delete_me():
    """Close the account: tokens revoked, personal data erased, required records kept pseudonymous."""
    lifecycle.close_account(_session(), _ext("tokens"), _clock(), current_actor(), g.token_claims)


@subscriptions_blp.route("/subscriptions", methods=["GET"])
@require_roles("citizen")
@subscriptions_blp.response(200, TemplateGrantListSchema)
def list_subscriptions():
    """Template ids per event, with the citizen's unused one-time grants."""
    templates = templates_by_event(current_app.config)
    return {"templates": subscriptions.available_grants(_session(), current_actor().id, templates)}


@subscriptions_blp.route("/subscriptions", methods=["POST"])
@require_roles("citizen")
@idempotent
@subscriptions_blp.arguments(SubscriptionResultsSchema)
@subscriptions_blp.response(201, TemplateGrantListSchema)
@subscriptions_blp.alt_response(422, description="未知的模板 id")
def record_subscriptions(body):
    """Record what the citizen accepted in wx.requestSubscribeMessage: one message per accept."""
    templates = templates_by_event(current_app.config)
    return {"templates": subscriptions.record_grants(_session(), _clock(), current_actor(), templates,
                                                     body["results"])}
