"""Complete every operation of the OpenAPI document in one place.

Run once per app after all blueprints are registered: each operation gets a
stable `operationId` (`<blueprint>_<viewName>`), every status it can answer
with its error codes (problem+json, one `Problem` schema narrowed to the
codes of that status), and the request and response headers the shell
honours. Views stay as they are; see docs/api-contract.md.
"""

from __future__ import annotations

import re
import types
from collections import defaultdict
from http import HTTPStatus

from flask import Flask

from ..errors import PROBLEM_MIME
from ..observability import REQUEST_ID_PATTERN
from ..ratelimit import EXEMPT_ENDPOINTS
from ..request_guards import CHANNELS
from . import examples
from .error_scan import ErrorCode, codes_of_function, codes_of_view
from .generic import CONCURRENT_UPDATE, INTERNAL, RETRY_AFTER_STATUSES, generic_codes

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

STATUS_ZH = {400: "请求有误", 401: "未登录或令牌无效", 403: "无权执行此操作", 404: "资源不存在", 409: "与当前状态冲突",
             410: "已失效", 413: "请求体过大", 415: "不支持的内容类型", 422: "请求内容校验未通过", 423: "已锁定",
             429: "请求过于频繁", 500: "服务器内部错误", 502: "上游服务出错", 503: "服务暂时不可用",
             504: "上游服务超时"}

RESPONSE_HEADERS = {
    "X-Request-ID": {"description": "请求编号：客户端所给的 X-Request-ID，或服务端生成；反馈问题时请提供",
                     "schema": {"type": "string"}},
    "Retry-After": {"description": "建议等待多少秒后重试（只在 429、503 与锁定的 423 答复中出现）",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    "Idempotent-Replayed": {"description": "true：这是同一 Idempotency-Key 首次请求的答复的重放",
                            "schema": {"type": "string", "enum": ["true"]}},
    "ETag": {"description": "内容版本标识；下次请求放进 If-None-Match，未修改时答复 304", "schema": {"type": "string"}},
}

IDEMPOTENCY_KEY = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "schema": {"type": "string", "minLength": 8, "maxLength": 128, "pattern": "^[\\x21-\\x7e]{8,128}$"},
    "description": ("弱网重试用的幂等键（8–128 个可见 ASCII 字符，按登录主体区分）。同一键与相同请求："
                    "重放首次答复（2xx 与业务 4xx 均重放，带 Idempotent-Replayed: true）；"
                    "同一键与不同请求：422 idempotency.key_reused；首次请求仍在处理：409 idempotency.in_progress。"
                    "鉴权、限流、503 等在处理前就拒绝的答复不记录，可用同一键重试。"),
}
IF_NONE_MATCH = {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"},
                 "description": "上次答复的 ETag；内容未变时答复 304 且无正文"}
CLIENT_CHANNEL = {"in": "header", "name": "X-Client-Channel", "required": False,
                  "schema": {"type": "string", "enum": list(CHANNELS)},
                  "description": "调用渠道，随本次请求的变更一并记录"}
# What the app does (mobile_api.observability): any value is accepted; one
# that matches the pattern is kept and echoed, any other is replaced.
REQUEST_ID = {"in": "header", "name": "X-Request-ID", "required": False,
              "schema": {"type": "string"},
              "description": (f"客户端给出的请求编号：符合 {REQUEST_ID_PATTERN}（1–64 个字母、数字或 ._:-）的原样"
                              "回显并记入日志；其他值不会被拒绝，而是由服务端另行生成编号（见答复的 X-Request-ID）")}
STEP_UP_HEADER = "X-Step-Up-Token"
STEP_UP_CODE = "identity.step_up_required"
NOT_REPLAYED_PREFIXES = ("idempotency.", "auth.", "request.", "platform.rate_limited")


