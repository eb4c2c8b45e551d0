"""Checks every request passes before a view sees it: content type, body size
and the client channel. Each failure is a problem+json 4xx."""

from __future__ import annotations

from flask import Flask, g, request

from .errors import DomainError

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


class BadChannel(DomainError):
    status = 400
    code = "request.bad_channel"
    title = "渠道标识不正确"


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"


def init_app(app: Flask) -> None:
    @app.before_request
    def _guard():
        channel = request.headers.get("X-Client-Channel")
        if channel is not None and channel not in CHANNELS:
            raise BadChannel(f"X-Client-Channel 只能是 {', '.join(CHANNELS)} 之一")
        g.channel = channel
        if request.method not in _BODY_METHODS or not _has_body():
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
        return None
