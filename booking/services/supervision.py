"""电子监察 of the queue: a ticket waiting longer than
BOOKING_WAITING_WARNING_MINUTES raises one warning to its hall's admins.

A periodic rule (booking.waiting_warnings). Once per ticket: a conditional
UPDATE on `waiting_warned_at IS NULL` marks it and the `staff.notify`
outbox message carries a dedupe key, so a rule run twice (or two
schedulers) warns once. The wait counts from when the ticket last joined a
queue (`waiting_since`, else `queued_at`); only today's tickets are live.
Payload: {"hall_id", "role": "admin", "event": "waiting_warning", "data"}:
the staff-notice delivery addresses the hall's admins (hall_id, no department).
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mobile_api import audit, outbox
from mobile_api.actor import SYSTEM

from ..models import Hall, HallQueue, Ticket
from ..policy import Policy
from .common import local_today

STAFF_NOTIFY = "staff.notify"
EVENT = "waiting_warning"
BATCH = 500


def warn_long_waits(session: Session, clock, policy: Policy) -> int:
    now = clock.now()
    if policy.waiting_warning.total_seconds() <= 0:
        return 0
    limit_minutes = int(policy.waiting_warning.total_seconds() // 60)
    since = func.coalesce(Ticket.waiting_since, Ticket.queued_at)
    rows = session.execute(
        select(Ticket.id, Ticket.hall_id, Ticket.display, Ticket.item_code, since.label("since"), Hall.name,
               HallQueue.prefix, HallQueue.name.label("queue_name"))
        .join(Hall, Hall.id == Ticket.hall_id).join(HallQueue, HallQueue.id == Ticket.queue_id)
        .where(Ticket.status == "waiting", Ticket.local_date == local_today(now), Ticket.waiting_warned_at.is_(None),
               since <= now - policy.waiting_warning)
        .order_by(Ticket.id).limit(BATCH)).all()
    warned = 0
    for row in rows:
        marked = session.execute(update(Ticket).where(Ticket.id == row.id, Ticket.waiting_warned_at.is_(None),
                                                      Ticket.status == "waiting")
                                 .values(waiting_warned_at=now).execution_options(synchronize_session=False))
        if marked.rowcount != 1:
            continue
        waited = int((now - row.since).total_seconds() // 60)
        outbox.enqueue(session, STAFF_NOTIFY, {
            "hall_id": row.hall_id, "role": "admin", "event": EVENT,
            "data": {"ticket_id": row.id, "number": row.display, "hall_name": row.name, "queue": row.prefix,
                     "queue_name": row.queue_name, "item_code": row.item_code, "waited_minutes": waited,
                     "limit_minutes": limit_minutes}}, now, dedupe_key=f"booking:ticket:{row.id}:waiting_warning")
        audit.record(session, SYSTEM, "booking.ticket_waiting_warning", "ticket", row.id,
                     {"waited_minutes": waited, "limit_minutes": limit_minutes}, at=now)
        warned += 1
    return warned


def warnings_today(session: Session, now) -> list[tuple[int, int]]:
    """(hall id, tickets warned today) for /metrics."""
    return [(hall_id, count) for hall_id, count in session.execute(
        select(Ticket.hall_id, func.count()).where(Ticket.local_date == local_today(now),
                                                   Ticket.waiting_warned_at.is_not(None))
        .group_by(Ticket.hall_id).order_by(Ticket.hall_id))]
