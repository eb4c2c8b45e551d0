"""Queue tickets: numbers, walk-ins, priority (绿色通道), position and wait.

Numbers come from one counter row per queue and day: `UPDATE … SET
last_number = last_number + 1` takes a row lock held to commit, so parallel
kiosks get distinct numbers, and a transaction that rolls back gives its
number back: the day's numbers are unique and without gaps.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from typing import Callable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from identity import access, real_name
from mobile_api import audit, uow
from mobile_api.actor import Actor

from .. import events
from ..calendar import within_hours
from ..errors import HallClosed, InvalidPriority, ItemNotHandled, OutsideOpeningHours, TicketNotFound
from ..models import (LANE_APPOINTMENT, LANE_PRIORITY, LANE_WALK_IN, PRIORITY_REASONS, HallQueue, Ticket)
from ..policy import Policy
from . import cache, periods
from .common import get_row, day_of_hall, ensure_same_hall, hall_with_item, local_today, windows_serving


def citizen_birth_date(session: Session, citizen_id: int | None) -> date | None:
    """From identity's real-name record; unknown (no automatic priority) when
    identity does not provide it or the citizen has no real-name record."""
    if citizen_id is None:
        return None
    return real_name.citizen_birth_date(session, citizen_id)


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


def new_ticket(session: Session, now: datetime, queue: HallQueue, *, lane: int, source: str,
               citizen_id: int | None, item_code: str | None, audit_entries: Callable[[int], None],
               appointment_id: int | None = None, priority_reason: str | None = None,
               priority_note: str | None = None) -> Ticket:
    """Number and insert a ticket (committing it on PostgreSQL); `audit_entries(ticket_id)` writes
    the audit entries in the same transaction. The returned ticket carries
    `ahead_at_issue` (tickets ahead of it when issued) on PostgreSQL.

    The counter row is the one hot row every kiosk of a queue contends for, so
    on PostgreSQL the ticket id is drawn (with the count of tickets ahead, in
    the same statement) and audited first; then one statement takes the
    number and inserts the ticket, sent together with COMMIT in one round
    trip: the row lock is held only while the server runs the statement and
    the commit, never across the network or the app's scheduling."""
    day = local_today(now)
    values = {"hall_id": queue.hall_id, "queue_id": queue.id, "origin_queue_id": queue.id, "local_date": day,
              "lane": LANE_PRIORITY if priority_reason else lane, "priority_reason": priority_reason,
              "priority_note": priority_note, "source": source, "citizen_id": citizen_id,
              "appointment_id": appointment_id, "item_code": item_code, "status": "waiting", "issued_at": now,
              "queued_at": now, "call_count": 0, "requeued": False}
    next_id = func.nextval(func.pg_get_serial_sequence("booking_tickets", "id"))
    ticket_id, ahead = session.execute(select(next_id, _ahead_count(
        queue.id, day, values["lane"], now, None).scalar_subquery())).one()
    audit_entries(ticket_id)
    session.flush()
    number = uow.of(session).commit_with(_NUMBERED_INSERT, dict(values, id=ticket_id, prefix=queue.prefix),
                                         "a ticket number, once drawn, is issued (numbers stay gap-free)")[0]
    # everything the row holds is known: no read after the commit
    ticket = Ticket(id=ticket_id, number=number, display=f"{queue.prefix}{number:03d}", **values)
    ticket.ahead_at_issue = int(ahead or 0)
    events.publish(session, queue.hall_id, "queue.changed", now, queue_id=queue.id, number=ticket.display)
    return ticket


_TICKET_COLUMNS = ("hall_id", "queue_id", "origin_queue_id", "local_date", "lane", "priority_reason",
                   "priority_note", "source", "citizen_id", "appointment_id", "item_code", "status", "issued_at",
                   "queued_at", "call_count", "requeued")
