"""Staff notices: the in-app inbox (`/api/v1/staff/notices`)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.pagination import PAGINATION_HEADER_DOC, PageArgsSchema, paginate, pagination_header
from mobile_api.uow import current_uow

from . import inbox

blp = Blueprint("staff_notices", __name__, url_prefix="/api/v1/staff/notices", description="工作通知（站内信箱）")
STAFF = ("clerk", "approver", "admin")


class NoticeListArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean(metadata={"description": "true: 只看未读; false: 只看已读"})


class StaffNoticeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event = ma.fields.String(required=True, metadata={"description": "case_urged, case_dispatched, "
                                                                    "application_warning, application_overdue, "
                                                                    "rectification_opened, rectification_overdue, "
                                                                    "waiting_warning …"})
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    data = ma.fields.Dict(required=True)
    created_at = ma.fields.DateTime(required=True)
    read_at = ma.fields.DateTime(allow_none=True, required=True)
    wecom_status = ma.fields.String(required=True, metadata={"description": "unbound (只在站内) | pending | sent | "
                                                                           "failed: 企业微信的投递结果"})


class UnreadCountSchema(ma.Schema):
    unread = ma.fields.Integer(required=True)


class MarkedSchema(ma.Schema):
    marked = ma.fields.Integer(required=True)


@blp.route("", methods=["GET"])
@require_roles(*STAFF)
@blp.arguments(NoticeListArgsSchema, location="query")
@blp.response(200, StaffNoticeSchema(many=True), headers=PAGINATION_HEADER_DOC)
def list_notices(args):
    """My notices (催办, 电子监察, 整改期限, 派单, 等候预警), newest first."""
    session = current_uow().session
    rows, total = paginate(session, inbox.own_notices(current_actor(), args.get("unread")), args["page"],
                           args["page_size"])
    return rows, 200, pagination_header(total, args["page"], args["page_size"])


@blp.route("/unread-count", methods=["GET"])
@require_roles(*STAFF)
@blp.response(200, UnreadCountSchema)
def unread_count():
    """How many of my notices are unread."""
    return {"unread": inbox.unread_count(current_uow().session, current_actor())}


@blp.route("/<int:notice_id>/read", methods=["POST"])
@require_roles(*STAFF)
@blp.response(200, StaffNoticeSchema)
@blp.alt_response(404, description="通知不存在（或不是我的）")
def mark_read(notice_id):
    """Mark one of my notices read."""
    work = current_uow()
    return inbox.mark_read(work.session, current_actor(), work.clock, notice_id)


@blp.route("/read-all", methods=["POST"])
@require_roles(*STAFF)
@blp.response(200, MarkedSchema)
def mark_all_read():
    """Mark all my notices read."""
    work = current_uow()
    return {"marked": inbox.mark_all_read(work.session, current_actor(), work.clock)}
