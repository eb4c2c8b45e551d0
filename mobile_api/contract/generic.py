"""Error codes the shell itself may answer on an operation, by what the
operation is (secured, takes input, idempotent, ...), so each operation's
list is complete without every view repeating them."""

from __future__ import annotations

from .error_scan import ErrorCode

# From the shell's error handlers (mobile_api.errors) and the webargs parser.
VALIDATION = ErrorCode("platform.validation_failed", 422, "请求内容校验未通过")
MALFORMED_JSON = ErrorCode("request.malformed_json", 400, "JSON 格式不正确")
BAD_REQUEST = ErrorCode("platform.bad_request", 400, "请求有误")
NOT_FOUND = ErrorCode("platform.not_found", 404, "资源不存在")
UNAUTHORIZED = ErrorCode("auth.unauthorized", 401, "需要登录")
FORBIDDEN = ErrorCode("auth.forbidden", 403, "无权执行此操作")
RATE_LIMITED = ErrorCode("platform.rate_limited", 429, "请求过于频繁")
REDIS_DOWN = ErrorCode("platform.redis_unavailable", 503, "服务暂时不可用")
DATABASE_DOWN = ErrorCode("platform.database_unavailable", 503, "服务暂时不可用")
# A deadlock or serialization failure that persisted after the shell's one retry (writes only).
CONCURRENT_UPDATE = ErrorCode("platform.concurrent_update", 409, "并发修改冲突")
INTERNAL = ErrorCode("platform.internal_error", 500, "服务器内部错误")

# Statuses whose answers carry Retry-After; no other answer does. 423: a
# lockout (failed logins, face checks) ends at a known time, said so here.
RETRY_AFTER_STATUSES = (423, 429, 503)


def generic_codes(*, secured: bool, has_body: bool, has_input: bool, path_params: bool, rate_limited: bool,
                  guard_codes: frozenset[ErrorCode]) -> set[ErrorCode]:
    codes = {REDIS_DOWN, DATABASE_DOWN}
    for code in guard_codes:  # the before-request guards (channel, size, media type, NUL, token)
        if code.status == 401 and not secured:
            continue
        if code.status in (413, 415) and not has_body:
            continue
        codes.add(code)
    if secured:
        codes |= {UNAUTHORIZED, FORBIDDEN}
    if has_input:
        codes.add(VALIDATION)
    if has_body:
        codes |= {MALFORMED_JSON, BAD_REQUEST}
    if path_params:
        codes.add(NOT_FOUND)
    if rate_limited:
        codes.add(RATE_LIMITED)
    return codes