def operation_id(endpoint: str, method: str, methods_on_rule: int) -> str:
    """`booking.create_appointment` → `booking_createAppointment` (stable: from code names)."""
    blueprint, _, view_name = endpoint.rpartition(".")
    first, *rest = view_name.split("_")
    name = first + "".join(part[:1].upper() + part[1:] for part in rest)
    suffix = method.capitalize() if methods_on_rule > 1 else ""
    return f"{blueprint or 'app'}_{name}{suffix}"


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _header_ref(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def _replayable(code: ErrorCode) -> bool:
    """Refusals decided before the view runs are not recorded (see mobile_api.idempotency)."""
    return not (code.code.startswith(NOT_REPLAYED_PREFIXES) or code.status >= 500)


def _guard_codes(app: Flask, blueprint: str | None = None) -> frozenset[ErrorCode]:
    """Codes of the before-request hooks: the app's (blueprint None) or one blueprint's."""
    found: set[ErrorCode] = set()
    for hook in app.before_request_funcs.get(blueprint, []):
        hook = getattr(hook, "__func__", hook)
        if isinstance(hook, types.FunctionType):
            found |= codes_of_function(hook)
    return frozenset(found)


def _problem_response(status: int, codes: list[ErrorCode], description: str | None, *, replayable: bool) -> dict:
    listed = "\n".join(f"- `{c.code}`：{c.title}" for c in codes)
    schema: dict = {"allOf": [PROBLEM_REF]}
    if codes:
        schema["properties"] = {"code": {"type": "string", "enum": [c.code for c in codes]}}
    headers = {"X-Request-ID": _header_ref("X-Request-ID")}
    if status in RETRY_AFTER_STATUSES:
        headers["Retry-After"] = _header_ref("Retry-After")
    if replayable:
        headers["Idempotent-Replayed"] = _header_ref("Idempotent-Replayed")
    base = description or STATUS_ZH.get(status) or HTTPStatus(status).phrase
    return {"description": f"{base}\n\n错误码：\n{listed}" if codes else base,
            "headers": headers, "content": {PROBLEM_MIME: {"schema": schema}},
            "x-error-codes": [{"code": c.code, "title": c.title} for c in codes]}


def _existing_description(response) -> str | None:
    if not isinstance(response, dict) or "$ref" in response:
        return None
    text = response.get("description")
    generic = {HTTPStatus(int(s)).phrase for s in range(400, 600) if s in HTTPStatus._value2member_map_}
    return None if not text or text in generic or text == "Default error response" else text


def complete_operation(app: Flask, operation: dict, method: str, endpoint: str, rule, guard_codes) -> None:
    view = app.view_functions[endpoint]
    methods_on_rule = len([m for m in rule.methods if m.lower() in METHODS and m not in ("HEAD", "OPTIONS")])
    operation["operationId"] = operation_id(endpoint, method, methods_on_rule)
    params = operation.setdefault("parameters", [])
    names = {(p.get("in"), p.get("name")) for p in params if isinstance(p, dict)}
    responses = operation.setdefault("responses", {})
    idempotent = getattr(view, "_idempotent", False)
    has_body = "requestBody" in operation
    codes = set(codes_of_view(view)) | generic_codes(
        secured=bool(operation.get("security")), has_body=has_body,
        has_input=has_body or any(p.get("in") == "query" for p in params if isinstance(p, dict)),
        path_params=bool(rule.arguments), rate_limited=endpoint not in EXEMPT_ENDPOINTS,
        guard_codes=guard_codes | _guard_codes(app, endpoint.rpartition(".")[0] or None))
    if method.lower() != "get":
        codes.add(CONCURRENT_UPDATE)
    if idempotent:
        from ..idempotency import IdempotencyInProgress, IdempotencyKeyInvalid, IdempotencyKeyReused

        codes |= {ErrorCode(c.code, c.status, c.title)
                  for c in (IdempotencyInProgress, IdempotencyKeyInvalid, IdempotencyKeyReused)}
        if ("header", "Idempotency-Key") not in names:
            params.append(IDEMPOTENCY_KEY)
    if any(c.code == STEP_UP_CODE for c in codes) and ("header", STEP_UP_HEADER) not in names:
        params.append({"in": "header", "name": STEP_UP_HEADER, "required": False, "schema": {"type": "string"},
                       "description": "人脸核身通过后签发的短期凭证；须本人办理的事项需要"})
    conditional = "304" in responses
    if conditional and ("header", "If-None-Match") not in names:
        params.append(IF_NONE_MATCH)
    for extra in (CLIENT_CHANNEL, REQUEST_ID):
        if ("header", extra["name"]) not in names:
            params.append(extra)

    by_status: dict[int, list[ErrorCode]] = defaultdict(list)
    for code in sorted(codes, key=lambda c: (c.status, c.code)):
        if code.status < 500 or code.status in (502, 503, 504):
            by_status[code.status].append(code)
    for status_text in [s for s in responses if s.isdigit() and int(s) >= 400]:
        by_status.setdefault(int(status_text), [])  # documented by hand; no code found in the code
    for status, status_codes in by_status.items():
        replayable = idempotent and any(_replayable(c) for c in status_codes)
        responses[str(status)] = _problem_response(status, status_codes, _existing_description(
            responses.get(str(status))), replayable=replayable)
    responses["default"] = {"description": f"其他错误，如 `{INTERNAL.code}`（服务器内部错误）",
                            "headers": {"X-Request-ID": _header_ref("X-Request-ID")},
                            "content": {PROBLEM_MIME: {"schema": PROBLEM_REF}}}
    for status_text, response in responses.items():
        if not status_text.isdigit() or int(status_text) >= 400:
            continue
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = _header_ref("X-Request-ID")
        if idempotent and status_text.startswith("2"):
            headers["Idempotent-Replayed"] = _header_ref("Idempotent-Replayed")
        if conditional and status_text in ("200", "304"):
            headers["ETag"] = _header_ref("ETag")


def complete_spec(app: Flask, api) -> None:
    """Complete every registered operation (see the module docstring)."""
    paths = api.spec._paths  # apispec keeps the registered paths here; flask-smorest filled them
    guard_codes = _guard_codes(app)
    for name, header in RESPONSE_HEADERS.items():
        api.spec.components.header(name, header)
    for rule in app.url_map.iter_rules():
        item = paths.get(_openapi_path(rule.rule))
        if item is None:
            continue
        for method in rule.methods:
            operation = item.get(method.lower())
            if method.lower() in METHODS and isinstance(operation, dict):
                complete_operation(app, operation, method.lower(), rule.endpoint, rule, guard_codes)
    for response in api.spec.components.responses.values():
        for content_type in list(response.get("content", {})):
            if content_type == "application/json":
                response["content"][PROBLEM_MIME] = response["content"].pop(content_type)
    examples.complete(api.spec)
