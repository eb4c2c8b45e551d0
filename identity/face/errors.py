"""Errors of real-name binding and face checks; stable codes `identity.*`."""

from mobile_api.errors import DomainError


class RealNameInvalid(DomainError):
    status = 422
    code = "identity.real_name_invalid"
    title = "实名信息不正确"


class IdNumberTaken(DomainError):
    status = 409
    code = "identity.id_number_taken"
    title = "该身份证号已被其他账号实名登记"


class RealNameLocked(DomainError):
    status = 409
    code = "identity.real_name_verified"
    title = "实名信息已核验, 不能修改"


class RealNameMissing(DomainError):
    status = 409
    code = "identity.real_name_missing"
    title = "尚未进行实名登记"


class ReferenceMissing(DomainError):
    status = 409
    code = "identity.face_reference_missing"
    title = "没有该身份证号的底库照片"


class ConsentRequired(DomainError):
    status = 403
    code = "identity.face_consent_required"
    title = "需要同意人脸信息处理"


class ConsentVersionMismatch(DomainError):
    status = 409
    code = "identity.face_consent_outdated"
    title = "同意书版本已更新"


class FaceCheckLocked(DomainError):
    status = 423
    code = "identity.face_locked"
    title = "人脸核身已被临时锁定"


class WrongFaceMethod(DomainError):
    status = 409
    code = "identity.face_method_mismatch"
    title = "该渠道使用其他人脸核身方式"


class ChallengeNotFound(DomainError):
    status = 404
    code = "identity.face_challenge_not_found"
    title = "动作挑战不存在"


class ChallengeUsed(DomainError):
    status = 409
    code = "identity.face_challenge_used"
    title = "动作挑战已使用"


class ChallengeExpired(DomainError):
    status = 410
    code = "identity.face_challenge_expired"
    title = "动作挑战已过期"


class BadImage(DomainError):
    """Files that cannot be a frame at all: refused before any processing."""

    status = 422
    code = "identity.face_bad_image"
    title = "图片无法使用"


class ImageTooLarge(DomainError):
    status = 413
    code = "identity.face_image_too_large"
    title = "图片过大"


class FrameRejected(DomainError):
    """A frame was read but shows no usable face (none, several, partial,
    too small, too dark, blurred)."""

    status = 422
    code = "identity.face_frame_rejected"
    title = "照片不符合核身要求"
