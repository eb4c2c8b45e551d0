"""HTTP schemas of counter sessions and the window's waiting list (written by hand)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from .models import LANES, SESSION_STATUSES, TICKET_SOURCES
from .schemas import ID_RANGE, LANE_DOC, SOURCE_DOC, StrictSchema


class CounterSessionCreateSchema(StrictSchema):
    window_id = fields.Integer(required=True, validate=ID_RANGE, metadata={"description": "要上岗的窗口编号"})


class CounterSessionSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "柜台会话编号"})
    hall_id = fields.Integer(required=True)
    window_id = fields.Integer(required=True)
    window_number = fields.String(required=True, metadata={"description": "窗口号", "example": "3"})
    window_name = fields.String(required=True)
    staff_id = fields.Integer(required=True, metadata={"description": "在岗工作人员编号"})
    status = fields.String(required=True, validate=validate.OneOf(SESSION_STATUSES),
                           metadata={"description": "open 在岗 | paused 暂停 | closed 已结束"})
    opened_at = fields.DateTime(required=True, metadata={"description": "上岗时间（UTC，ISO 8601）"})
    paused_at = fields.DateTime(allow_none=True, required=True,
                                metadata={"description": "本次暂停开始的时间（UTC，ISO 8601）；未暂停为 null"})
    closed_at = fields.DateTime(allow_none=True, required=True,
                                metadata={"description": "下岗时间（UTC，ISO 8601）；仍在岗为 null"})
    staffed_minutes = fields.Integer(required=True, metadata={"description": "在岗分钟数（不含暂停）"})
    current_ticket_id = fields.Integer(allow_none=True, required=True,
                                       metadata={"description": "本窗口正在叫号或办理的号"})


class WaitingTicketSchema(ma.Schema):
    ticket_id = fields.Integer(required=True, metadata={"description": "排队票编号"})
    number = fields.String(required=True, metadata={"description": "排队号（队列前缀加序号，如 A012）",
                                                    "example": "A012"})
    queue_id = fields.Integer(required=True)
    queue_prefix = fields.String(required=True, metadata={"description": "所在队列的排队号前缀", "example": "A"})
    queue_name = fields.String(required=True, metadata={"description": "所在队列的名称", "example": "综合窗口"})
    lane = fields.String(required=True, validate=validate.OneOf(LANES), metadata=LANE_DOC)
    source = fields.String(required=True, validate=validate.OneOf(TICKET_SOURCES), metadata=SOURCE_DOC)
    item = fields.String(allow_none=True, required=True)
    item_name = fields.String(allow_none=True, required=True)
    requeued = fields.Boolean(required=True)
    position = fields.Integer(required=True, metadata={"description": "本队列中前面还有几位"})
    waited_minutes = fields.Integer(required=True, metadata={"description": "已等候分钟数"})


class WaitingListSchema(ma.Schema):
    session_id = fields.Integer(required=True, metadata={"description": "柜台会话编号"})
    window_id = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "等候总数（列表最多 200 条）"})
    tickets = fields.List(fields.Nested(WaitingTicketSchema), required=True,
                          metadata={"description": "本窗口可叫的等候中的号，按叫号顺序"})
