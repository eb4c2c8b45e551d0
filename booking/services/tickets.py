"""Queue tickets: numbers, walk-ins, priority (绿色通道), position and wait.

Numbers come from one counter row per queue and day: `UPDATE … SET
last_number = last_number + 1` takes a row lock held to commit, so parallel
kiosks get distinct numbers, and a transaction that rolls back gives its
number back: the day's numbers are unique and without gaps.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from typing import Callable

from sqlalchemy import Integer, String, and_, cast, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from ..errors import HallClosed, InvalidPriority, ItemNotHandled, TicketNotFound
from ..models import (LANE_APPOINTMENT, LANE_PRIORITY, LANE_WALK_IN, PRIORITY_REASONS, HallQueue, Ticket,
                      TicketCounter)
from ..policy import Policy
from .common import get_row, day_of_hall, ensure_same_hall, hall_with_item, insert_ignore, local_today, windows_serving


def citizen_birth_date(session: Session, citizen_id: int | None) -> date | None:
    """From identity's real-name record; unknown (no automatic priority) when
    identity does not provide it or the citizen has no real-name record."""
    if citizen_id is None:
        return None
    try:
        from identity.real_name import citizen_birth_date as lookup
    except ImportError:
        return None
    return lookup(session, citizen_id)


def is_elderly(birth: date | None, today: date, age: int) -> bool:
    if birth is None:
        return False
    try:
        threshold = birth.replace(year=birth.year + age)
    except ValueError:  # born on 29 February
        threshold = birth.replace(year=birth.year + age, day=28)
    return today >= threshold


def resolve_priority(session: Session, policy: Policy, today: date, citizen_id: int | None,
                     declared: str | None) -> str | None:
    if declared is not None and declared not in PRIORITY_REASONS:
        raise InvalidPriority("绿色通道原因应为 elderly（老年人）、disabled（残疾人）或 pregnant（孕妇）",
                              errors={"priority_reason": ["取值不在允许范围内"]})
    if declared:
        return declared
    if is_elderly(citizen_birth_date(session, citizen_id), today, policy.elderly_age):
        return "elderly"
    return None


def next_number(session: Session, queue_id: int, day: date) -> int:
    """The next number of the queue's day. The UPDATE locks the counter row to
    commit; the row is created (INSERT … ON CONFLICT DO NOTHING) by the first
    ticket of the day."""
    bump = (update(TicketCounter).where(TicketCounter.queue_id == queue_id, TicketCounter.local_date == day)
            .values(last_number=TicketCounter.last_number + 1).returning(TicketCounter.last_number))
    number = session.execute(bump).scalar_one_or_none()
    if number is None:
        insert_ignore(session, TicketCounter, {"queue_id": queue_id, "local_date": day, "last_number": 0},
                      ["queue_id", "local_date"])
        number = session.execute(bump).scalar_one()
    return number


def new_ticket(session: Session, now: datetime, queue: HallQueue, *, lane: int, source: str,
               citizen_id: int | None, item_code: str | None, audit_entries: Callable[[int], None],
               appointment_id: int | None = None, priority_reason: str | None = None,
               priority_note: str | None = None) -> Ticket:
    """Number, insert and commit a ticket; `audit_entries(ticket_id)` writes
    the audit entries in the same transaction.

    The counter row is the one hot row every kiosk of a queue contends for, so
    on PostgreSQL the ticket id is drawn and audited first, and the number is
    taken and the ticket inserted in one statement just before COMMIT: the row
    lock lasts two round trips. (SQLite has one writer at a time anyway.)"""
    day = local_today(now)
    values = {"hall_id": queue.hall_id, "queue_id": queue.id, "origin_queue_id": queue.id, "local_date": day,
              "lane": LANE_PRIORITY if priority_reason else lane, "priority_reason": priority_reason,
              "priority_note": priority_note, "source": source, "citizen_id": citizen_id,
              "appointment_id": appointment_id, "item_code": item_code, "status": "waiting", "issued_at": now,
              "queued_at": now, "call_count": 0, "requeued": False}
    if session.get_bind().dialect.name == "postgresql":
        ticket_id = session.scalar(text("SELECT nextval(pg_get_serial_sequence('booking_tickets', 'id'))"))
        audit_entries(ticket_id)
        session.flush()
        number = _insert_numbered(session, ticket_id, queue, day, values)
        if number is None:
            insert_ignore(session, TicketCounter, {"queue_id": queue.id, "local_date": day, "last_number": 0},
                          ["queue_id", "local_date"])
            number = _insert_numbered(session, ticket_id, queue, day, values)
        session.commit()
        # everything the row holds is known: no read after the commit
        return Ticket(id=ticket_id, number=number, display=f"{queue.prefix}{number:03d}", **values)
    number = next_number(session, queue.id, day)
    ticket = Ticket(number=number, display=f"{queue.prefix}{number:03d}", **values)
    session.add(ticket)
    session.flush()
    audit_entries(ticket.id)
    session.commit()
    return ticket


def _insert_numbered(session: Session, ticket_id: int, queue: HallQueue, day: date, values: dict) -> int | None:
    """PostgreSQL: take the next number and insert the ticket in one statement
    (a data-modifying CTE); None if the day's counter row does not exist yet."""
    bump = (update(TicketCounter).where(TicketCounter.queue_id == queue.id, TicketCounter.local_date == day)
            .values(last_number=TicketCounter.last_number + 1)
            .returning(TicketCounter.last_number.label("n")).cte("bump"))
    digits = cast(bump.c.n, String)
    display = literal(queue.prefix) + func.lpad(digits, func.greatest(3, func.length(digits)), "0")
    columns = Ticket.__table__.c
    chosen = select(literal(ticket_id, Integer), bump.c.n, display,
                    *[literal(value, columns[name].type) for name, value in values.items()])
    inserted = session.execute(insert(Ticket).from_select(["id", "number", "display", *values], chosen)
                               .returning(Ticket.number)).first()
    return None if inserted is None else inserted[0]


