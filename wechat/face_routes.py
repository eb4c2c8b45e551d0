"""WeChat 人脸核身 endpoints (under identity's face URLs, served by this package)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass

from flask import current_app
from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.uow import current_uow

from .face_verify import WeChatFaceVerifier
from .schemas import FaceVerifyIdSchema, FaceVerifyResultRequestSchema, FaceVerifyResultSchema, FaceVerifyStartSchema

blp = Blueprint("wechat_face", __name__, url_prefix="/api/v1/identity/face/wechat", description="微信人脸核身")


def _verifier() -> WeChatFaceVerifier:
    return WeChatFaceVerifier.from_app(current_app)


@blp.route("/verify-id", methods=["POST"])
@require_roles("citizen")
@blp.arguments(FaceVerifyStartSchema)
@blp.response(201, FaceVerifyIdSchema)
@blp.alt_response(403, description="未同意人脸信息处理")
@blp.alt_response(409, description="未登记实名信息、与登记信息不符或未在小程序登录")
@blp.alt_response(503, description="微信服务暂时不可用")
def start(body):
    """Start a WeChat 人脸核身: the verify_id for wx.requestFacialVerify."""
    uow = current_uow()
    return _verifier().start(uow.session, current_actor(), uow.clock, body)


@blp.route("/result", methods=["POST"])
@require_roles("citizen")
@blp.arguments(FaceVerifyResultRequestSchema)
@blp.response(200, FaceVerifyResultSchema)
@blp.alt_response(404, description="人脸核身会话不存在")
@blp.alt_response(409, description="会话已有结果或已过期")
def finish(body):
    """The mini-program finished; the result is asked from WeChat (queryVerifyInfo), never taken from the client."""
    uow = current_uow()
    result = _verifier().finish(uow.session, current_actor(), uow.clock, body)
    result = asdict(result) if is_dataclass(result) else result
    return {key: result.get(key) for key in ("passed", "method", "reasons", "step_up_token", "step_up_expires_in")}
