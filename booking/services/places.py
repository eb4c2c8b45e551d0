"""Every change of an appointment's place or status, in one module: cancel,
reschedule, no-show, check-in's release, the citizen merge and erasure hooks
and a hall's closure all go through here.

Two rules make them safe with any number of processes:

- An appointment's row is locked (SELECT … FOR UPDATE, or a conditional
  UPDATE … RETURNING) before anything is decided about it, and only the place
  the locked row still holds is released. (Cancel used to release the slot id
  it had read before a parallel reschedule committed: the old place was freed
  twice and the slot overbooked.)
- Rows are locked in one order everywhere, so no two of these transactions
  can each hold what the other waits for (a deadlock):

      1. the hall row: FOR SHARE by a booking or a reschedule
         (`booking_open_day`), FOR NO KEY UPDATE by a closure or a notice load;
      2. appointment rows, ascending id when several;
      3. citizens' limit rows (`booking_citizen_limits`), ascending citizen id;
      4. slot rows, ascending slot id;
      then rows keyed by the appointment (its reminders in the outbox, audit).

  A booking takes 1, 3, its new appointment row, then 4, in its final batch.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Iterable

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from mobile_api import audit, outbox
from mobile_api.actor import Actor
from mobile_api.clock import LOCAL_TZ

from ..errors import HallClosed
from ..models import Appointment, CitizenLimit, Hall, Slot
from .common import MAX_ID

REMINDERS = (("day_before", timedelta(days=1)), ("hour_before", timedelta(hours=1)))
HALL_CLOSED = "BK004"
OPEN_DAY = "SELECT booking_open_day(%(open_hall_id)s, %(open_day)s)"


def hall_closed(_exc=None) -> HallClosed:
    return HallClosed("大厅当天已停止办公（临时闭厅或法定节假日），请选择其他日期", errors={"date": ["当天不办公"]})


def open_day_statement(hall_id: int, day: date) -> tuple[str, dict]:
    """For a booking's final batch: lock order step 1, and the closure check
    made against what is committed now, not against a cached calendar."""
    return OPEN_DAY, {"open_hall_id": hall_id, "open_day": day}


def hold_open_day(session: Session, hall_id: int, day: date) -> None:
    """Step 1 for a reschedule: the hall FOR SHARE until commit (a closure of
    the day waits for us, or we see it), or HallClosed (the unit of work then
    rolls back)."""
    try:
        session.connection().exec_driver_sql(OPEN_DAY, {"open_hall_id": hall_id, "open_day": day})
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == HALL_CLOSED:
            raise hall_closed() from exc
        raise


def lock_hall_for_change(session: Session, hall_id: int) -> None:
    """Step 1 for a closure: bookings and reschedules into the hall wait
    until it commits, and then see it."""
    session.execute(select(Hall.id).where(Hall.id == hall_id).with_for_update(key_share=True))  # FOR NO KEY UPDATE


def lock_appointment(session: Session, appointment_id) -> Appointment | None:
    """Step 2: the appointment as it is now, locked until commit."""
    if not isinstance(appointment_id, int) or not 0 < appointment_id <= MAX_ID:
        return None
    return session.scalar(select(Appointment).where(Appointment.id == appointment_id).with_for_update()
                          .execution_options(populate_existing=True))


def lock_appointments(session: Session, *conditions) -> list[Appointment]:
    """Step 2 for several: ascending id."""
    return list(session.scalars(select(Appointment).where(*conditions).order_by(Appointment.id).with_for_update()
                                .execution_options(populate_existing=True)))


def release_active(session: Session, citizen_ids: Iterable[int | None]) -> None:
    """Step 3: one active appointment fewer per mention of a citizen."""
    counts = Counter(c for c in citizen_ids if c is not None)
    for citizen_id in sorted(counts):
        session.execute(update(CitizenLimit).where(CitizenLimit.citizen_id == citizen_id)
                        .values(active_count=func.greatest(CitizenLimit.active_count - counts[citizen_id], 0)))


def take_place(session: Session, slot_id: int) -> bool:
    taken = session.execute(update(Slot).where(Slot.id == slot_id, Slot.booked < Slot.capacity)
                            .values(booked=Slot.booked + 1))
    return taken.rowcount == 1


def release_places(session: Session, slot_ids: Iterable[int]) -> None:
    """Step 4: one place per mention of a slot, ascending slot id."""
    counts = Counter(slot_ids)
    for slot_id in sorted(counts):
        session.execute(update(Slot).where(Slot.id == slot_id)
                        .values(booked=func.greatest(Slot.booked - counts[slot_id], 0)))


def move_place(session: Session, old_slot_id: int, new_slot_id: int) -> bool:
    """Step 4 for a reschedule: release the old place and take the new one,
    the lower slot id first. False (and the caller rolls back) when the new
    slot is full."""
    if old_slot_id < new_slot_id:
        release_places(session, [old_slot_id])
        return take_place(session, new_slot_id)
    if not take_place(session, new_slot_id):
        return False
    release_places(session, [old_slot_id])
    return True


def cancel_booked(session: Session, actor: Actor, appointments: list[Appointment], now: datetime,
                  reason: str | None = None, notice: str | None = None) -> list[Appointment]:
    """Cancel locked appointments that are still booked (others are left as
    they are), releasing exactly the places their rows hold; with `notice`,
    tell each citizen through the outbox. Returns the ones cancelled."""
    done = [a for a in appointments if a.status == "booked"]
    if not done:
        return []
    session.execute(update(Appointment).where(Appointment.id.in_([a.id for a in done]),
                                              Appointment.status == "booked")
                    .values(status="cancelled", cancelled_at=now))
    release_active(session, [a.citizen_id for a in done])
    release_places(session, [a.slot_id for a in done])
    for appointment in done:
        cancel_reminders(session, appointment)
        audit.record(session, actor, "booking.appointment_cancel", "appointment", appointment.id,
                     {"reason": reason} if reason else None, at=now)
        if notice and appointment.citizen_id is not None:
            _notify_cancelled(session, appointment, now, notice, reason)
        # what the UPDATE wrote, without a second write at flush
        set_committed_value(appointment, "status", "cancelled")
        set_committed_value(appointment, "cancelled_at", now)
    return done


def cancel_reminders(session: Session, appointment: Appointment) -> None:
    """Reminders for a time that no longer holds are not sent."""
    base = f"booking:{appointment.id}:{appointment.qr_nonce}"
    session.execute(update(outbox.OutboxMessage)
                    .where(outbox.OutboxMessage.topic == outbox.CITIZEN_NOTIFY,
                           outbox.OutboxMessage.dedupe_key.in_([f"{base}:{name}" for name, _ in REMINDERS]),
                           outbox.OutboxMessage.status == "pending")
                    .values(status="skipped", last_error="appointment cancelled or rescheduled"))


def _notify_cancelled(session: Session, appointment: Appointment, now: datetime, notice: str,
                      reason: str | None) -> None:
    local = appointment.starts_at.astimezone(LOCAL_TZ)
    outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
        "citizen_id": appointment.citizen_id, "event": "booking_cancelled",
        "data": {"appointment_id": appointment.id, "hall_id": appointment.hall_id,
                 "item_code": appointment.item_code, "starts_at": appointment.starts_at.isoformat(),
                 "local_time": local.strftime("%Y-%m-%d %H:%M"), "tip": notice, "reason": reason}},
        now, dedupe_key=f"booking:{appointment.id}:{appointment.qr_nonce}:cancelled")


def close_day(session: Session, actor: Actor, hall_id: int, day: date, now: datetime, reason: str) -> int:
    """The hall is closed on `day` (the caller holds the hall's row, step 1):
    its booked appointments are cancelled with a notice, their places and the
    citizens' counts released. They can then never become no-shows."""
    booked = lock_appointments(session, Appointment.hall_id == hall_id, Appointment.local_date == day,
                               Appointment.status == "booked")
    notice = f"{day.month}月{day.day}日大厅停止办公，预约已取消"
    return len(cancel_booked(session, actor, booked, now, reason=f"hall closed: {reason}", notice=notice))


def sweep_no_shows(session: Session, now: datetime, late_before: datetime,
                   citizen_id: int | None = None, limit: int = 1000) -> list[tuple[int, int | None]]:
    """Booked appointments that started before `late_before` become no-shows,
    in one statement; rows another transaction holds (being cancelled, checked
    in) are skipped, not waited for, and the next sweep sees how they ended.
    Returns (appointment id, citizen id) of those marked; citizens' counts are
    released in ascending order."""
    only = "AND citizen_id = :citizen_id" if citizen_id is not None else ""
    rows = session.execute(text(
        "UPDATE booking_appointments SET status = 'no_show', no_show_at = :now"
        " WHERE status = 'booked' AND id IN (SELECT id FROM booking_appointments"
        f" WHERE status = 'booked' AND starts_at < :late_before {only}"
        " ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING id, citizen_id"),
        {"now": now, "late_before": late_before, "citizen_id": citizen_id, "limit": limit}).all()
    marked = sorted((row[0], row[1]) for row in rows)
    release_active(session, [owner for _, owner in marked])
    return marked
