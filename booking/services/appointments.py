"""Appointments: book, cancel, reschedule, no-shows.

Every rule is a statement the database decides, so it holds with many
processes: the citizen's limit row (`active_count < N`, not blocked) and the
slot (`booked < capacity`) move by conditional UPDATE, the one-per-item-per-day
rule is a partial unique index. The hot slot row is updated last, just before
commit, so its row lock is held as briefly as possible.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit, outbox, uow
from mobile_api.actor import SYSTEM, Actor
from mobile_api.clock import LOCAL_TZ
from mobile_api.errors import Unprocessable

from .. import qr
from ..calendar import slot_starts
from ..errors import (AppointmentNotFound, BookingBlocked, CancelCutoffPassed, DuplicateAppointment, NoSuchSlot,
                      NotCancellable, SlotFull, TooManyAppointments, TooShortNotice)
from ..models import Appointment, CitizenLimit, Slot
from ..policy import Policy
from . import places
from .common import get_row, get_hall, hall_with_item, insert_ignore, queue_capacity, upsert
from .halls import check_bookable_day, check_bookable_item
from .places import REMINDERS, cancel_reminders


def qr_payload(appointment: Appointment, policy: Policy) -> str | None:
    if appointment.status != "booked":
        return None
    return qr.sign(policy.qr_key, appointment.id, appointment.qr_nonce)


def _parse_time(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError) as exc:
        raise Unprocessable("时间格式应为 HH:MM", errors={"time": ["时间格式应为 HH:MM"]}) from exc


def _find_slot_times(session, hall, info, policy, day: date, at: str) -> tuple[datetime, datetime]:
    wanted = datetime.combine(day, _parse_time(at), LOCAL_TZ)
    for starts_at, ends_at in slot_starts(info, hall.lunch_start, hall.lunch_end, policy.slot_minutes):
        if starts_at == wanted:
            return starts_at, ends_at
    raise NoSuchSlot(f"{day.isoformat()} {at} 不是可预约的时段", errors={"time": ["没有这个时段"]})


def _existing_slot(session: Session, queue_id: int, starts_at: datetime) -> tuple[int, int, int] | None:
    row = session.execute(select(Slot.id, Slot.booked, Slot.capacity)
                          .where(Slot.queue_id == queue_id, Slot.starts_at == starts_at)).first()
    return None if row is None else tuple(row)


# PostgreSQL: the slot's (id, booked, capacity), or NULLs when its row does
# not exist yet, and whether the citizen has a booked appointment whose
# check-in window has closed (a no-show the job has not marked yet). One row
# always, in one round trip: most bookings need no no-show sweep at all.
# The appointment's id is drawn here too (a sequence is outside transactions;
# a refused booking leaves a gap, as any rolled-back insert would).
_SLOT_AND_OVERDUE = (
    "SELECT s.id, s.booked, s.capacity, EXISTS (SELECT 1 FROM booking_appointments a"
    " WHERE a.citizen_id = %(citizen_id)s AND a.status = 'booked' AND a.starts_at < %(late_before)s) AS overdue,"
    " nextval(pg_get_serial_sequence('booking_appointments', 'id')) AS appointment_id"
    " FROM (SELECT 1) AS one LEFT JOIN booking_slots s"
    " ON s.queue_id = %(queue_id)s AND s.starts_at = %(starts_at)s")


def _slot_before_booking(session: Session, citizen_id: int, queue_id: int, starts_at: datetime,
                         late_before: datetime) -> tuple[tuple[int, int, int] | None, bool, int | None]:
    """The slot's (id, booked, capacity) at the start of a booking, whether
    the citizen may have no-shows to mark first, and the new appointment's id.
    Three in four requests of a rush stop here with a full slot, so the read
    needs no transaction around it."""
    params = {"citizen_id": citizen_id, "late_before": late_before, "queue_id": queue_id, "starts_at": starts_at}
    work = uow.of(session)
    if work.pipelined:
        row = work.read_outside_transaction(_SLOT_AND_OVERDUE, params)
    else:
        row = session.connection().exec_driver_sql(_SLOT_AND_OVERDUE, params).first()
    slot = None if row[0] is None else (row[0], row[1], row[2])
    return slot, bool(row[3]), row[4]


def _ensure_slot(session: Session, hall_id: int, queue_id: int, day: date, starts_at: datetime,
                 ends_at: datetime, places_per_window: int, known: tuple | None = None) -> int:
    """The slot's id, creating its row on first use with the capacity of the
    windows serving the queue then."""
    existing = known or _existing_slot(session, queue_id, starts_at)
    if existing is not None:
        return existing[0]
    capacity = queue_capacity(session, queue_id, places_per_window)
    if capacity == 0:
        raise SlotFull("该时段暂无可预约的号源")
    insert_ignore(session, Slot, {"hall_id": hall_id, "queue_id": queue_id, "local_date": day,
                                  "starts_at": starts_at, "ends_at": ends_at, "capacity": capacity, "booked": 0},
                  ["queue_id", "starts_at"])
    return session.scalar(select(Slot.id).where(Slot.queue_id == queue_id, Slot.starts_at == starts_at))


# PostgreSQL: the booking's writes go as the unit of work's final batch, in
# one round trip (uow.finish_with): functions from migration booking_0002
# count the citizen's appointment (SQLSTATE BK002 over the limit, BK003
# while blocked) and take the slot's place (BK001 when full), around the
# plain inserts of the appointment, its audit entry and its messages. The
# place is taken last, so the hot slot row is locked only until the commit
# in the same query; any failure and nothing of the booking stays.
_CLAIM = "SELECT booking_claim_active(%(citizen_id)s, %(now)s, %(max_active)s)"
_TAKE_PLACE = "SELECT booking_take_place(%(slot_id)s)"
SLOT_FULL, TOO_MANY, BLOCKED = "BK001", "BK002", "BK003"
UNIQUE_VIOLATION = "23505"
ONE_PER_ITEM_AND_DAY = "uq_booking_appointments_active_item_day"


def _slot_full(_exc=None) -> SlotFull:
    return SlotFull("该时段已约满，请选择其他时段")


def _claim_active(session: Session, citizen_id: int, now: datetime, policy: Policy) -> None:
    """One statement: create the citizen's row, or count one more active
    appointment only while under the limit and not blocked."""
    claimed = session.execute(
        upsert(session, CitizenLimit).values(citizen_id=citizen_id, active_count=1)
        .on_conflict_do_update(
            index_elements=["citizen_id"], set_={"active_count": CitizenLimit.active_count + 1},
            where=(CitizenLimit.active_count < policy.max_active_per_citizen)
            & (CitizenLimit.blocked_until.is_(None) | (CitizenLimit.blocked_until <= now)))
        .returning(CitizenLimit.active_count)).first()
    if claimed is None:
        raise _limit_refusal(session, citizen_id, now, policy)


def _limit_refusal(session: Session, citizen_id: int, now: datetime, policy: Policy) -> Exception:
    """Why the citizen may not book one more: blocked for no-shows, or at the limit."""
    row = session.execute(select(CitizenLimit.blocked_until, CitizenLimit.blocked_reason)
                          .where(CitizenLimit.citizen_id == citizen_id)).first()
    blocked_until, reason = row if row is not None else (None, None)
    if blocked_until is not None and blocked_until > now:
        until = blocked_until.astimezone(LOCAL_TZ).date().isoformat()
        return BookingBlocked(f"{reason or '多次爽约'}，{until} 前不能预约",
                              extra={"blocked_until": blocked_until.isoformat(), "reason": reason})
    return TooManyAppointments(f"您已有 {policy.max_active_per_citizen} 个有效预约，请先办理或取消后再预约",
                               extra={"limit": policy.max_active_per_citizen})


def _messages(appointment: Appointment, now: datetime, hall_name: str) -> list[dict]:
    """The confirmation and the reminders still ahead, as outbox rows. Their
    keys are new (fresh appointment id and nonce), so they are inserted as
    they are, without enqueue's check per message."""
    data = {"appointment_id": appointment.id, "hall": hall_name, "item_code": appointment.item_code,
            "starts_at": appointment.starts_at.isoformat(),
            "local_time": appointment.starts_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")}
    base = f"booking:{appointment.id}:{appointment.qr_nonce}"
    messages = [(f"{base}:confirmed", {"citizen_id": appointment.citizen_id, "event": "booking_confirmed",
                                       "data": data}, None)]
    for name, before in REMINDERS:
        delay = appointment.starts_at - before - now
        if delay > timedelta(0):
            messages.append((f"{base}:{name}", {"citizen_id": appointment.citizen_id, "event": "booking_reminder",
                                                "data": dict(data, reminder=name)}, delay))
    return [{"topic": outbox.CITIZEN_NOTIFY, "payload": payload, "dedupe_key": key, "status": "pending",
             "attempts": 0, "max_attempts": 6, "available_at": now + (delay or timedelta()), "created_at": now}
            for key, payload, delay in messages]


def _notify(session: Session, appointment: Appointment, now: datetime, hall_name: str) -> None:
    for row in _messages(appointment, now, hall_name):
        session.add(outbox.OutboxMessage(**row))


def book(session: Session, actor: Actor, clock, policy: Policy, *, hall_id: int, item_code: str, day: date,
         at: str) -> Appointment:
    now = clock.now()
    hall, link = hall_with_item(session, hall_id, item_code)
    link = check_bookable_item(session, hall, item_code, link, linked=True)
    info = check_bookable_day(session, hall, day, now, policy)
    starts_at, ends_at = _find_slot_times(session, hall, info, policy, day, at)
    if starts_at < now + policy.min_notice:
        raise TooShortNotice(f"须至少提前 {int(policy.min_notice.total_seconds() // 60)} 分钟预约")
    known, overdue, new_id = _slot_before_booking(session, actor.id, link.queue_id, starts_at, now - policy.check_in_late)
    if known is not None and known[1] >= known[2]:
        # A read, not the rule: a full slot answers at once, without queueing
        # for its row lock; the conditional UPDATE below is what decides.
        raise SlotFull("该时段已约满，请选择其他时段")
    if overdue and sweep_no_shows(session, clock, policy, citizen_id=actor.id):
        uow.commit_point(session, "the citizen's no-shows stand even if this booking is then refused")
    postgres = new_id is not None
    if not postgres:
        _claim_active(session, actor.id, now, policy)
    slot_id = _ensure_slot(session, hall.id, link.queue_id, day, starts_at, ends_at, policy.places_per_window,
                           known)
    values = {"citizen_id": actor.id, "hall_id": hall.id, "queue_id": link.queue_id, "slot_id": slot_id,
              "item_code": item_code, "local_date": day, "starts_at": starts_at, "ends_at": ends_at,
              "status": "booked", "qr_nonce": secrets.token_hex(8), "channel": actor.channel, "created_at": now,
              "reschedule_count": 0}
    details = {"hall_id": hall.id, "item_code": item_code, "starts_at": starts_at.isoformat()}
    if postgres:
        return _book_in_one_round_trip(session, actor, policy, Appointment(id=new_id, **values), details,
                                       hall.name, now)
    appointment = Appointment(**values)
    session.add(appointment)
    try:
        session.flush()
    except IntegrityError as exc:
        raise DuplicateAppointment(f"您在 {day.isoformat()} 已预约该事项") from exc
    audit.record(session, actor, "booking.appointment_create", "appointment", appointment.id, details, at=now)
    _notify(session, appointment, now, hall.name)
    # Last, so the hot slot row stays locked only until commit.
    if not places.take_place(session, slot_id):
        raise _slot_full()
    return appointment


def _book_in_one_round_trip(session: Session, actor: Actor, policy: Policy, appointment: Appointment,
                            details: dict, hall_name: str, now: datetime) -> Appointment:
    """PostgreSQL: every write of the booking as the unit of work's final
    batch. `appointment` is not added to the session: everything its row holds
    is known already (the id came with the slot read)."""
    work = uow.of(session)
    row = {column: getattr(appointment, column) for column in (
        "id", "citizen_id", "hall_id", "queue_id", "slot_id", "item_code", "local_date", "starts_at", "ends_at",
        "status", "qr_nonce", "channel", "created_at", "reschedule_count")}
    entry = audit.entry_values(actor, "booking.appointment_create", "appointment", appointment.id, details, now)

    def duplicate(exc):
        if getattr(getattr(exc, "diag", None), "constraint_name", None) == ONE_PER_ITEM_AND_DAY:
            return DuplicateAppointment(f"您在 {appointment.local_date.isoformat()} 已预约该事项")
        return exc

    def over_limit(_exc):
        return _limit_refusal(session, appointment.citizen_id, now, policy)

    work.finish_with([
        # lock order (services/places.py): the hall, the citizen's limit row, the slot
        places.open_day_statement(appointment.hall_id, appointment.local_date),
        (_CLAIM, {"citizen_id": appointment.citizen_id, "now": now, "max_active": policy.max_active_per_citizen}),
        work.insert_rows(Appointment.__table__, [row], "a"),
        work.insert_rows(audit.AuditEntry.__table__, [entry], "l"),
        work.insert_rows(outbox.OutboxMessage.__table__, _messages(appointment, now, hall_name), "m"),
        (_TAKE_PLACE, {"slot_id": appointment.slot_id}),
    ], errors={SLOT_FULL: _slot_full, TOO_MANY: over_limit, BLOCKED: over_limit, UNIQUE_VIOLATION: duplicate,
               places.HALL_CLOSED: places.hall_closed})
    return appointment


def get_own(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    appointment = get_row(session, Appointment, appointment_id)
    if appointment is None or actor.kind != "citizen" or appointment.citizen_id != actor.id:
        raise AppointmentNotFound("预约不存在")
    return appointment


def list_own_stmt(actor: Actor, status: str | None = None):
    stmt = select(Appointment).where(Appointment.citizen_id == actor.id)
    if status:
        stmt = stmt.where(Appointment.status == status)
    return stmt.order_by(Appointment.starts_at.desc(), Appointment.id.desc())


def _check_changeable(appointment: Appointment, now: datetime, policy: Policy) -> None:
    if appointment.status != "booked":
        raise NotCancellable("预约已签到、已取消或已爽约，不能再取消或改约")
    if now > appointment.starts_at - policy.cancel_cutoff:
        minutes = int(policy.cancel_cutoff.total_seconds() // 60)
        raise CancelCutoffPassed(f"时段开始前 {minutes} 分钟内不能取消或改约")


def cancel(session: Session, actor: Actor, clock, policy: Policy, appointment_id: int) -> Appointment:
    """Cancel on the locked row: a reschedule committed meanwhile moved the
    place, and the place released is the one the row holds now."""
    now = clock.now()
    get_own(session, actor, appointment_id)
    appointment = places.lock_appointment(session, appointment_id)
    _check_changeable(appointment, now, policy)
    places.cancel_booked(session, actor, [appointment], now)
    return appointment


def reschedule(session: Session, actor: Actor, clock, policy: Policy, appointment_id: int, *, day: date,
               at: str) -> Appointment:
    """Take the new place and release the old one in one transaction, or change nothing."""
    now = clock.now()
    appointment = get_own(session, actor, appointment_id)
    _check_changeable(appointment, now, policy)
    hall = get_hall(session, appointment.hall_id)
    link = check_bookable_item(session, hall, appointment.item_code)
    info = check_bookable_day(session, hall, day, now, policy)
    starts_at, ends_at = _find_slot_times(session, hall, info, policy, day, at)
    if starts_at < now + policy.min_notice:
        raise TooShortNotice(f"须至少提前 {int(policy.min_notice.total_seconds() // 60)} 分钟预约")
    # lock order (services/places.py): the hall, then the appointment; the
    # checks that matter are made again on the locked row
    places.hold_open_day(session, hall.id, day)
    appointment = places.lock_appointment(session, appointment.id)
    _check_changeable(appointment, now, policy)
    if starts_at == appointment.starts_at:
        raise Unprocessable("新时段与原时段相同", code="booking.same_slot")
    new_slot_id = _ensure_slot(session, hall.id, link.queue_id, day, starts_at, ends_at, policy.places_per_window)
    old = {"slot_id": appointment.slot_id, "starts_at": appointment.starts_at.isoformat()}
    cancel_reminders(session, appointment)
    try:
        session.execute(
            update(Appointment).where(Appointment.id == appointment.id)
            .values(slot_id=new_slot_id, queue_id=link.queue_id, local_date=day, starts_at=starts_at,
                    ends_at=ends_at, qr_nonce=secrets.token_hex(8),
                    reschedule_count=Appointment.reschedule_count + 1))
    except IntegrityError as exc:  # the one-per-item-per-day index
        raise DuplicateAppointment(f"您在 {day.isoformat()} 已预约该事项") from exc
    if not places.move_place(session, old["slot_id"], new_slot_id):
        raise SlotFull("新时段已约满，原预约保持不变")
    session.refresh(appointment)
    audit.record(session, actor, "booking.appointment_reschedule", "appointment", appointment.id,
                 {"from": old["starts_at"], "to": starts_at.isoformat()}, at=now)
    _notify(session, appointment, now, hall.name)
    return appointment


def sweep_no_shows(session: Session, clock, policy: Policy, citizen_id: int | None = None) -> int:
    """Booked appointments whose check-in window has closed become no-shows;
    reaching the limit within the window blocks booking. Idempotent (one
    conditional UPDATE that skips rows being changed), so the job and a
    booking may run it at once."""
    now = clock.now()
    marked = places.sweep_no_shows(session, now, now - policy.check_in_late, citizen_id)
    for appointment_id, _ in marked:
        audit.record(session, SYSTEM, "booking.appointment_no_show", "appointment", appointment_id, at=now)
    for owner in sorted({owner for _, owner in marked if owner is not None}):
        _apply_block(session, owner, now, policy)
    return len(marked)


def _apply_block(session: Session, citizen_id: int, now: datetime, policy: Policy) -> None:
    count = session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.citizen_id == citizen_id, Appointment.status == "no_show",
        Appointment.no_show_at >= now - policy.no_show_window)) or 0
    if count >= policy.no_show_limit:
        days = policy.no_show_window.days
        reason = f"{days} 天内爽约 {count} 次"
        session.execute(update(CitizenLimit).where(CitizenLimit.citizen_id == citizen_id)
                        .values(blocked_until=now + policy.no_show_block, blocked_reason=reason))
        audit.record(session, SYSTEM, "booking.citizen_blocked", "citizen", citizen_id,
                     {"until": (now + policy.no_show_block).isoformat(), "no_shows": count}, at=now)
