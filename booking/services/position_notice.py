"""“您前面还有 N 位”: one WeChat subscribe message when a citizen's ticket
reaches the hall's `notify_position` (tickets ahead; default 5, 0 = off),
so they can wait outside and come back in time.

Checked after each call, in the caller's transaction (the hall's N is
cached per process for cache.HALL_SECONDS, like its other facts): a call
takes one ticket out of the queue's waiting line; if it was ahead of the
ticket that now has exactly N ahead, that one has just moved up to N (the
fairness rule may call a walk-in from behind it: then it has not). It is told
once: a conditional UPDATE on
`position_notified_at IS NULL` and the outbox dedupe key both guard. A
ticket issued with N or fewer ahead is not told (its holder is in the hall,
just handed the number); one that is pushed back (a 绿色通道 arrival) and
moves up again is not told twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobile_api import outbox

from ..models import Hall, HallQueue, Ticket
from . import cache

EVENT = "queue_position_reached"


def _line_key(lane: int, queued_at: datetime, ticket_id: int) -> tuple:
    """A ticket's place in line: higher lane first, then earlier, then lower id."""
    return -lane, queued_at, ticket_id


def after_call(session: Session, called: Ticket, now: datetime) -> int | None:
    """Tell the citizen whose ticket now has the hall's N ahead in `called`'s queue; its id, if told."""
    # read on every call, changed by an admin a few times a year: cached like the hall's other facts
    n, hall_name = cache.cached(session, ("notify_position", called.hall_id), cache.HALL_SECONDS,
                                lambda: session.execute(select(Hall.notify_position, Hall.name)
                                                        .where(Hall.id == called.hall_id)).one())
    if not n:
        return None
    reached = session.execute(
        select(Ticket.id, Ticket.citizen_id, Ticket.display, Ticket.position_notified_at, Ticket.lane,
               Ticket.queued_at)
        .where(Ticket.queue_id == called.queue_id, Ticket.status == "waiting", Ticket.local_date == called.local_date)
        .order_by(Ticket.lane.desc(), Ticket.queued_at, Ticket.id).offset(n).limit(1)).first()
    if reached is None or reached.citizen_id is None or reached.position_notified_at is not None:
        return None
    if _line_key(called.lane, called.queued_at, called.id) > _line_key(reached.lane, reached.queued_at, reached.id):
        return None  # the fairness rule called a ticket from behind it: it did not move up
    marked = session.execute(update(Ticket).where(Ticket.id == reached.id, Ticket.position_notified_at.is_(None))
                             .values(position_notified_at=now).execution_options(synchronize_session=False))
    if marked.rowcount != 1:
        return None
    queue = session.get(HallQueue, called.queue_id)
    outbox.enqueue(session, outbox.CITIZEN_NOTIFY,
                   {"citizen_id": reached.citizen_id, "event": EVENT,
                    "data": {"ticket_id": reached.id, "number": reached.display, "ahead": n,
                             "hall_name": hall_name, "queue_name": queue.name if queue else None,
                             "tip": f"前面还有{n}位，请回到大厅留意叫号"}},
                   now, dedupe_key=f"booking:ticket:{reached.id}:position")
    return reached.id
