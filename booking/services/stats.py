"""Per hall and day: tickets, average wait, average service time, no-shows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity import access
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden

from ..models import Appointment, Ticket
from .common import get_hall


def hall_day_stats(session: Session, hall_id: int, day: date) -> dict:
    hall = get_hall(session, hall_id, active_only=False)
    rows = session.execute(select(Ticket.status, Ticket.source, Ticket.lane, Ticket.issued_at,
                                  Ticket.first_called_at, Ticket.completed_at)
                           .where(Ticket.hall_id == hall.id, Ticket.local_date == day)).all()
    waits = [(called - issued).total_seconds() for _, _, _, issued, called, _ in rows if called is not None]
    services = [(done - called).total_seconds() for status, _, _, _, called, done in rows
                if status == "completed" and called is not None and done is not None]
    appointments = dict(session.execute(select(Appointment.status, func.count())
                                        .where(Appointment.hall_id == hall.id, Appointment.local_date == day)
                                        .group_by(Appointment.status)).all())
    return {
        "hall_id": hall.id,
        "date": day,
        "tickets": len(rows),
        "walk_in_tickets": sum(1 for row in rows if row.source == "walk_in"),
        "appointment_tickets": sum(1 for row in rows if row.source == "appointment"),
        "priority_tickets": sum(1 for row in rows if row.lane == 2),
        "completed": sum(1 for row in rows if row.status == "completed"),
        "skipped": sum(1 for row in rows if row.status == "skipped"),
        "waiting": sum(1 for row in rows if row.status in ("waiting", "called")),
        "average_wait_minutes": round(sum(waits) / len(waits) / 60, 1) if waits else None,
        "average_service_minutes": round(sum(services) / len(services) / 60, 1) if services else None,
        "appointments": int(sum(appointments.values())),
        "checked_in": int(appointments.get("checked_in", 0)),
        "no_shows": int(appointments.get("no_show", 0)),
    }


def stats_for_staff(session: Session, actor: Actor, hall_id: int, day: date) -> dict:
    if actor.kind != "staff":
        raise Forbidden("仅工作人员可查看大厅统计")
    if not access.acts_for_hall(actor, hall_id):
        raise Forbidden("只能查看本大厅的统计")
    return hall_day_stats(session, hall_id, day)
