"""Removing a hall that a PostgreSQL race test built on real connections
(no test transaction rolls it back), children first."""

from __future__ import annotations

from sqlalchemy import delete, select

from booking.models import (Appointment, CalendarOverride, CitizenLimit, CounterSession, Hall, HallItem, HallQueue,
                            Slot, Ticket, TicketCounter, TicketPeriod, Window, WindowQueue)
from mobile_api.outbox import OutboxMessage


def remove_hall(session, hall_id: int) -> None:
    queue_ids = select(HallQueue.id).where(HallQueue.hall_id == hall_id)
    citizen_ids = select(Appointment.citizen_id).where(Appointment.hall_id == hall_id)
    window_ids = select(Window.id).where(Window.hall_id == hall_id)
    session.execute(delete(OutboxMessage).where(OutboxMessage.dedupe_key.like("booking:%")))
    session.execute(delete(TicketPeriod).where(TicketPeriod.hall_id == hall_id))
    session.execute(delete(Ticket).where(Ticket.hall_id == hall_id))
    session.execute(delete(CounterSession).where(CounterSession.hall_id == hall_id))
    session.execute(delete(TicketCounter).where(TicketCounter.queue_id.in_(queue_ids)))
    session.execute(delete(CitizenLimit).where(CitizenLimit.citizen_id.in_(citizen_ids)))
    session.execute(delete(Appointment).where(Appointment.hall_id == hall_id))
    session.execute(delete(Slot).where(Slot.hall_id == hall_id))
    session.execute(delete(CalendarOverride).where(CalendarOverride.hall_id == hall_id))
    session.execute(delete(HallItem).where(HallItem.hall_id == hall_id))
    session.execute(delete(WindowQueue).where(WindowQueue.window_id.in_(window_ids)))
    session.execute(delete(Window).where(Window.hall_id == hall_id))
    session.execute(delete(HallQueue).where(HallQueue.hall_id == hall_id))
    session.execute(delete(Hall).where(Hall.id == hall_id))
