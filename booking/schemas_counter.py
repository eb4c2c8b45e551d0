"""HTTP schemas of counter sessions and the window's waiting list (written by hand)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from .schemas import ID_RANGE, StrictSchema


class CounterSessionCreateSchema(StrictSchema):
    window_id = fields.Integer(required=True, validate=ID_RANGE)


class CounterSessionSchema(ma.Schema):
    id = fields.Integer(required=True)
    hall_id = fields.Integer(required=True)
    window_id = fields.Integer(required=True)
    window_number = fields.String(required=True)
    window_name = fields.String(required=True)
    staff_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "open | paused | closed"})
    opened_at = fields.DateTime(required=True)
    paused_at = fields.DateTime(allow_none=True, required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    staffed_minutes = fields.Integer(required=True, metadata={"description": "在岗分钟数（不含暂停）"})
    current_ticket_id = fields.Integer(allow_none=True, required=True,
                                       metadata={"description": "本窗口正在叫号或办理的号"})


class WaitingTicketSchema(ma.Schema):
    ticket_id = fields.Integer(required=True)
    number = fields.String(required=True)
    queue_id = fields.Integer(required=True)
    queue_prefix = fields.String(required=True)
    queue_name = fields.String(required=True)
    lane = fields.String(required=True, metadata={"description": "priority | appointment | walk_in"})
    source = fields.String(required=True, metadata={"description": "appointment | walk_in"})
    item = fields.String(allow_none=True, required=True)
    item_name = fields.String(allow_none=True, required=True)
    requeued = fields.Boolean(required=True)
    position = fields.Integer(required=True, metadata={"description": "本队列中前面还有几位"})
    waited_minutes = fields.Integer(required=True)


class WaitingListSchema(ma.Schema):
    session_id = fields.Integer(required=True)
    window_id = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "等候总数（列表最多 200 条）"})
    tickets = fields.List(fields.Nested(WaitingTicketSchema), required=True)
