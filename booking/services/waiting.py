"""The waiting list a window sees: the tickets waiting today in the queues
its window serves, in call order (lane, then time in line), with only what
the window needs: number, queue, lane, appointment or walk-in, item and
minutes waited. No citizen, no 绿色通道 reason (the lane says enough)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CounterSession, HallQueue, Ticket, WindowQueue
from .common import catalogue_facts, local_today
from .tickets import LANE_NAMES

MAX_ROWS = 200


def waiting_list(session: Session, counter: CounterSession, now: datetime) -> dict:
    queue_ids = select(WindowQueue.queue_id).where(WindowQueue.window_id == counter.window_id)
    rows = session.execute(
        select(Ticket.id, Ticket.display, Ticket.queue_id, HallQueue.prefix, HallQueue.name, Ticket.lane,
               Ticket.source, Ticket.item_code, Ticket.queued_at, Ticket.waiting_since, Ticket.requeued)
        .join(HallQueue, HallQueue.id == Ticket.queue_id)
        .where(Ticket.queue_id.in_(queue_ids), Ticket.status == "waiting", Ticket.local_date == local_today(now))
        .order_by(Ticket.lane.desc(), Ticket.queued_at, Ticket.id)).all()
    ahead_in_queue: dict[int, int] = {}
    entries = []
    for row in rows:
        position = ahead_in_queue.get(row.queue_id, 0)
        ahead_in_queue[row.queue_id] = position + 1
        if len(entries) >= MAX_ROWS:
            continue
        facts = catalogue_facts(session, row.item_code) if row.item_code else None
        since = row.waiting_since or row.queued_at
        entries.append({
            "ticket_id": row.id, "number": row.display, "queue_id": row.queue_id, "queue_prefix": row.prefix,
            "queue_name": row.name, "lane": LANE_NAMES[row.lane], "source": row.source, "item": row.item_code,
            "item_name": facts[0] if facts else None, "requeued": row.requeued, "position": position,
            "waited_minutes": max(0, int((now - since).total_seconds() // 60)),
        })
    return {"session_id": counter.id, "window_id": counter.window_id, "total": len(rows), "tickets": entries}
