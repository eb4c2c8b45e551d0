"""Cross-package hooks: tickets as served events (for 好差评), citizen merge, erasure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import SYSTEM
from mobile_api.db import utcnow
from mobile_api.hooks import ServedEvent

from ..models import ACTIVE_APPOINTMENT, Appointment, CitizenLimit, Ticket, Window
from . import places
from .common import get_row, catalogue_item


def served_event(session: Session, ticket_id: int) -> ServedEvent | None:
    ticket = get_row(session, Ticket, ticket_id)
    if ticket is None:
        return None
    department = None
    if ticket.item_code:
        item = catalogue_item(session, ticket.item_code)
        department = getattr(item, "department_code", None)
    window = session.get(Window, ticket.window_id) if ticket.window_id else None
    return ServedEvent(kind="ticket", id=ticket.id, citizen_id=ticket.citizen_id,
                       finished=ticket.status == "completed", finished_at=ticket.completed_at,
                       department_code=department, hall_id=ticket.hall_id,
                       window_id=window.id if window else None, item_code=ticket.item_code,
                       staff_id=ticket.staff_id)


def _lock_limits(session: Session, citizen_ids: list[int]) -> None:
    """Step 3 of the lock order (services/places.py): the limit rows, so no
    booking counts itself in while the count is rebuilt."""
    session.execute(select(CitizenLimit.citizen_id).where(CitizenLimit.citizen_id.in_(citizen_ids))
                    .order_by(CitizenLimit.citizen_id).with_for_update())


def _recount(session: Session, citizen_id: int) -> None:
    """Set the limit row from the appointments themselves (booked ones)."""
    active = session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.citizen_id == citizen_id, Appointment.status == "booked")) or 0
    row = session.get(CitizenLimit, citizen_id, populate_existing=True)
    if row is None:
        session.add(CitizenLimit(citizen_id=citizen_id, active_count=active))
    else:
        row.active_count = active
    session.flush()


def _cancel_for_hook(session: Session, appointments: list[Appointment], now: datetime, why: str) -> None:
    """Locked appointments: booked ones are cancelled with their places
    released (places.cancel_booked); checked-in ones hold no place any more
    and are only marked cancelled."""
    places.cancel_booked(session, SYSTEM, appointments, now, reason=why)
    for appointment in appointments:
        if appointment.status == "checked_in":
            appointment.status = "cancelled"
            appointment.cancelled_at = now
            audit.record(session, SYSTEM, "booking.appointment_cancel", "appointment", appointment.id,
                         {"reason": why}, at=now)


def merge_citizen(session: Session, from_id: int, into_id: int) -> None:
    """Move appointments and tickets; where both records hold an active
    appointment for the same item and day, the moved one is cancelled (its
    place released), so the one-per-item-per-day rule still holds."""
    now = utcnow()  # the hook gets no clock; audit time only
    # lock order: both citizens' appointments (ascending id), then their limit rows
    locked = places.lock_appointments(session, Appointment.citizen_id.in_([from_id, into_id]))
    _lock_limits(session, sorted({from_id, into_id}))
    kept = {(a.item_code, a.local_date) for a in locked
            if a.citizen_id == into_id and a.status in ACTIVE_APPOINTMENT}
    moving = [a for a in locked if a.citizen_id == from_id]
    duplicates = [a for a in moving if a.status in ACTIVE_APPOINTMENT and (a.item_code, a.local_date) in kept]
    _cancel_for_hook(session, duplicates, now, "merged duplicate")
    for appointment in moving:
        appointment.citizen_id = into_id
    session.flush()
    session.execute(update(Ticket).where(Ticket.citizen_id == from_id).values(citizen_id=into_id))
    source = session.get(CitizenLimit, from_id, populate_existing=True)
    carried = (source.blocked_until, source.blocked_reason) if source is not None and source.blocked_until else None
    session.execute(delete(CitizenLimit).where(CitizenLimit.citizen_id == from_id))
    _recount(session, into_id)
    target = session.get(CitizenLimit, into_id)
    if carried is not None and (target.blocked_until is None or target.blocked_until < carried[0]):
        # a block cannot be shed by merging into a clean record
        target.blocked_until, target.blocked_reason = carried
    audit.record(session, SYSTEM, "booking.citizen_merge", "citizen", into_id,
                 {"from": from_id, "appointments": len(moving)}, at=now)
    session.flush()


def erase_citizen(session: Session, citizen_id: int, now: datetime) -> None:
    """Future appointments are cancelled (places released); history stays for
    the hall's statistics but no longer points at the person."""
    active = places.lock_appointments(session, Appointment.citizen_id == citizen_id,
                                      Appointment.status.in_(ACTIVE_APPOINTMENT))
    _cancel_for_hook(session, active, now, "citizen erased")
    session.flush()
    session.execute(update(Appointment).where(Appointment.citizen_id == citizen_id).values(citizen_id=None))
    session.execute(update(Ticket).where(Ticket.citizen_id == citizen_id).values(citizen_id=None))
    session.execute(delete(CitizenLimit).where(CitizenLimit.citizen_id == citizen_id))
    audit.record(session, SYSTEM, "booking.citizen_erase", "citizen", citizen_id, at=now)
    session.flush()
