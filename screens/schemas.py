"""Hall screens HTTP schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from booking.models import LANES, PRIORITY_REASONS, TICKET_SOURCES, TICKET_STATUSES
from booking.schemas import LANE_DOC, SOURCE_DOC, HallBoardCallSchema


_NOTICE_EXAMPLE = "今日 12:00–13:30 午休，自助区照常开放"


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class BoardTokenRequestSchema(StrictSchema):
    device_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                metadata={"description": "大厅屏设备编码", "example": "BOARD-CITY-01"})
    secret = fields.String(required=True, validate=validate.Length(min=1, max=128), metadata={"description": "设备密钥"})


class StreamTokenSchema(ma.Schema):
    token = fields.String(required=True, metadata={
        "description": "事件流令牌（短期有效，只能读本大厅的事件）",
        "example": "eyJhbGciOiJIUzI1NiJ9.eyJoYWxsIjoxfQ.c2ln"})
    hall_id = fields.Integer(required=True)
    expires_at = fields.DateTime(required=True, metadata={"description": "令牌过期时间（UTC，ISO 8601）"})
    stream_url = fields.String(required=True, metadata={
        "description": "EventSource 地址（令牌在查询参数中）",
        "example": "/api/v1/screens/halls/1/events?token=eyJhbGciOiJIUzI1NiJ9.eyJoYWxsIjoxfQ.c2ln"})


class StreamArgsSchema(StrictSchema):
    token = fields.String(load_default=None, validate=validate.Length(max=512),
                          metadata={"description": "事件流令牌；也可用 screens_token Cookie"})
    last_event_id = fields.String(load_default=None, validate=validate.Length(max=64),
                                  metadata={"description": "新建 EventSource 时代替 Last-Event-ID 请求头"})


class BoardArgsSchema(StrictSchema):
    token = fields.String(load_default=None, validate=validate.Length(max=512),
                          metadata={"description": "大厅屏令牌；也可用 screens_token Cookie 或 Authorization"})


class BoardQueueSchema(ma.Schema):
    prefix = fields.String(required=True, metadata={"description": "排队号前缀", "example": "A"})
    name = fields.String(required=True, metadata={"description": "队列名称", "example": "综合窗口"})
    waiting = fields.Integer(required=True)
    estimated_wait_minutes = fields.Integer(required=True)


class BoardSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    hall_name = fields.String(required=True)
    date = fields.Date(required=True)
    calling = fields.List(fields.Nested(HallBoardCallSchema), required=True)
    queues = fields.List(fields.Nested(BoardQueueSchema), required=True)
    notice = fields.String(required=True, metadata={"description": "大厅屏滚动通知；没有时为空字符串",
                                                    "example": _NOTICE_EXAMPLE})


class NoticeSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(max=1000),
                         metadata={"description": "大厅屏滚动通知；空字符串撤下通知", "example": _NOTICE_EXAMPLE})


class NoticeResultSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    text = fields.String(required=True, metadata={"description": "大厅屏滚动通知", "example": _NOTICE_EXAMPLE})
    updated_at = fields.DateTime(required=True, metadata={"description": "通知更新时间（UTC，ISO 8601）"})


class ConsoleTicketSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "排队票编号"})
    number = fields.String(required=True, metadata={"description": "排队号", "example": "A012"})
    queue_id = fields.Integer(required=True)
    lane = fields.String(required=True, validate=validate.OneOf(LANES), metadata=LANE_DOC)
    priority_reason = fields.String(required=True, allow_none=True, validate=validate.OneOf(PRIORITY_REASONS),
                                    metadata={"description": "优先办理原因；非绿色通道为 null"})
    source = fields.String(required=True, validate=validate.OneOf(TICKET_SOURCES), metadata=SOURCE_DOC)
    item_code = fields.String(required=True, allow_none=True)
    appointment_id = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(TICKET_STATUSES),
                           metadata={"description": "排队状态（等候中、已叫号或办理中）"})
    call_count = fields.Integer(required=True)
    waited_minutes = fields.Integer(required=True, metadata={"description": "已等候分钟数"})


class ConsoleWindowSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "窗口编号"})
    number = fields.String(required=True, metadata={"description": "窗口号", "example": "3"})
    name = fields.String(required=True, metadata={"description": "窗口名称", "example": "3 号综合窗口"})
    queue_ids = fields.List(fields.Integer(), required=True, metadata={"description": "窗口叫号的队列编号"})
    staffed = fields.Boolean(required=True, metadata={"description": "已有柜台会话在岗"})
    current = fields.Nested(ConsoleTicketSchema, required=True, allow_none=True,
                            metadata={"description": "窗口正在叫号或办理的号；空闲为 null"})


class ConsoleQueueSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "队列编号"})
    prefix = fields.String(required=True, metadata={"description": "排队号前缀", "example": "A"})
    name = fields.String(required=True, metadata={"description": "队列名称", "example": "综合窗口"})


class ConsoleFiguresSchema(ma.Schema):
    called = fields.Integer(required=True, metadata={"description": "今天由我叫过的号数"})
    completed = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    average_service_minutes = fields.Float(required=True, allow_none=True)


class ConsoleSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    hall_name = fields.String(required=True)
    date = fields.Date(required=True)
    windows = fields.List(fields.Nested(ConsoleWindowSchema), required=True)
    queues = fields.List(fields.Nested(ConsoleQueueSchema), required=True)
    waiting = fields.List(fields.Nested(ConsoleTicketSchema), required=True,
                          metadata={"description": "大厅里等候中的号，按叫号顺序（最多 100 个）"})
    mine = fields.Nested(ConsoleFiguresSchema, required=True, metadata={"description": "我今天的办件统计"})