def issue_walk_in(session: Session, actor: Actor, clock, policy: Policy, *, item_code: str,
                  hall_id: int | None = None, citizen_id: int | None = None, priority_reason: str | None = None,
                  priority_note: str | None = None) -> Ticket:
    """A kiosk (or a clerk at the desk) takes a number for someone without an appointment."""
    now = clock.now()
    hall_id = hall_id if hall_id is not None else actor.hall_id
    if hall_id is None:
        raise ItemNotHandled("未指定大厅", code="booking.hall_required")
    ensure_same_hall(actor, hall_id)
    hall, link = hall_with_item(session, hall_id, item_code)
    if link is None:
        raise ItemNotHandled(f"{hall.name}不办理事项 {item_code}", errors={"item": ["该大厅不办理此事项"]})
    if not day_of_hall(session, hall, local_today(now)).open:
        raise HallClosed(f"{hall.name}今天不办公")
    reason = resolve_priority(session, policy, local_today(now), citizen_id, priority_reason)
    queue = session.get(HallQueue, link.queue_id)
    details = {"hall_id": hall.id, "queue": queue.prefix, "item_code": item_code, "priority_reason": reason,
               "priority_declared": priority_reason is not None, "priority_note": priority_note}
    return new_ticket(session, now, queue, lane=LANE_WALK_IN, source="walk_in", citizen_id=citizen_id,
                      item_code=item_code, priority_reason=reason, priority_note=priority_note,
                      audit_entries=lambda ticket_id: audit.record(session, actor, "booking.ticket_issue", "ticket",
                                                                   ticket_id, details, at=now))


def get_visible(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    """Citizens see their own tickets; kiosks and staff those of their hall."""
    ticket = get_row(session, Ticket, ticket_id)
    if ticket is None:
        raise TicketNotFound("排队号不存在")
    if actor.kind == "citizen":
        if ticket.citizen_id != actor.id:
            raise TicketNotFound("排队号不存在")
    elif not (actor.kind == "staff" and actor.role == "admin" and actor.hall_id is None):
        if actor.hall_id != ticket.hall_id:
            raise TicketNotFound("排队号不存在")
    return ticket


def position(session: Session, ticket: Ticket) -> int:
    """Tickets ahead in the same queue: a higher lane, or the same lane and queued earlier."""
    if ticket.status != "waiting":
        return 0
    ahead = session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.queue_id == ticket.queue_id, Ticket.status == "waiting", Ticket.local_date == ticket.local_date,
        or_(Ticket.lane > ticket.lane,
            and_(Ticket.lane == ticket.lane,
                 or_(Ticket.queued_at < ticket.queued_at,
                     and_(Ticket.queued_at == ticket.queued_at, Ticket.id < ticket.id))))))
    return int(ahead or 0)


def average_service(session: Session, queue_id: int, now: datetime, policy: Policy) -> timedelta:
    """Mean of the last 20 completed services of the queue in the past week."""
    rows = session.execute(select(Ticket.first_called_at, Ticket.completed_at).where(
        Ticket.queue_id == queue_id, Ticket.status == "completed", Ticket.completed_at >= now - timedelta(days=7))
        .order_by(Ticket.completed_at.desc()).limit(20)).all()
    durations = [done - started for started, done in rows if started and done and done > started]
    if not durations:
        return policy.default_service
    return sum(durations, timedelta()) / len(durations)


def estimate(session: Session, ticket: Ticket, now: datetime, policy: Policy) -> tuple[int, int]:
    """(tickets ahead, estimated minutes of wait)."""
    ahead = position(session, ticket)
    if ticket.status != "waiting":
        return 0, 0
    windows = max(1, windows_serving(session, ticket.queue_id))
    wait = average_service(session, ticket.queue_id, now, policy) * ahead / windows
    return ahead, int(round(wait.total_seconds() / 60))


LANE_NAMES = {LANE_PRIORITY: "priority", LANE_APPOINTMENT: "appointment", LANE_WALK_IN: "walk_in"}
