"""Booking's periodic rule (cadence: mobile_api/jobs/schedule.py) and the
checks that keep its notices true.

Reminders the day before and an hour before are not a rule of their own:
they are outbox messages written with the booking, due at their time, and
the platform's outbox delivery rule sends them. A worker may reach one late
(a backlog, a Redis or WeChat outage, retries), so whether it still holds is
asked again at delivery (`mobile_api.hooks.register_notice_check`): a
reminder or confirmation for a slot that has started, or an appointment that
is no longer booked at that time (cancelled, moved, checked in, marked a
no-show, cancelled by a hall closure), and a call to a window for a ticket
that is no longer called there, are dropped instead of sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .models import Appointment, Ticket, Window
from .policy import policy_from_config
from .services import appointments


def mark_no_shows(session, clock, app) -> dict[str, int]:
    count = appointments.sweep_no_shows(session, clock, policy_from_config(app.config))
    return {"no_shows_marked": count}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def appointment_notice_obsolete(session: Session, data: dict, now: datetime) -> str | None:
    """booking_confirmed and booking_reminder: still true while the
    appointment is booked for the time the notice names, before it starts."""
    try:
        named = datetime.fromisoformat(str(data.get("starts_at")))
    except ValueError:
        named = None
    if named is not None and named.tzinfo is None:
        named = None
    appointment_id = _int(data.get("appointment_id"))
    if appointment_id is None:  # a notice that names no appointment: only its time can be judged
        return "slot_started" if named is not None and now >= named else None
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        return "appointment_gone"
    if appointment.status != "booked":
        return f"appointment_{appointment.status}"
    if named is not None and named != appointment.starts_at:
        return "appointment_moved"
    if now >= appointment.starts_at:
        return "slot_started"
    return None


def call_notice_obsolete(session: Session, data: dict, now: datetime) -> str | None:
    """called_to_window: still true while the ticket is called at that window."""
    ticket_id = _int(data.get("ticket_id"))
    if ticket_id is None:
        return None
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return "ticket_gone"
    if ticket.status != "called":
        return f"ticket_{ticket.status}"
    window = session.get(Window, ticket.window_id) if ticket.window_id is not None else None
    if "window" in data and (window is None or window.number != data["window"]):
        return "ticket_called_elsewhere"
    return None


def register_notice_checks() -> None:
    from mobile_api import hooks

    hooks.register_notice_check("booking_confirmed", appointment_notice_obsolete)
    hooks.register_notice_check("booking_reminder", appointment_notice_obsolete)
    hooks.register_notice_check("called_to_window", call_notice_obsolete)


def waiting_warnings(session, clock, app) -> dict[str, int]:
    from .services import supervision

    return {"waiting_warnings": supervision.warn_long_waits(session, clock, policy_from_config(app.config))}


def close_forgotten_sessions(session, clock, app) -> dict[str, int]:
    from .services import counter

    return {"sessions_closed": counter.close_forgotten(session, clock)}
