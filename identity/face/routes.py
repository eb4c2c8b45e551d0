"""Real-name binding and face checks over HTTP."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from mobile_api.errors import Unprocessable
from mobile_api.ratelimit import rate_limit
from mobile_api.uow import current_uow

from .. import real_name
from ..auth import current_actor, require_roles
from . import consent as consent_service
from .config import FaceConfig
from .enrolment import enrol
from .errors import WrongFaceMethod
from .schemas import (ChallengeSchema, ConsentCreateSchema, ConsentSchema, ConsentTextSchema, EnrolmentFormSchema,
                      EnrolmentSchema, RealNameDeclareSchema, RealNameSummarySchema, VerificationFormSchema,
                      VerificationSchema)
from .verifier import face_verifier_for, method_for_session

blp = Blueprint("identity_face", __name__, url_prefix="/api/v1/identity", description="实名认证与人脸核身")


def _session():
    return current_uow().session


def _clock():
    return current_uow().clock


def _local_verifier():
    """The local endpoints serve only sessions whose login channel is
    configured for the local check; X-Client-Channel has no say."""
    actor = current_actor()
    method = method_for_session(current_app.config, actor)
    if method is None:
        raise WrongFaceMethod("登录凭证未记录登录渠道，请重新登录后再进行人脸核身")
    if method != "local":
        raise WrongFaceMethod(f"您通过 {actor.login_channel} 登录，该渠道使用 {method} 人脸核身，请按该渠道的方式核身",
                              extra={"method": method})
    return face_verifier_for(current_app, actor.login_channel)


@blp.route("/real-name", methods=["GET"])
@require_roles("citizen")
@blp.response(200, RealNameSummarySchema)
def get_real_name():
    """The citizen's real-name status, masked."""
    return real_name.real_name_summary(_session(), current_actor().id)


@blp.route("/real-name", methods=["POST"])
@require_roles("citizen")
@rate_limit("IDENTITY_RATELIMIT_REAL_NAME")
@blp.arguments(RealNameDeclareSchema)
@blp.response(200, RealNameSummarySchema)
@blp.alt_response(409, description="身份证号已被其他账号登记, 或实名已核验")
@blp.alt_response(422, description="姓名或身份证号不正确")
def declare_real_name(body):
    """Declare name and ID number (status "declared" until a face check passes)."""
    return real_name.declare(_session(), current_app.extensions["cipher"], current_actor(), _clock(),
                             body["name"], body["id_number"])


@blp.route("/face/consent", methods=["GET"])
@require_roles("citizen")
@blp.response(200, ConsentTextSchema)
def get_consent():
    """The text to consent to, its version, and whether the citizen consented."""
    return {"text_version": consent_service.CONSENT_TEXT_VERSION, "text": consent_service.CONSENT_TEXT,
            "consented": consent_service.has_consent(_session(), current_actor().id)}


@blp.route("/face/consent", methods=["POST"])
@require_roles("citizen")
@blp.arguments(ConsentCreateSchema)
@blp.response(201, ConsentSchema)
@blp.alt_response(409, description="同意书版本已更新")
def give_consent(body):
    """Give separate, explicit consent to the processing of face data."""
    row = consent_service.give_consent(_session(), current_actor(), _clock(), body["text_version"])
    return {"text_version": row.text_version, "consented_at": row.consented_at}


@blp.route("/face/consent", methods=["DELETE"])
@require_roles("citizen")
@blp.response(204)
def withdraw_consent():
    """Withdraw consent; the reference template of the declared ID number is deleted."""
    consent_service.withdraw_consent(_session(), current_actor(), _clock())


@blp.route("/face/enrolments", methods=["POST"])
@require_roles("kiosk", "clerk")
@blp.arguments(EnrolmentFormSchema, location="form", content_type="multipart/form-data")
@blp.response(201, EnrolmentSchema)
@blp.alt_response(413, description="图片过大")
@blp.alt_response(422, description="身份证号不正确, 图片无法使用或其中没有唯一完整的人脸")
def enrol_reference(form):
    """Store the reference template from an ID card's chip photo (kiosk or clerk)."""
    photo = request.files.get("photo")
    if photo is None:
        raise Unprocessable("请上传身份证芯片照片", errors={"photo": ["缺少照片"]})
    cfg = FaceConfig.from_app_config(current_app.config)
    return enrol(_session(), current_app.extensions["cipher"], current_actor(), _clock(), cfg,
                 form["id_number"], photo.read(cfg.max_image_bytes + 1), form["citizen_consented"])


@blp.route("/face/challenges", methods=["POST"])
@require_roles("citizen")
@rate_limit("IDENTITY_RATELIMIT_FACE")
@blp.response(201, ChallengeSchema)
@blp.alt_response(403, description="未同意人脸信息处理")
@blp.alt_response(423, description="失败次数过多, 已锁定")
def create_challenge():
    """Start a local face check: a single-use challenge of head movements."""
    return _local_verifier().start(_session(), current_actor(), _clock())


@blp.route("/face/verifications", methods=["POST"])
@require_roles("citizen")
@rate_limit("IDENTITY_RATELIMIT_FACE")
@blp.arguments(VerificationFormSchema, location="form", content_type="multipart/form-data")
@blp.response(200, VerificationSchema)
@blp.alt_response(404, description="动作挑战不存在")
@blp.alt_response(409, description="动作挑战已使用, 或没有底库照片")
@blp.alt_response(410, description="动作挑战已过期")
@blp.alt_response(413, description="图片过大")
@blp.alt_response(422, description="图片无法使用, 或画面中没有唯一完整清晰的人脸")
@blp.alt_response(423, description="失败次数过多, 已锁定")
def verify(form):
    """Decide a local face check from 3–6 frames (multipart, field "frames")."""
    uploads = request.files.getlist("frames")
    if not uploads:
        raise Unprocessable("请上传核身画面", code="identity.face_frame_count", errors={"frames": ["缺少画面"]})
    cfg = FaceConfig.from_app_config(current_app.config)
    # Read at most one byte past the limit: a huge file is refused without buffering it all.
    frames = [upload.stream.read(cfg.max_image_bytes + 1) for upload in uploads[: cfg.max_frames + 1]]
    result = _local_verifier().finish(_session(), current_actor(), _clock(),
                                      {"challenge_id": form["challenge_id"], "frames": frames})
    return {"passed": result.passed, "score": result.score,
            "threshold_score": round(1.0 - cfg.match_threshold, 3), "reasons": result.reasons,
            "step_up_token": result.step_up_token, "step_up_expires_in": result.step_up_expires_in,
            "failures_left": result.failures_left}
