"""WeChat errors: what WeChat answered, turned into answers a citizen's phone
can act on. Codes are stable: `wechat.<what>`."""

from __future__ import annotations

from mobile_api.errors import (Conflict, DomainError, NotFound, ServiceUnavailable, TooManyRequests,
                               Unauthorized, Unprocessable)


class WeChatCodeInvalid(Unauthorized):
    code = "wechat.code_invalid"
    title = "微信登录凭证无效"


class WeChatCodeUsed(Unauthorized):
    code = "wechat.code_used"
    title = "微信登录凭证已被使用"


class WeChatRateLimited(TooManyRequests):
    code = "wechat.rate_limited"
    title = "微信接口调用过于频繁"


class WeChatUnavailable(ServiceUnavailable):
    code = "wechat.unavailable"
    title = "微信服务暂时不可用"


class WeChatUpstreamError(DomainError):
    """WeChat answered with an error we cannot fix by retrying (our
    configuration, a template, a user who refused)."""

    status = 502
    code = "wechat.upstream_error"
    title = "微信接口返回错误"


class UnknownAppId(Unprocessable):
    code = "wechat.unknown_appid"
    title = "未知的 appid"


class WeChatNotLinked(Conflict):
    code = "wechat.not_linked"
    title = "账号未绑定微信小程序"


class PhoneTaken(Conflict):
    code = "wechat.phone_conflict"
    title = "手机号绑定冲突"


class UnknownTemplate(Unprocessable):
    code = "wechat.unknown_template"
    title = "未知的订阅消息模板"


class FaceVerificationNotFound(NotFound):
    code = "wechat.face_verification_not_found"
    title = "人脸核身记录不存在"


class FaceVerificationClosed(Conflict):
    code = "wechat.face_verification_closed"
    title = "人脸核身会话已结束"


class FaceConsentRequired(DomainError):
    status = 403
    code = "identity.face_consent_required"
    title = "需要同意人脸信息处理"


class RealNameRequired(DomainError):
    status = 409
    code = "identity.real_name_required"
    title = "需要先登记实名信息"


def tag(problem: DomainError, errcode: int | None, reason: str, retryable: bool,
        ambiguous: bool = False) -> DomainError:
    """Mark a problem raised by the gateway: `errcode` is WeChat's, `reason` a
    short English note for logs and outbox records, `retryable` whether trying
    again can help, `ambiguous` that WeChat may have acted although we got no
    answer (a read timeout)."""
    problem.errcode = errcode
    problem.reason = reason
    problem.retryable = retryable
    problem.ambiguous = ambiguous
    return problem
