"""Service periods (TheQ's Period model): each ticket's waiting, called and
serving stretches, with the window, clerk and counter session.

A waiting period is written when it ends (at the call), from the ticket's
`waiting_since` or `queued_at`: what it holds is known from the ticket until
then, and the ticket-issuing path (the hottest write of the hall) stays one
round trip. Called and serving periods are written when they begin, open
(`ended_at` NULL; at most one open period per ticket, by a partial unique
index), and closed by the step that ends them, with its name in `end_reason`.

Measured service time of a queue: a ticket's called + serving time at the
windows of that queue (the time a window was held for it, which is what a
wait estimate divides), over its recent services that ended in completion or
a transfer; skipped calls are left out (nobody was served).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import Ticket, TicketPeriod

RECENT_SERVICES = 20
MEASURE_DAYS = 7


def record_call(session: Session, ticket: Ticket, now: datetime, *, window_id: int, staff_id: int,
                session_id: int) -> None:
    """A call: the wait it ends (from when the ticket last joined a queue) and
    the called period it opens, in one INSERT."""
    started = ticket.waiting_since or ticket.queued_at
    session.add_all([
        TicketPeriod(ticket_id=ticket.id, hall_id=ticket.hall_id, queue_id=ticket.queue_id, kind="waiting",
                     started_at=min(started, now), ended_at=now, end_reason="call"),
        TicketPeriod(ticket_id=ticket.id, hall_id=ticket.hall_id, queue_id=ticket.queue_id, kind="called",
                     started_at=now, window_id=window_id, staff_id=staff_id, session_id=session_id)])
    session.flush()


def open_period(session: Session, ticket: Ticket, kind: str, now: datetime, *, window_id: int | None,
                staff_id: int | None, session_id: int | None) -> None:
    session.add(TicketPeriod(ticket_id=ticket.id, hall_id=ticket.hall_id, queue_id=ticket.queue_id, kind=kind,
                             started_at=now, window_id=window_id, staff_id=staff_id, session_id=session_id))
    session.flush()


def close_open(session: Session, ticket_id: int, now: datetime, reason: str) -> None:
    session.execute(update(TicketPeriod).where(TicketPeriod.ticket_id == ticket_id, TicketPeriod.ended_at.is_(None))
                    .values(ended_at=func.greatest(TicketPeriod.started_at, now), end_reason=reason)
                    .execution_options(synchronize_session=False))


def measured_service(session: Session, queue_id: int, now: datetime) -> tuple[timedelta | None, int]:
    """(mean window time per ticket over the queue's last RECENT_SERVICES
    services of the past MEASURE_DAYS days, number of samples)."""
    seconds = func.sum(func.extract("epoch", TicketPeriod.ended_at - TicketPeriod.started_at))
    per_ticket = (select(seconds.label("seconds"))
                  .where(TicketPeriod.queue_id == queue_id, TicketPeriod.kind.in_(("called", "serving")),
                         TicketPeriod.ended_at.is_not(None),
                         TicketPeriod.ended_at >= now - timedelta(days=MEASURE_DAYS))
                  .group_by(TicketPeriod.ticket_id)
                  .having(func.bool_or(TicketPeriod.end_reason.in_(("complete", "transfer"))))
                  .order_by(func.max(TicketPeriod.ended_at).desc()).limit(RECENT_SERVICES).subquery())
    mean, count = session.execute(select(func.avg(per_ticket.c.seconds), func.count())).one()
    if not count:
        return None, 0
    return timedelta(seconds=float(mean)), int(count)


def service_estimate(session: Session, queue_id: int, now: datetime, default: timedelta,
                     min_samples: int) -> timedelta:
    """The measured service time, or the configured default while the queue
    has fewer than `min_samples` recent services (a new queue, a quiet week)."""
    measured, samples = measured_service(session, queue_id, now)
    if measured is None or samples < max(1, min_samples):
        return default
    return measured


def of_ticket(session: Session, ticket_id: int) -> list[TicketPeriod]:
    return list(session.scalars(select(TicketPeriod).where(TicketPeriod.ticket_id == ticket_id)
                                .order_by(TicketPeriod.started_at, TicketPeriod.id)))
