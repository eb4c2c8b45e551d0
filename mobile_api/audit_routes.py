"""Auditors read the audit log: platform admins only, newest first, filtered."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy import select

from identity import access
from identity.auth import current_actor, require_roles

from .actor import ROLES
from .audit import AuditEntry
from .db import MAX_INTEGER_ID
from .pagination import PAGINATION_HEADER_DOC, PageArgsSchema, paginate, pagination_header
from .request_guards import CHANNELS
from .uow import current_uow

PRINCIPAL_KINDS = ("citizen", "staff", "kiosk", "system", "anonymous")

blp = Blueprint("audit", __name__, url_prefix="/api/v1/admin", description="审计日志")






class AuditQueryArgsSchema(PageArgsSchema):
    object_type = ma.fields.String(validate=ma.validate.Length(max=64))
    object_id = ma.fields.String(validate=ma.validate.Length(max=64))
    principal_kind = ma.fields.String(validate=ma.validate.OneOf(PRINCIPAL_KINDS))
    principal_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_INTEGER_ID, error=f"应为1至{MAX_INTEGER_ID}之间的编号"))
    action = ma.fields.String(validate=ma.validate.Length(max=64))


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    occurred_at = ma.fields.DateTime(required=True)
    principal_kind = ma.fields.String(required=True, validate=ma.validate.OneOf(PRINCIPAL_KINDS))
    principal_id = ma.fields.Integer(required=True, allow_none=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES + ("system", "anonymous")))
    channel = ma.fields.String(required=True, allow_none=True, validate=ma.validate.OneOf(CHANNELS))
    action = ma.fields.String(required=True)
    object_type = ma.fields.String(required=True)
    object_id = ma.fields.String(required=True, allow_none=True)
    request_id = ma.fields.String(required=True, allow_none=True)
    ip = ma.fields.String(required=True, allow_none=True)
    details = ma.fields.Dict(required=True, allow_none=True)


@blp.route("/audit-log")
@require_roles("admin")
@blp.arguments(AuditQueryArgsSchema, location="query")
@blp.response(200, AuditEntrySchema(many=True), headers=PAGINATION_HEADER_DOC)
def list_audit_entries(args):
    """Audit entries, newest first (platform admins)."""
    access.ensure_platform_admin(current_actor(), "仅平台管理员可查看审计日志")
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    for name in ("object_type", "object_id", "principal_kind", "principal_id", "action"):
        if name in args:
            stmt = stmt.where(getattr(AuditEntry, name) == args[name])
    rows, total = paginate(current_uow().session, stmt, args["page"], args["page_size"])
    return rows, 200, pagination_header(total, args["page"], args["page_size"])
