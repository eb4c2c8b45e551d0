"""Hall screens HTTP schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from booking.schemas import HallBoardCallSchema


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class BoardTokenRequestSchema(StrictSchema):
    device_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    secret = fields.String(required=True, validate=validate.Length(min=1, max=128))


class StreamTokenSchema(ma.Schema):
    token = fields.String(required=True)
    hall_id = fields.Integer(required=True)
    expires_at = fields.DateTime(required=True)
    stream_url = fields.String(required=True, metadata={"description": "EventSource 地址（令牌在查询参数中）"})


class StreamArgsSchema(StrictSchema):
    token = fields.String(load_default=None, validate=validate.Length(max=512),
                          metadata={"description": "事件流令牌；也可用 screens_token Cookie"})
    last_event_id = fields.String(load_default=None, validate=validate.Length(max=64),
                                  metadata={"description": "新建 EventSource 时代替 Last-Event-ID 请求头"})


class BoardArgsSchema(StrictSchema):
    token = fields.String(load_default=None, validate=validate.Length(max=512))


class BoardQueueSchema(ma.Schema):
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    waiting = fields.Integer(required=True)
    estimated_wait_minutes = fields.Integer(required=True)


class BoardSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    hall_name = fields.String(required=True)
    date = fields.Date(required=True)
    calling = fields.List(fields.Nested(HallBoardCallSchema), required=True)
    queues = fields.List(fields.Nested(BoardQueueSchema), required=True)
    notice = fields.String(required=True)


class NoticeSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(max=1000))


class NoticeResultSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    text = fields.String(required=True)
    updated_at = fields.DateTime(required=True)


class ConsoleTicketSchema(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    queue_id = fields.Integer(required=True)
    lane = fields.String(required=True)
    priority_reason = fields.String(required=True, allow_none=True)
    source = fields.String(required=True)
    item_code = fields.String(required=True, allow_none=True)
    appointment_id = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True)
    call_count = fields.Integer(required=True)
    waited_minutes = fields.Integer(required=True)


class ConsoleWindowSchema(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    name = fields.String(required=True)
    queue_ids = fields.List(fields.Integer(), required=True)
    staffed = fields.Boolean(required=True, metadata={"description": "已有柜台会话在岗"})
    current = fields.Nested(ConsoleTicketSchema, required=True, allow_none=True)


class ConsoleQueueSchema(ma.Schema):
    id = fields.Integer(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)


class ConsoleFiguresSchema(ma.Schema):
    called = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    average_service_minutes = fields.Float(required=True, allow_none=True)


class ConsoleSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    hall_name = fields.String(required=True)
    date = fields.Date(required=True)
    windows = fields.List(fields.Nested(ConsoleWindowSchema), required=True)
    queues = fields.List(fields.Nested(ConsoleQueueSchema), required=True)
    waiting = fields.List(fields.Nested(ConsoleTicketSchema), required=True)
    mine = fields.Nested(ConsoleFiguresSchema, required=True)
