"""Schemas of the city set-up API (booking/routes_admin.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from .models import HALL_LEVELS
from .schemas import HallSchema, StrictSchema

_TIME = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="时间应为 HH:MM")
_HOURS_DOC = {"description": "按星期的办公时间 {\"0\": [\"08:30\", \"17:30\"], …, \"6\": null}（0=周一，缺省的日子不办公）",
              "example": {"0": ["08:30", "17:30"], "1": ["08:30", "17:30"], "5": None}}


class HallUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=128))
    level = fields.String(validate=validate.OneOf(HALL_LEVELS))
    town = fields.String(allow_none=True, validate=validate.Length(max=64))
    address = fields.String(validate=validate.Length(min=1, max=255))
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lng = fields.Float(validate=validate.Range(min=-180, max=180))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    opening_hours = fields.Dict(metadata=_HOURS_DOC)
    lunch_start = fields.String(allow_none=True, validate=_TIME)
    lunch_end = fields.String(allow_none=True, validate=_TIME)
    active = fields.Boolean()


class HallCreateSchema(HallUpdateSchema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=32),
                                                  validate.Regexp(r"^[A-Za-z0-9_\-]+$", error="编码只能含字母、数字、_ -")])
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    level = fields.String(required=True, validate=validate.OneOf(HALL_LEVELS))
    address = fields.String(required=True, validate=validate.Length(min=1, max=255))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    opening_hours = fields.Dict(required=True, metadata=_HOURS_DOC)


class AdminHallSchema(HallSchema):
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class QueueCreateSchema(StrictSchema):
    prefix = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{1,2}$", error="前缀应为 1–2 个大写字母"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    general = fields.Boolean(load_default=False, metadata={"description": "综合窗口的队列"})
    places_per_window = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=100),
                                       metadata={"description": "每个服务窗口每个时段的可预约数；null 用默认值"})


class QueueUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=64))
    general = fields.Boolean()
    places_per_window = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100))


class AdminQueueSchema(ma.Schema):
    id = fields.Integer(required=True)
    hall_id = fields.Integer(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    general = fields.Boolean(required=True)
    places_per_window = fields.Integer(allow_none=True, required=True)
    items = fields.Integer(dump_default=0, required=True, metadata={"description": "该队列办理的事项数"})


class WindowCreateSchema(StrictSchema):
    number = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z\-]{1,8}$",
                                                                   error="窗口编号为 1–8 位字母或数字"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(load_default="general", validate=validate.OneOf(("general", "special")))
    queue_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)), required=True,
                            validate=validate.Length(min=1, max=20))
    active = fields.Boolean(load_default=True)


class WindowUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=64))
    kind = fields.String(validate=validate.OneOf(("general", "special")))
    queue_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                            validate=validate.Length(min=1, max=20))
    active = fields.Boolean()


class AdminWindowSchema(ma.Schema):
    id = fields.Integer(required=True)
    hall_id = fields.Integer(required=True)
    number = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    active = fields.Boolean(required=True)
    queue_ids = fields.List(fields.Integer(), required=True)


class HallItemSetSchema(StrictSchema):
    queue_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class HallItemLinkSchema(ma.Schema):
    item_code = fields.String(required=True)
    queue_id = fields.Integer(required=True)


class HallSetupSchema(ma.Schema):
    hall = fields.Nested(AdminHallSchema, required=True)
    queues = fields.List(fields.Nested(AdminQueueSchema), required=True)
    windows = fields.List(fields.Nested(AdminWindowSchema), required=True)
    items = fields.List(fields.Nested(HallItemLinkSchema), required=True)


class ClosureCreateSchema(StrictSchema):
    date = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=255))
    open = fields.Boolean(load_default=False, metadata={"description": "false: 闭厅（默认）；true: 加开一天"})


class ClosureQueryArgsSchema(StrictSchema):
    since = fields.Date(metadata={"description": "从哪天起（默认今天）"})
