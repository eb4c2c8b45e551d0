"""Schemas of the city set-up API (booking/routes_admin.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from .models import HALL_LEVELS, WINDOW_KINDS
from .schemas import HallSchema, StrictSchema

_TIME = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="时间应为 HH:MM")
_HOURS_DOC = {"description": "按星期的办公时间 {\"0\": [\"08:30\", \"17:30\"], …, \"6\": null}（0=周一，缺省的日子不办公）",
              "example": {"0": ["08:30", "17:30"], "1": ["08:30", "17:30"], "5": None}}


_HALL_NAME = {"description": "服务大厅名称", "example": "东莞市民服务中心"}
_HALL_LEVEL = {"description": "city 市民服务中心 | town 镇街 | village 村(社区)"}
_QUEUE_NAME = {"description": "队列名称", "example": "综合窗口"}
_WINDOW_NUMBER = {"description": "窗口号（大厅内唯一）", "example": "3"}
_WINDOW_NAME = {"description": "窗口名称", "example": "3 号综合窗口"}
_WINDOW_KIND = {"description": "general 综合窗口 | special 专窗"}
_QUEUE_IDS = {"description": "窗口叫号的队列编号", "example": [2]}
_PLACES = {"description": "每个服务窗口每个时段的可预约数；null 用默认值"}


_NOTIFY_POSITION = {"description": "前面还剩几位时给取号市民发一次“您前面还有 N 位”订阅消息（0 = 不发；默认 5）",
                    "example": 5}


class HallUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=128), metadata=_HALL_NAME)
    level = fields.String(validate=validate.OneOf(HALL_LEVELS), metadata=_HALL_LEVEL)
    town = fields.String(allow_none=True, validate=validate.Length(max=64))
    address = fields.String(validate=validate.Length(min=1, max=255))
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lng = fields.Float(validate=validate.Range(min=-180, max=180))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    opening_hours = fields.Dict(metadata=_HOURS_DOC)
    lunch_start = fields.String(allow_none=True, validate=_TIME)
    lunch_end = fields.String(allow_none=True, validate=_TIME)
    active = fields.Boolean()
    notify_position = fields.Integer(validate=validate.Range(min=0, max=99), metadata=_NOTIFY_POSITION)


class HallCreateSchema(HallUpdateSchema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=32),
                                                  validate.Regexp(r"^[A-Za-z0-9_\-]+$", error="编码只能含字母、数字、_ -")],
                         metadata={"description": "服务大厅编码（字母、数字、_ -）"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=128), metadata=_HALL_NAME)
    level = fields.String(required=True, validate=validate.OneOf(HALL_LEVELS), metadata=_HALL_LEVEL)
    address = fields.String(required=True, validate=validate.Length(min=1, max=255))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    opening_hours = fields.Dict(required=True, metadata=_HOURS_DOC)


class AdminHallSchema(HallSchema):
    active = fields.Boolean(required=True, metadata={"description": "是否启用（停用的大厅不对市民列出）"})
    notify_position = fields.Integer(required=True, metadata=_NOTIFY_POSITION)
    created_at = fields.DateTime(required=True)


class QueueCreateSchema(StrictSchema):
    prefix = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{1,2}$", error="前缀应为 1–2 个大写字母"),
                           metadata={"description": "排队号前缀（1–2 个大写字母）", "example": "A"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata=_QUEUE_NAME)
    general = fields.Boolean(load_default=False, metadata={"description": "综合窗口的队列"})
    places_per_window = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=100),
                                       metadata=_PLACES)


class QueueUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=64), metadata=_QUEUE_NAME)
    general = fields.Boolean(metadata={"description": "综合窗口的队列"})
    places_per_window = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100), metadata=_PLACES)


class AdminQueueSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "队列编号"})
    hall_id = fields.Integer(required=True)
    prefix = fields.String(required=True, metadata={"description": "排队号前缀", "example": "A"})
    name = fields.String(required=True, metadata=_QUEUE_NAME)
    general = fields.Boolean(required=True, metadata={"description": "综合窗口的队列"})
    places_per_window = fields.Integer(allow_none=True, required=True, metadata=_PLACES)
    items = fields.Integer(dump_default=0, required=True, metadata={"description": "该队列办理的事项数"})


class WindowCreateSchema(StrictSchema):
    number = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z\-]{1,8}$",
                                                                   error="窗口编号为 1–8 位字母或数字"),
                           metadata=_WINDOW_NUMBER)
    name = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata=_WINDOW_NAME)
    kind = fields.String(load_default="general", validate=validate.OneOf(WINDOW_KINDS), metadata=_WINDOW_KIND)
    queue_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)), required=True,
                            validate=validate.Length(min=1, max=20), metadata=_QUEUE_IDS)
    active = fields.Boolean(load_default=True)


class WindowUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=64), metadata=_WINDOW_NAME)
    kind = fields.String(validate=validate.OneOf(WINDOW_KINDS), metadata=_WINDOW_KIND)
    queue_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                            validate=validate.Length(min=1, max=20), metadata=_QUEUE_IDS)
    active = fields.Boolean()


class AdminWindowSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "窗口编号"})
    hall_id = fields.Integer(required=True)
    number = fields.String(required=True, metadata=_WINDOW_NUMBER)
    name = fields.String(required=True, metadata=_WINDOW_NAME)
    kind = fields.String(required=True, validate=validate.OneOf(WINDOW_KINDS), metadata=_WINDOW_KIND)
    active = fields.Boolean(required=True)
    queue_ids = fields.List(fields.Integer(), required=True, metadata=_QUEUE_IDS)


class HallItemSetSchema(StrictSchema):
    queue_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class HallItemLinkSchema(ma.Schema):
    item_code = fields.String(required=True)
    queue_id = fields.Integer(required=True)


class HallSetupSchema(ma.Schema):
    hall = fields.Nested(AdminHallSchema, required=True, metadata={"description": "服务大厅"})
    queues = fields.List(fields.Nested(AdminQueueSchema), required=True)
    windows = fields.List(fields.Nested(AdminWindowSchema), required=True)
    items = fields.List(fields.Nested(HallItemLinkSchema), required=True,
                        metadata={"description": "本大厅可办理的事项及其取号队列"})


class ClosureCreateSchema(StrictSchema):
    date = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=255),
                           metadata={"description": "闭厅或加开的原因", "example": "台风停工"})
    open = fields.Boolean(load_default=False, metadata={"description": "false: 闭厅（默认）；true: 加开一天"})


class ClosureQueryArgsSchema(StrictSchema):
    since = fields.Date(metadata={"description": "从哪天起（默认今天）"})
