"""Per hall and day: tickets, average wait, average service time, no-shows;
and, from the service periods, per queue (measured service time, the input
of wait estimates), per window, per clerk and per local hour."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity import access
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden

from mobile_api.clock import LOCAL_TZ

from ..models import Appointment, CounterSession, HallQueue, Ticket, TicketPeriod, Window
from ..policy import Policy
from . import periods
from .common import end_of_local_day, get_hall


def hall_day_stats(session: Session, hall_id: int, day: date, now: datetime | None = None,
                   policy: Policy | None = None) -> dict:
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
        "waiting": sum(1 for row in rows if row.status in ("waiting", "called", "serving")),
        "average_wait_minutes": round(sum(waits) / len(waits) / 60, 1) if waits else None,
        "average_service_minutes": round(sum(services) / len(services) / 60, 1) if services else None,
        "appointments": int(sum(appointments.values())),
        "checked_in": int(appointments.get("checked_in", 0)),
        "no_shows": int(appointments.get("no_show", 0)),
        "waiting_warnings": session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.hall_id == hall.id, Ticket.local_date == day, Ticket.waiting_warned_at.is_not(None))) or 0,
        **period_figures(session, hall.id, day, now or end_of_local_day(day), policy or Policy()),
    }


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _mean(values: list[float]) -> float | None:
    return _minutes(sum(values) / len(values)) if values else None


def period_figures(session: Session, hall_id: int, day: date, now: datetime, policy: Policy) -> dict:
    """Window time (called + serving) per window and per clerk, waits and
    services per local hour, and each queue's measured service time."""
    start = datetime.combine(day, datetime.min.time(), LOCAL_TZ)
    rows = session.execute(select(TicketPeriod.ticket_id, TicketPeriod.kind, TicketPeriod.started_at,
                                  TicketPeriod.ended_at, TicketPeriod.end_reason, TicketPeriod.window_id,
                                  TicketPeriod.staff_id)
                           .where(TicketPeriod.hall_id == hall_id, TicketPeriod.started_at >= start - timedelta(days=1),
                                  TicketPeriod.started_at < end_of_local_day(day))).all()
    # a period belongs to the day it ended on (a wait begun yesterday evening is today's call)
    rows = [r for r in rows if start <= (r.ended_at or now) < end_of_local_day(day)]
    at_window = defaultdict(lambda: defaultdict(float))  # (by, key) -> ticket -> seconds
    completed = defaultdict(set)
    hours = defaultdict(lambda: {"called": 0, "completed": 0, "waits": []})
    for r in rows:
        seconds = ((r.ended_at or now) - r.started_at).total_seconds()
        hour = (r.ended_at or now).astimezone(LOCAL_TZ).hour
        if r.kind == "waiting":
            hours[hour]["waits"].append(seconds)
            hours[hour]["called"] += 1
            continue
        for key in (("window", r.window_id), ("clerk", r.staff_id)):
            at_window[key][r.ticket_id] += seconds
            if r.end_reason == "complete":
                completed[key].add(r.ticket_id)
        if r.end_reason == "complete":
            hours[hour]["completed"] += 1
    windows = {w.id: w for w in session.scalars(select(Window).where(Window.hall_id == hall_id))}
    staffed = defaultdict(float)
    for s in session.scalars(select(CounterSession).where(CounterSession.hall_id == hall_id,
                                                          CounterSession.opened_at < end_of_local_day(day),
                                                          (CounterSession.closed_at.is_(None))
                                                          | (CounterSession.closed_at >= start))):
        end = min(s.closed_at or now, end_of_local_day(day))
        staffed[s.window_id] += max(0.0, (end - max(s.opened_at, start)).total_seconds() - s.paused_seconds)

    def figures(by: str, key) -> dict:
        per_ticket = at_window[(by, key)]
        return {"tickets": len(per_ticket), "completed": len(completed[(by, key)]),
                "window_minutes": _minutes(sum(per_ticket.values())) or 0.0,
                "average_service_minutes": _mean(list(per_ticket.values()))}

    window_rows = [{"window_id": wid, "window_number": windows[wid].number if wid in windows else None,
                    "window_name": windows[wid].name if wid in windows else None,
                    "staffed_minutes": _minutes(staffed.get(wid)) or 0.0, **figures("window", wid)}
                   for wid in sorted({k for by, k in at_window if by == "window" and k is not None} | set(staffed))]
    clerk_rows = [{"staff_id": sid, **figures("clerk", sid)}
                  for sid in sorted(k for by, k in at_window if by == "clerk" and k is not None)]
    issued = defaultdict(int)
    for (at,) in session.execute(select(Ticket.issued_at).where(Ticket.hall_id == hall_id, Ticket.local_date == day)):
        issued[at.astimezone(LOCAL_TZ).hour] += 1
    hour_rows = [{"hour": h, "issued": issued.get(h, 0), "called": hours[h]["called"] if h in hours else 0,
                  "completed": hours[h]["completed"] if h in hours else 0,
                  "average_wait_minutes": _mean(hours[h]["waits"]) if h in hours else None}
                 for h in sorted(set(hours) | set(issued))]
    queue_rows = []
    for q in session.scalars(select(HallQueue).where(HallQueue.hall_id == hall_id).order_by(HallQueue.prefix)):
        measured, samples = periods.measured_service(session, q.id, now)
        used = periods.service_estimate(session, q.id, now, policy.default_service, policy.service_min_samples)
        queue_rows.append({"queue_id": q.id, "prefix": q.prefix, "name": q.name, "samples": samples,
                           "measured_service_minutes": _minutes(measured.total_seconds()) if measured else None,
                           "estimate_service_minutes": _minutes(used.total_seconds()),
                           "measured": measured is not None and samples >= max(1, policy.service_min_samples)})
    return {"queues": queue_rows, "windows": window_rows, "clerks": clerk_rows, "hours": hour_rows}


def stats_for_staff(session: Session, actor: Actor, hall_id: int, day: date, now: datetime | None = None,
                    policy: Policy | None = None) -> dict:
    if actor.kind != "staff":
        raise Forbidden("仅工作人员可查看大厅统计")
    if not access.acts_for_hall(actor, hall_id):
        raise Forbidden("只能查看本大厅的统计")
    return hall_day_stats(session, hall_id, day, now, policy)