# PostgreSQL: take the day's next number (creating the counter row with the
# first ticket: the upsert locks the row like an UPDATE, so numbers stay
# unique and gap-free) and insert the ticket, in one statement.
_NUMBERED_INSERT = (
    "WITH bump AS (INSERT INTO booking_ticket_counters (queue_id, local_date, last_number)"
    " VALUES (%(queue_id)s, %(local_date)s, 1) ON CONFLICT (queue_id, local_date)"
    " DO UPDATE SET last_number = booking_ticket_counters.last_number + 1 RETURNING last_number AS n)"
    f" INSERT INTO booking_tickets (id, number, display, {', '.join(_TICKET_COLUMNS)})"
    " SELECT %(id)s, n, %(prefix)s || lpad(n::text, greatest(3, length(n::text)), '0'), "
    + ", ".join(f"%({name})s" for name in _TICKET_COLUMNS) + " FROM bump RETURNING number")


def _ahead_count(queue_id: int, day: date, lane: int, queued_at: datetime, ticket_id: int | None):
    """Waiting tickets ahead: a higher lane, or the same lane and queued
    earlier (the lower id first at the same time). With no `ticket_id`, the
    count is for a ticket about to be inserted, in the statement that draws its
    id: every ticket it can see drew its id before, so a tie counts as ahead."""
    same_time = Ticket.queued_at == queued_at
    same_time = and_(same_time, Ticket.id < ticket_id) if ticket_id is not None else same_time
    return select(func.count()).select_from(Ticket).where(
        Ticket.queue_id == queue_id, Ticket.status == "waiting", Ticket.local_date == day,
        or_(Ticket.lane > lane, and_(Ticket.lane == lane, or_(Ticket.queued_at < queued_at, same_time))))


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
    today = day_of_hall(session, hall, local_today(now))
    if not today.open:
        reason = f"（{today.holiday_name}）" if today.holiday_name else ""
        raise HallClosed(f"{hall.name}今天不办公{reason}，不能取号")
    if not within_hours(today, now):
        opens, closes = today.hours
        raise OutsideOpeningHours(f"{hall.name}今天的办公时间为 {opens}–{closes}，现在不能取号")
    reason = resolve_priority(session, policy, local_today(now), citizen_id, priority_reason)
    queue = link  # the queue's id, hall and prefix, from the cached link
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
    if not can_read_ticket(actor, ticket):
        raise TicketNotFound("排队号不存在")
    return ticket


def can_read_ticket(actor: Actor, ticket: Ticket) -> bool:
    """The citizen it was issued to, or the kiosks and staff of its hall
    (a department admin runs items, not a hall's queue)."""
    return access.owns(actor, ticket.citizen_id) or access.acts_for_hall(actor, ticket.hall_id)


def position(session: Session, ticket: Ticket) -> int:
    """Tickets ahead in the same queue: a higher lane, or the same lane and queued earlier."""
    if ticket.status != "waiting":
        return 0
    ahead = session.scalar(_ahead_count(ticket.queue_id, ticket.local_date, ticket.lane, ticket.queued_at,
                                        ticket.id))
    return int(ahead or 0)


def average_service(session: Session, queue_id: int, now: datetime, policy: Policy) -> timedelta:
    """The queue's measured service time (periods.py), or the configured
    default while it has too few recent services."""
    return periods.service_estimate(session, queue_id, now, policy.default_service, policy.service_min_samples)


def estimate(session: Session, ticket: Ticket, now: datetime, policy: Policy) -> tuple[int, int]:
    """(tickets ahead, estimated minutes of wait). A ticket just issued
    carries its count from the issuing transaction: no second one to ask."""
    if ticket.status != "waiting":
        return 0, 0
    ahead = getattr(ticket, "ahead_at_issue", None)
    if ahead is None:
        ahead = position(session, ticket)
    # An estimate, read on every ticket issued: its inputs are cached per
    # queue for cache.ESTIMATE_SECONDS (completing a ticket drops the entry).
    windows, service = cache.cached(session, cache.estimate_key(ticket.queue_id), cache.ESTIMATE_SECONDS,
                                    lambda: (max(1, windows_serving(session, ticket.queue_id)),
                                             average_service(session, ticket.queue_id, now, policy)))
    wait = service * ahead / windows
    return ahead, int(round(wait.total_seconds() / 60))


LANE_NAMES = {LANE_PRIORITY: "priority", LANE_APPOINTMENT: "appointment", LANE_WALK_IN: "walk_in"}
