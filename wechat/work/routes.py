"""Staff notices: the in-app inbox (`/api/v1/staff/notices`)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from identity.auth import current_actor, require_roles
from mobile_api.pagination import PAGINATION_HEADER_DOC, PageArgsSchema, paginate, pagination_header
from mobile_api.uow import current_uow

from . import inbox
from .models import WECOM_STATUSES
from .notices import EVENT_KINDS

blp = Blueprint("staff_notices", __name__, url_prefix="/api/v1/staff/notices", description="工作通知（站内信箱）")
STAFF = ("clerk", "approver", "admin")


class NoticeListArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean(metadata={"description": "true: 只看未读; false: 只看已读"})


class StaffNoticeSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "通知编号"})
    # Open: a producer newer than notices.EVENTS still delivers its event as sent.
    event = ma.fields.String(required=True, metadata={
        "description": "通知事件：" + ", ".join(EVENT_KINDS) + " …（较新的发送方可能送来其他事件，按通用文字显示）",
        "example": EVENT_KINDS[0]})
    title = ma.fields.String(required=True, metadata={"description": "通知标题", "example": "催办"})
    body = ma.fields.String(required=True, metadata={
        "description": "通知正文（由事件和 data 生成）",
        "example": "诉求 #1024 已超过答复期限（2026-11-27 09:30），请尽快答复。"})
    data = ma.fields.Dict(required=True, metadata={"description": "事件的原始数据（如 case_id、reply_due_at）",
                                                   "example": {"case_id": 1024,
                                                               "reply_due_at": "2026-11-27T01:30:00Z"}})
    created_at = ma.fields.DateTime(required=True)
    read_at = ma.fields.DateTime(allow_none=True, required=True,
                                 metadata={"description": "标记已读的时间（UTC，ISO 8601）；未读为 null"})
    wecom_status = ma.fields.String(required=True, validate=validate.OneOf(WECOM_STATUSES), metadata={
        "description": "unbound (只在站内) | pending | sent | failed: 企业微信的投递结果"})


class UnreadCountSchema(ma.Schema):
    unread = ma.fields.Integer(required=True, metadata={"description": "未读通知数"})


class MarkedSchema(ma.Schema):
    marked = ma.fields.Integer(required=True, metadata={"description": "本次标记为已读的通知数"})


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
