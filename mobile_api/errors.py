"""Domain errors and their one mapping to `application/problem+json` (RFC 9457).

Every package raises a subclass of `DomainError` with a stable `code`
(`booking.slot_full`); this module is the only place that turns errors into
HTTP answers, so the shape is the same everywhere.
"""

from __future__ import annotations

import logging
import re

import marshmallow as ma
from flask import Flask, g, json, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("mobile_api.errors")

PROBLEM_MIME = "application/problem+json"
TYPE_BASE = "https://errors.zhijian.gov.example/"


class DomainError(Exception):
    """Base of every error a service may raise on purpose."""

    status = 400
    code = "platform.bad_request"
    title = "请求有误"

    def __init__(self, detail: str | None = None, *, code: str | None = None, status: int | None = None,
                 errors: dict | None = None, headers: dict | None = None, extra: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        if status:
            self.status = status
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


class NotFound(DomainError):
    status = 404
    code = "platform.not_found"
    title = "资源不存在"


class Forbidden(DomainError):
    status = 403
    code = "auth.forbidden"
    title = "无权执行此操作"


class Unauthorized(DomainError):
    status = 401
    code = "auth.unauthorized"
    title = "需要登录"

    def __init__(self, detail=None, **kwargs):
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="api"'})
        super().__init__(detail, **kwargs)


class Conflict(DomainError):
    status = 409
    code = "platform.conflict"
    title = "与当前状态冲突"


class Unprocessable(DomainError):
    status = 422
    code = "platform.validation_failed"
    title = "请求内容校验未通过"


class ServiceUnavailable(DomainError):
    status = 503
    code = "platform.unavailable"
    title = "服务暂时不可用"

    def __init__(self, detail=None, retry_after: int = 5, **kwargs):
        headers = kwargs.pop("headers", {}) or {}
        headers.setdefault("Retry-After", str(retry_after))
        super().__init__(detail, headers=headers, **kwargs)


class TooManyRequests(DomainError):
    status = 429
    code = "platform.rate_limited"
    title = "请求过于频繁"

    def __init__(self, detail=None, retry_after: int = 60, **kwargs):
        headers = kwargs.pop("headers", {}) or {}
        headers.setdefault("Retry-After", str(retry_after))
        super().__init__(detail, headers=headers, **kwargs)


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document. Members beyond these may appear (RFC 9457
    extension members); the known ones are listed so clients can type them."""

    class Meta:
        unknown = ma.INCLUDE  # documents additionalProperties: true

    type = ma.fields.String(required=True, metadata={"description": "问题类型 URI"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True, metadata={"description": "中文说明"})
    code = ma.fields.String(required=True, metadata={"description": "稳定的错误码, 如 booking.slot_full"})
    instance = ma.fields.String(allow_none=True, metadata={"description": "出错的请求路径"})
    request_id = ma.fields.String(allow_none=True, metadata={"description": "请求编号, 与 X-Request-ID 相同"})
    errors = ma.fields.Raw(metadata={"description": "逐字段（或逐帧）的校验错误: 字段名 → 错误说明列表或嵌套对象"})
    # Extension members some codes add (see docs/errors.md):
    last_bookable_date = ma.fields.String(metadata={"description": "booking.beyond_horizon: 最后可预约日期"})
    blocked_until = ma.fields.String(metadata={"description": "爽约限制的截止时间"})
    reason = ma.fields.String(metadata={"description": "限制原因"})
    limit = ma.fields.Integer(metadata={"description": "达到的上限"})
    check_in_from = ma.fields.String(metadata={"description": "最早可签到时间"})
    ticket_id = ma.fields.Integer(metadata={"description": "相关排队号"})
    wechat_errcode = ma.fields.Integer(metadata={"description": "微信接口返回的错误码"})
    current_version = ma.fields.String(metadata={"description": "当前的同意书版本"})
    violations = ma.fields.Raw(metadata={"description": "发布前检查未通过的各项"})
    application_status = ma.fields.String(metadata={"description": "申请的当前状态（不能执行该操作时）"})
    action = ma.fields.String(metadata={"description": "被拒绝的操作"})
    method = ma.fields.String(metadata={"description": "该渠道应使用的人脸核身方式"})


# The wording marshmallow and webargs use, in the citizens' language.
_MESSAGE_ZH = {
    "Missing data for required field.": "缺少必填字段",
    "Unknown field.": "不允许的字段",
    "Field may not be null.": "不能为空值",
    "Not a valid string.": "应为字符串",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid boolean.": "应为布尔值",
    "Not a valid datetime.": "日期时间格式不正确",
    "Not a valid date.": "日期格式不正确，应为 YYYY-MM-DD",
    "Not a valid time.": "时间格式不正确",
    "Not a valid list.": "应为列表",
    "Not a valid mapping type.": "应为对象",
    "Invalid input type.": "输入类型不正确",
    "Invalid value.": "取值不正确",
    "Not a valid email address.": "邮箱格式不正确",
    "Not a valid UUID.": "UUID 格式不正确",
    "Invalid JSON body.": "JSON 格式不正确",
    "Shorter than minimum length {min}.": "长度过短",
    "Field may not be blank.": "不能为空",
}


_PATTERNS_ZH = [
    (re.compile(r"Must be greater than or equal to (?P<a>.+) and less than or equal to (?P<b>.+)\."), "应在 {a} 到 {b} 之间"),
    (re.compile(r"Must be greater than (?P<a>.+) and less than (?P<b>.+)\."), "应大于 {a} 且小于 {b}"),
    (re.compile(r"Must be greater than or equal to (?P<a>.+)\."), "不能小于 {a}"),
    (re.compile(r"Must be less than or equal to (?P<a>.+)\."), "不能大于 {a}"),
    (re.compile(r"Must be greater than (?P<a>.+)\."), "应大于 {a}"),
    (re.compile(r"Must be less than (?P<a>.+)\."), "应小于 {a}"),
    (re.compile(r"Length must be between (?P<a>\d+) and (?P<b>\d+)\."), "长度应在 {a} 到 {b} 之间"),
    (re.compile(r"Length must be (?P<a>\d+)\."), "长度应为 {a}"),
    (re.compile(r"Longer than maximum length (?P<a>\d+)\."), "长度不能超过 {a}"),
    (re.compile(r"Shorter than minimum length (?P<a>\d+)\."), "长度不能少于 {a}"),
    (re.compile(r"String does not match expected pattern\."), "格式不正确"),
    (re.compile(r"Not a valid (?P<a>\w+)\."), "格式不正确"),
]


def translate_messages(messages):
    """Turn webargs/marshmallow error messages into Chinese, keeping the shape."""
    if isinstance(messages, dict):
        return {key: translate_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(value) for value in messages]
    if isinstance(messages, str):
        if messages in _MESSAGE_ZH:
            return _MESSAGE_ZH[messages]
        if messages.startswith("Must be one of:"):
            return "取值不在允许范围内：" + messages.split(":", 1)[1].strip().rstrip(".")
        for pattern, template in _PATTERNS_ZH:
            match = pattern.fullmatch(messages)
            if match:
                return template.format(**match.groupdict())
        return messages
    return messages


def _flatten_location(errors: dict) -> dict:
    """webargs nests errors by location ({"json": {...}}); clients want fields."""
    if not isinstance(errors, dict):
        return {"_schema": errors}
    flat: dict = {}
    for location, value in errors.items():
        if location in ("json", "query", "form", "files", "headers", "view_args", "path") and isinstance(value, dict):
            flat.update(value)
        else:
            flat[location] = value
    return flat


def problem_response(status: int, code: str, title: str, detail: str, errors=None, headers=None, extra=None):
    body = {
        "type": TYPE_BASE + code.replace(".", "/"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.path if request else None,
        "request_id": g.get("request_id"),
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = Flask.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIME
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


_HTTP_CODES = {
    400: ("platform.bad_request", "请求有误", "请求格式不正确"),
    401: ("auth.unauthorized", "需要登录", "请先登录"),
    403: ("auth.forbidden", "无权执行此操作", "您无权执行此操作"),
    404: ("platform.not_found", "资源不存在", "请求的地址或资源不存在"),
    405: ("platform.method_not_allowed", "请求方法不允许", "该地址不支持此请求方法"),
    406: ("platform.not_acceptable", "无法提供所需格式", "无法以所请求的格式作答"),
    409: ("platform.conflict", "与当前状态冲突", "请求与资源的当前状态冲突"),
    412: ("platform.precondition_failed", "前提条件不满足", "资源已被修改，请刷新后重试"),
    413: ("request.too_large", "请求体过大", "请求体超过大小限制"),
    415: ("request.unsupported_media_type", "不支持的内容类型", "请求的内容类型不受支持"),
    422: ("platform.validation_failed", "请求内容校验未通过", "请求内容校验未通过，请检查各字段"),
    428: ("platform.precondition_required", "缺少前提条件", "此操作需要 If-Match 请求头"),
    429: ("platform.rate_limited", "请求过于频繁", "请求过于频繁，请稍后再试"),
}


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    code, title, detail = _HTTP_CODES.get(status, ("platform.http_error", error.name, error.description or error.name))
    data = getattr(error, "data", None) or {}
    errors = None
    headers = dict(data.get("headers") or {})
    messages = data.get("errors") or data.get("messages")
    if messages:
        errors = translate_messages(_flatten_location(messages))
    if status == 400 and messages and "Invalid JSON body." in json.dumps(messages):
        code, title, detail, errors = "request.malformed_json", "JSON 格式不正确", "请求体不是合法的 JSON", None
    if status == 413 and getattr(error, "description", "") and "JSON" in str(error.description):
        detail = str(error.description)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429:
        detail = "请求过于频繁，请稍后再试"
        retry = getattr(error, "retry_after", None)
        headers.setdefault("Retry-After", str(retry or 60))
    if data.get("message") and status not in (422,):
        detail = data["message"]
    return problem_response(status, code, title, detail, errors, headers)


def handle_domain_error(error: DomainError):
    errors = translate_messages(error.errors) if error.errors else None
    return problem_response(error.status, error.code, error.title, error.detail, errors, error.headers, error.extra)


def handle_unexpected(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if _is_redis_down(original):
        log.error("redis unavailable", exc_info=original)
        return problem_response(503, "platform.redis_unavailable", "服务暂时不可用",
                                "缓存服务暂时不可用，请稍后重试", headers={"Retry-After": "5"})
    from .uow import is_concurrency_failure

    if is_concurrency_failure(original):
        # Retried once already (mobile_api._ServiceApp); the client may try again.
        log.warning("concurrency failure after retry", exc_info=original)
        return problem_response(409, "platform.concurrent_update", "并发修改冲突",
                                "数据正被同时修改，请稍后重试")
    if _is_db_down(original):
        log.error("database unavailable", exc_info=original)
        return problem_response(503, "platform.database_unavailable", "服务暂时不可用",
                                "数据库暂时不可用，请稍后重试", headers={"Retry-After": "5"})
    log.exception("unhandled error", exc_info=original)
    return problem_response(500, "platform.internal_error", "服务器内部错误",
                            "服务器处理请求时出错，请稍后重试；如需反馈请提供请求编号")


def _is_redis_down(exc: BaseException) -> bool:
    import redis.exceptions as rex

    return isinstance(exc, (rex.ConnectionError, rex.TimeoutError))


# PostgreSQL error classes that mean "cannot talk to the server now", not "your
# statement is wrong": connection exceptions (08…), shutdown and start-up
# (57P01-57P03), too many connections (53300).
_PG_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}


def _is_db_down(exc: BaseException) -> bool:
    from sqlalchemy.exc import DisconnectionError, OperationalError, TimeoutError as PoolTimeout

    if isinstance(exc, (DisconnectionError, PoolTimeout)):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc, "connection_invalidated", False):
        return True
    original = exc.orig
    if type(original).__module__.startswith("psycopg"):
        # A refused or dropped connection carries no SQLSTATE at all.
        state = getattr(original, "sqlstate", None)
        return state is None or state.startswith("08") or state in _PG_UNAVAILABLE_STATES
    message = str(original)
    return "unable to open database" in message or "database is locked" in message


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
