"""预约取号 HTTP API (part 1): halls, slots, calendar overrides, appointments."""

from __future__ import annotations

from flask_smorest import Blueprint

from identity.auth import current_actor, require_roles
from mobile_api.clock import LOCAL_TZ
from mobile_api.idempotency import idempotent
from mobile_api.uow import current_uow
from mobile_api.pagination import PAGINATION_HEADER_DOC, paginate, pagination_header

from .policy import policy_from_config
from .schemas import (AppointmentCreateSchema, AppointmentQueryArgsSchema, AppointmentSchema, DaySlotsSchema,
                      HallDetailSchema, HallListEntrySchema, HallQueryArgsSchema, CalendarOverrideCreateSchema,
                      CalendarOverrideSchema, AppointmentRescheduleSchema, SlotQueryArgsSchema)
from .services import appointments, halls

blp = Blueprint("booking", __name__, url_prefix="/api/v1/booking", description="预约取号：大厅、号源与预约")


def _ctx():
    work = current_uow()
    return work.session, work.clock, policy_from_config(work.config)


def appointment_view(appointment, policy) -> dict:
    return {
        "id": appointment.id, "hall_id": appointment.hall_id, "item_code": appointment.item_code,
        "local_date": appointment.local_date,
        "time": appointment.starts_at.astimezone(LOCAL_TZ).strftime("%H:%M"),
        "starts_at": appointment.starts_at, "ends_at": appointment.ends_at, "status": appointment.status,
        "qr_payload": appointments.qr_payload(appointment, policy), "created_at": appointment.created_at,
        "cancelled_at": appointment.cancelled_at, "checked_in_at": appointment.checked_in_at,
    }


def _hall_dict(hall) -> dict:
    return {name: getattr(hall, name) for name in ("id", "code", "name", "level", "town", "address", "lat", "lng",
                                                   "phone", "opening_hours", "lunch_start", "lunch_end")}


@blp.route("/halls")
@blp.arguments(HallQueryArgsSchema, location="query")
@blp.response(200, HallListEntrySchema(many=True))
def list_halls(args):
    """List service halls, optionally those handling an item, nearest first."""
    session, _, _ = _ctx()
    entries = halls.list_halls(session, item_code=args.get("item"), level=args.get("level"), lat=args.get("lat"),
                               lng=args.get("lng"))
    return [dict(_hall_dict(entry.hall), distance_m=entry.distance_m) for entry in entries]


@blp.route("/halls/<int:hall_id>")
@blp.response(200, HallDetailSchema)
def get_hall(hall_id):
    """One hall with its queues, windows and items."""
    session, _, _ = _ctx()
    detail = halls.hall_detail(session, hall_id)
    return dict(_hall_dict(detail["hall"]), queues=detail["queues"], windows=detail["windows"],
                items=detail["items"])


@blp.route("/halls/<int:hall_id>/slots")
@blp.arguments(SlotQueryArgsSchema, location="query")
@blp.response(200, DaySlotsSchema)
def list_slots(args, hall_id):
    """A day's slots for an item at a hall, with the places remaining."""
    session, clock, policy = _ctx()
    result = halls.slots_for_day(session, clock, policy, hall_id, args["item"], args["date"])
    note = None if result.day.confirmed else "该日期超出国家法定节假日安排的已知年份，按周一至周五推算，可能有变"
    return {"hall_id": result.hall.id, "item": result.item_code, "queue": result.queue.prefix,
            "date": result.day.day, "open": result.day.open, "calendar_confirmed": result.day.confirmed,
            "calendar_note": note, "holiday_name": result.day.holiday_name,
            "slots": [{"time": s.local_time, "starts_at": s.starts_at, "ends_at": s.ends_at,
                       "capacity": s.capacity, "remaining": s.remaining, "bookable": s.bookable}
                      for s in result.slots]}


@blp.route("/halls/<int:hall_id>/calendar-overrides", methods=["POST"])
@require_roles("admin")
@blp.arguments(CalendarOverrideCreateSchema)
@blp.response(201, CalendarOverrideSchema)
def set_override(body, hall_id):
    """Close a hall on a day, or open it on an extra day (admin)."""
    session, clock, _ = _ctx()
    return halls.set_override(session, current_actor(), clock, hall_id, body["date"], body["open"], body["reason"])


@blp.route("/appointments", methods=["POST"])
@require_roles("citizen")
@idempotent
@blp.arguments(AppointmentCreateSchema)
@blp.response(201, AppointmentSchema)
@blp.alt_response(409, description="号源已满（booking.slot_full）或重复预约")
def create_appointment(body):
    """Book a slot."""
    session, clock, policy = _ctx()
    appointment = appointments.book(session, current_actor(), clock, policy, hall_id=body["hall_id"],
                                    item_code=body["item"], day=body["date"], at=body["time"])
    return appointment_view(appointment, policy)


@blp.route("/appointments")
@require_roles("citizen")
@blp.arguments(AppointmentQueryArgsSchema, location="query")
@blp.response(200, AppointmentSchema(many=True), headers=PAGINATION_HEADER_DOC)
def list_appointments(args):
    """My appointments, latest first."""
    session, _, policy = _ctx()
    stmt = appointments.list_own_stmt(current_actor(), args.get("status"))
    rows, total = paginate(session, stmt, args["page"], args["page_size"])
    return [appointment_view(row, policy) for row in rows], 200, pagination_header(total, args["page"],
                                                                                    args["page_size"])


@blp.route("/appointments/<int:appointment_id>")
@require_roles("citizen")
@blp.response(200, AppointmentSchema)
def get_appointment(appointment_id):
    """One of my appointments, with its check-in QR payload."""
    session, _, policy = _ctx()
    return appointment_view(appointments.get_own(session, current_actor(), appointment_id), policy)


@blp.route("/appointments/<int:appointment_id>/cancel", methods=["POST"])
@require_roles("citizen")
@idempotent
@blp.response(200, AppointmentSchema)
def cancel_appointment(appointment_id):
    """Cancel my appointment (up to the cut-off) and release its place."""
    session, clock, policy = _ctx()
    return appointment_view(appointments.cancel(session, current_actor(), clock, policy, appointment_id), policy)


@blp.route("/appointments/<int:appointment_id>/reschedule", methods=["POST"])
@require_roles("citizen")
@idempotent
@blp.arguments(AppointmentRescheduleSchema)
@blp.response(200, AppointmentSchema)
def reschedule_appointment(body, appointment_id):
    """Move my appointment to another slot: all or nothing."""
    session, clock, policy = _ctx()
    appointment = appointments.reschedule(session, current_actor(), clock, policy, appointment_id,
                                          day=body["date"], at=body["time"])
    return appointment_view(appointment, policy)
