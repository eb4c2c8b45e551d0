"""HTTP schemas for 预约取号, written by hand; response fields always present are required."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from mobile_api.db import MAX_INTEGER_ID
from mobile_api.pagination import PageArgsSchema

from .models import APPOINTMENT_STATUSES, HALL_LEVELS, PRIORITY_REASONS, TICKET_STATUSES

ITEM_CODE = validate.Regexp(r"^\d{12}$", error="事项编码应为 12 位数字")
ID_RANGE = validate.Range(min=1, max=MAX_INTEGER_ID)
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="时间格式应为 HH:MM")


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# -- halls -----------------------------------------------------------------

class HallQueryArgsSchema(StrictSchema):
    item = fields.String(validate=ITEM_CODE, metadata={"description": "只列出办理此事项的大厅"})
    level = fields.String(validate=validate.OneOf(["city", "town", "village"]))
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lng = fields.Float(validate=validate.Range(min=-180, max=180))

    @ma.validates_schema
    def both_coordinates(self, data, **kwargs):
        if ("lat" in data) != ("lng" in data):
            raise ma.ValidationError("lat 与 lng 须同时提供", "lat")


class HallSchema(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(HALL_LEVELS),
                          metadata={"description": "city 市民服务中心 | town 镇街 | village 村(社区)"})
    town = fields.String(allow_none=True, required=True)
    address = fields.String(required=True)
    lat = fields.Float(required=True)
    lng = fields.Float(required=True)
    phone = fields.String(allow_none=True, required=True)
    opening_hours = fields.Dict(required=True, metadata={"description": "按星期（0=周一）的办公时间"})
    lunch_start = fields.String(allow_none=True, required=True)
    lunch_end = fields.String(allow_none=True, required=True)


class HallListEntrySchema(HallSchema):
    distance_m = fields.Float(allow_none=True, required=True, metadata={"description": "距给定坐标的米数"})


class BookingQueueSchema(ma.Schema):
    id = fields.Integer(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    general = fields.Boolean(required=True)


class BookingWindowSchema(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["general", "special"]),
                         metadata={"description": "general 综合窗口 | special 专窗"})
    active = fields.Boolean(required=True)
    queues = fields.List(fields.String(), required=True)


class HallItemSchema(ma.Schema):
    item_code = fields.String(required=True)
    queue = fields.String(required=True)


class HallDetailSchema(HallSchema):
    queues = fields.List(fields.Nested(BookingQueueSchema), required=True)
    windows = fields.List(fields.Nested(BookingWindowSchema), required=True)
    items = fields.List(fields.Nested(HallItemSchema), required=True)


class SlotQueryArgsSchema(StrictSchema):
    item = fields.String(required=True, validate=ITEM_CODE)
    date = fields.Date(required=True)


class BookingSlotSchema(ma.Schema):
    time = fields.String(required=True, metadata={"description": "本地时间 HH:MM"})
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    capacity = fields.Integer(required=True)
    remaining = fields.Integer(required=True)
    bookable = fields.Boolean(required=True)


class DaySlotsSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    item = fields.String(required=True)
    queue = fields.String(required=True)
    date = fields.Date(required=True)
    open = fields.Boolean(required=True)
    calendar_confirmed = fields.Boolean(required=True)
    calendar_note = fields.String(allow_none=True, required=True)
    holiday_name = fields.String(allow_none=True, required=True)
    slots = fields.List(fields.Nested(BookingSlotSchema), required=True)


class CalendarOverrideCreateSchema(StrictSchema):
    date = fields.Date(required=True)
    open = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=255))


class CalendarOverrideSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    date = fields.Date(required=True, attribute="day")
    open = fields.Boolean(required=True)
    reason = fields.String(required=True)
    appointments_cancelled = fields.Integer(
        required=True, dump_default=0,
        metadata={"description": "闭厅时取消（并已通知市民）的当日预约数"})


# -- appointments ------------------------------------------------------------

class AppointmentCreateSchema(StrictSchema):
    hall_id = fields.Integer(required=True, validate=ID_RANGE)
    item = fields.String(required=True, validate=ITEM_CODE)
    date = fields.Date(required=True)
    time = fields.String(required=True, validate=HHMM, metadata={"description": "时段开始的本地时间 HH:MM"})


class AppointmentRescheduleSchema(StrictSchema):
    date = fields.Date(required=True)
    time = fields.String(required=True, validate=HHMM)


class AppointmentQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(["booked", "checked_in", "cancelled", "no_show"]))


class AppointmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    hall_id = fields.Integer(required=True)
    item = fields.String(required=True, attribute="item_code")
    date = fields.Date(required=True, attribute="local_date")
    time = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(APPOINTMENT_STATUSES))
    qr_payload = fields.String(allow_none=True, required=True,
                               metadata={"description": "签到二维码内容；仅在 booked 状态下给出"})
    created_at = fields.DateTime(required=True)
    cancelled_at = fields.DateTime(allow_none=True, required=True)
    checked_in_at = fields.DateTime(allow_none=True, required=True)


# -- check-in, tickets ---------------------------------------------------------

PRIORITY = validate.OneOf(["elderly", "disabled", "pregnant"])


class CheckInCreateSchema(StrictSchema):
    qr_payload = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "自助终端扫码所得"})
    appointment_id = fields.Integer(validate=ID_RANGE, metadata={"description": "手机签到时的预约编号"})
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lng = fields.Float(validate=validate.Range(min=-180, max=180))
    priority_reason = fields.String(validate=PRIORITY)
    priority_note = fields.String(validate=validate.Length(max=255))


class TicketCreateSchema(StrictSchema):
    item = fields.String(required=True, validate=ITEM_CODE)
    citizen_id = fields.Integer(validate=ID_RANGE,
                                metadata={"description": "已核验身份的市民（用于按出生日期自动进入绿色通道）"})
    priority_reason = fields.String(validate=PRIORITY, metadata={"description": "现场确认的绿色通道原因"})
    priority_note = fields.String(validate=validate.Length(max=255))


class TicketTransferSchema(StrictSchema):
    queue_id = fields.Integer(required=True, validate=ID_RANGE)


class TicketSchema(ma.Schema):
    id = fields.Integer(required=True)
    hall_id = fields.Integer(required=True)
    number = fields.String(required=True, attribute="display")
    queue_id = fields.Integer(required=True)
    date = fields.Date(required=True, attribute="local_date")
    lane = fields.String(required=True, validate=validate.OneOf(["priority", "appointment", "walk_in"]),
                         metadata={"description": "priority | appointment | walk_in"})
    priority_reason = fields.String(allow_none=True, required=True, validate=validate.OneOf(PRIORITY_REASONS))
    source = fields.String(required=True, validate=validate.OneOf(["walk_in", "appointment"]),
                           metadata={"description": "walk_in 现场取号 | appointment 预约签到"})
    status = fields.String(required=True, validate=validate.OneOf(TICKET_STATUSES))
    item = fields.String(allow_none=True, required=True, attribute="item_code")
    appointment_id = fields.Integer(allow_none=True, required=True)
    window_id = fields.Integer(allow_none=True, required=True)
    session_id = fields.Integer(allow_none=True, required=True,
                                metadata={"description": "叫号的柜台会话（窗口 + 工作人员）"})
    call_count = fields.Integer(required=True)
    requeued = fields.Boolean(required=True)
    issued_at = fields.DateTime(required=True)
    position = fields.Integer(required=True, metadata={"description": "前面还有几位"})
    estimated_wait_minutes = fields.Integer(required=True)


class HallBoardCallSchema(ma.Schema):
    number = fields.String(required=True)
    window = fields.String(required=True)
    window_name = fields.String(required=True)
    called_at = fields.DateTime(required=True)
    call_count = fields.Integer(required=True)


class HallBoardQueueSchema(ma.Schema):
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    waiting = fields.Integer(required=True)


class HallBoardSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    hall_name = fields.String(required=True)
    date = fields.Date(required=True)
    calling = fields.List(fields.Nested(HallBoardCallSchema), required=True)
    queues = fields.List(fields.Nested(HallBoardQueueSchema), required=True)


class HallStatsQueryArgsSchema(StrictSchema):
    date = fields.Date(required=True)


class _WindowTimeSchema(ma.Schema):
    tickets = fields.Integer(required=True, metadata={"description": "在窗口叫号或办理过的号数"})
    completed = fields.Integer(required=True)
    window_minutes = fields.Float(required=True, metadata={"description": "叫号与办理占用窗口的总分钟数"})
    average_service_minutes = fields.Float(allow_none=True, required=True)


class HallWindowStatsSchema(_WindowTimeSchema):
    window_id = fields.Integer(required=True)
    window_number = fields.String(allow_none=True, required=True)
    window_name = fields.String(allow_none=True, required=True)
    staffed_minutes = fields.Float(required=True, metadata={"description": "柜台会话在岗分钟数（不含暂停）"})


class HallClerkStatsSchema(_WindowTimeSchema):
    staff_id = fields.Integer(required=True)


class HallHourStatsSchema(ma.Schema):
    hour = fields.Integer(required=True, metadata={"description": "上海时间的小时 0–23"})
    issued = fields.Integer(required=True)
    called = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    average_wait_minutes = fields.Float(allow_none=True, required=True)


class HallQueueStatsSchema(ma.Schema):
    queue_id = fields.Integer(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    samples = fields.Integer(required=True, metadata={"description": "近 7 天实测办理样本数（最多 20）"})
    measured_service_minutes = fields.Float(allow_none=True, required=True)
    estimate_service_minutes = fields.Float(required=True, metadata={"description": "估算等候实际使用的单笔时长"})
    measured = fields.Boolean(required=True, metadata={"description": "样本足够，估算用实测值"})


class HallDayStatsSchema(ma.Schema):
    hall_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    tickets = fields.Integer(required=True)
    walk_in_tickets = fields.Integer(required=True)
    appointment_tickets = fields.Integer(required=True)
    priority_tickets = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    waiting = fields.Integer(required=True)
    average_wait_minutes = fields.Float(allow_none=True, required=True)
    average_service_minutes = fields.Float(allow_none=True, required=True)
    appointments = fields.Integer(required=True)
    checked_in = fields.Integer(required=True)
    no_shows = fields.Integer(required=True)
    waiting_warnings = fields.Integer(required=True, metadata={"description": "当天等候超时预警的号数"})
    queues = fields.List(fields.Nested(HallQueueStatsSchema), required=True)
    windows = fields.List(fields.Nested(HallWindowStatsSchema), required=True)
    clerks = fields.List(fields.Nested(HallClerkStatsSchema), required=True)
    hours = fields.List(fields.Nested(HallHourStatsSchema), required=True)
