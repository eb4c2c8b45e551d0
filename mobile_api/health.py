"""Liveness and readiness."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import text

from .uow import current_uow

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="运行状态")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(["ok"]))


class ReadySchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(["ok", "unavailable"]))
    database = ma.fields.String(required=True, validate=ma.validate.OneOf(["ok", "unreachable"]))
    redis = ma.fields.String(required=True, validate=ma.validate.OneOf(["ok", "unreachable"]))


@blp.route("/health")
@blp.response(200, HealthSchema)
def health():
    """Process is alive."""
    return {"status": "ok"}


@blp.route("/ready")
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ReadySchema, description="数据库或 Redis 不可达")
def ready():
    """Database and Redis are reachable."""
    checks = {"database": "ok", "redis": "ok"}
    try:
        # Through the request's unit of work, which ends the read.
        current_uow().session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready
        current_app.logger.warning("readiness: database unreachable", extra={"error": repr(exc)})
        checks["database"] = "unreachable"
    try:
        current_app.extensions["redis"].ping()
    except Exception as exc:
        current_app.logger.warning("readiness: redis unreachable", extra={"error": repr(exc)})
        checks["redis"] = "unreachable"
    ok = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ok else "unavailable", **checks}
    return (body, 200) if ok else (body, 503, {"Retry-After": "5"})
