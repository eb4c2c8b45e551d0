"""Checks every request passes before a view sees it: content type, body size,
the client channel and text no column can hold (text_guard.py). Each failure
is a problem+json 4xx."""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.routing import IntegerConverter

from .db import MAX_INTEGER_ID
from .errors import DomainError, NotFound
from .text_guard import CheckedRequest, refuse_unstorable, refuse_unstorable_pairs

CHANNELS = ("miniprogram", "app", "kiosk", "window")
_BODY_METHODS = ("POST", "PUT", "PATCH")
_ACCEPTED_MIMETYPES = ("application/json", "multipart/form-data")


class UnsupportedMediaType(DomainError):
    status = 415
    code = "request.unsupported_media_type"
    title = "不支持的内容类型"


class PayloadTooLarge(DomainError):
    status = 413
    code = "request.too_large"
    title = "请求体过大"


class DatabaseIdConverter(IntegerConverter):
    """`<int:id>` in a route: ids beyond a 32-bit column cannot exist, so such
    a path is simply not found instead of overflowing the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER_ID)
        super().__init__(map, *args, **kwargs)


def _refuse_unstorable_text() -> None:
    """No text we store may hold NUL or a lone surrogate (text_guard.py); form
    fields and uploads are checked where they are parsed (CheckedRequest)."""
    if "\x00" in request.path:
        raise NotFound("请求的地址不存在")  # no resource is named with a NUL
    refuse_unstorable_pairs(request.args.items(multi=True))
    if request.is_json and _has_body():
        body = request.get_json(silent=True)
        if body is not None:
            refuse_unstorable(body)


class BadChannel(DomainError):
    status = 400
    code = "request.bad_channel"
    title = "渠道标识不正确"


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    app.request_class = CheckedRequest

    @app.before_request
    def _guard():
        channel = request.headers.get("X-Client-Channel")
        if channel is not None and channel not in CHANNELS:
            raise BadChannel(f"X-Client-Channel 只能是 {', '.join(CHANNELS)} 之一")
        g.channel = channel
        if request.method not in _BODY_METHODS or not _has_body():
            _refuse_unstorable_text()
            return None
        upload_limit = app.config["MAX_CONTENT_LENGTH"]
        if upload_limit and request.content_length and request.content_length > upload_limit:
            raise PayloadTooLarge(f"请求体不能超过 {upload_limit // (1024 * 1024) or 1} MiB")
        mimetype = request.mimetype
        if mimetype not in _ACCEPTED_MIMETYPES and not mimetype.endswith("+json"):
            raise UnsupportedMediaType(
                f"不支持的内容类型 {mimetype or '(未指定)'}，请使用 application/json 或 multipart/form-data")
        if mimetype != "multipart/form-data":
            limit = app.config["MAX_JSON_BYTES"]
            if request.content_length and request.content_length > limit:
                raise PayloadTooLarge(f"JSON 请求体不能超过 {limit // 1024} KiB")
            request.max_content_length = limit
        _refuse_unstorable_text()
        return None
