"""Calling tickets to windows, through the clerk's counter session.

`call_next` locks the counter session (one per window), checks the window
holds no ticket, locks the rows of the queues the window serves (FOR
UPDATE), picks the next ticket and claims it with a conditional UPDATE on
its status, so two clerks pressing at the same moment never get the same
ticket and one window never holds two (a partial unique index as well).
The steps at the window (recall, serve, skip, transfer, complete) belong to
the clerk whose session called the ticket, and each writes its service
period (periods.py).

Fairness (绿色通道 and appointments do not starve walk-ins): a call that goes
ahead of an older waiting walk-in adds one to the walk-in queue's
`ahead_streak`; once the streak reaches BOOKING_PRIORITY_STREAK (default 3),
the next call serves the oldest walk-in and resets the streak. So at most k
tickets in a row overtake the walk-in who has waited longest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit, outbox, uow
from mobile_api.actor import Actor
from mobile_api.errors import Forbidden

from .. import events
from ..errors import (NothingToCall, NotYourSession, RequeueUsed, SessionStateConflict, SkipTooEarly,
                      TicketNotFound, TicketStateConflict, WindowBusy, WindowNotFound)
from ..models import AT_WINDOW, LANE_WALK_IN, CounterSession, HallQueue, Ticket, Window, WindowQueue
from ..policy import Policy
from . import cache, counter, periods, position_notice
from .common import get_row, ensure_same_hall, local_today, lock_rows

# one called or serving ticket per window (booking_0010_counter_sessions)
WINDOW_INDEX = "uq_booking_tickets_window_busy"


def _notify_called(session: Session, ticket: Ticket, window: Window, now: datetime) -> None:
    if ticket.citizen_id is None:
        return
    outbox.enqueue(session, outbox.CITIZEN_NOTIFY,
                   {"citizen_id": ticket.citizen_id, "event": "called_to_window",
                    "data": {"ticket_id": ticket.id, "number": ticket.display, "window": window.number,
                             "window_name": window.name}},
                   now, dedupe_key=f"booking:ticket:{ticket.id}:call:{ticket.call_count}")


def _oldest_walk_in(session: Session, queue_ids: list[int], day) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.queue_id.in_(queue_ids), Ticket.status == "waiting",
                                               Ticket.local_date == day, Ticket.lane == LANE_WALK_IN)
                          .order_by(Ticket.queued_at, Ticket.id).limit(1))


def call_next_at_window(session: Session, actor: Actor, clock, policy: Policy, window_id: int) -> Ticket:
    """The window-addressed call: acts through the clerk's open session at that window."""
    if actor.kind != "staff":
        raise Forbidden("仅窗口工作人员可叫号")
    window = get_row(session, Window, window_id)
    if window is None or not window.active:
        raise WindowNotFound(f"窗口 {window_id} 不存在")
    ensure_same_hall(actor, window.hall_id)
    return call_next(session, actor, clock, policy, counter.at_window(session, actor, window.id).id)


def call_next(session: Session, actor: Actor, clock, policy: Policy, session_id: int) -> Ticket:
    """Call the next ticket for the session's window.

    Lock order: the counter session row (so two presses at one window queue
    up, and the second sees the first's ticket), then the window's queue rows,
    then the claimed ticket. The busy check comes after the session lock; the
    partial unique index on tickets(window) where called/serving is the
    last word if anything still slips past (answered 409, never two)."""
    now = clock.now()
    work = counter.get_for_clerk(session, actor, session_id, lock=True)
    if work.status != "open":
        raise SessionStateConflict("柜台会话已暂停或结束，不能叫号", code="booking.session_paused")
    window = session.get(Window, work.window_id)
    busy = counter.at_window_now(session, work)
    if busy is not None:
        raise WindowBusy(f"本窗口正在办理 {busy.display}，请先办结或过号", extra={"ticket_id": busy.id})
    queue_ids = list(session.scalars(select(WindowQueue.queue_id).where(WindowQueue.window_id == window.id)))
    queues = {q.id: q for q in session.scalars(lock_rows(select(HallQueue).where(HallQueue.id.in_(queue_ids))
                                                         .order_by(HallQueue.id), session))}
    day = local_today(now)
    candidate = session.scalar(select(Ticket).where(Ticket.queue_id.in_(queue_ids), Ticket.status == "waiting",
                                                    Ticket.local_date == day)
                               .order_by(Ticket.lane.desc(), Ticket.queued_at, Ticket.id).limit(1))
    if candidate is None:
        raise NothingToCall("当前没有等候的号")
    oldest = _oldest_walk_in(session, queue_ids, day) if candidate.lane > LANE_WALK_IN else None
    if oldest is not None and (oldest.queued_at, oldest.id) < (candidate.queued_at, candidate.id):
        walk_in_queue = queues[oldest.queue_id]
        if walk_in_queue.ahead_streak >= policy.priority_streak:
            candidate = oldest
            walk_in_queue.ahead_streak = 0
        else:
            walk_in_queue.ahead_streak += 1
    elif candidate.lane == LANE_WALK_IN:
        queues[candidate.queue_id].ahead_streak = 0
    try:
        # no SAVEPOINT: a refusal ends the request, and its unit of work rolls back
        claimed = session.execute(
            update(Ticket).where(Ticket.id == candidate.id, Ticket.status == "waiting")
            .values(status="called", window_id=window.id, staff_id=actor.id, session_id=work.id, call_count=1,
                    first_called_at=candidate.first_called_at or now, last_called_at=now, serving_at=None))
    except IntegrityError as exc:
        if WINDOW_INDEX not in str(getattr(getattr(exc.orig, "diag", None), "constraint_name", "")):
            raise
        raise WindowBusy("本窗口已有在办的号，请先办结或过号") from None
    if claimed.rowcount != 1:  # cannot happen under the queue lock; refuse rather than double-call
        raise TicketStateConflict("排队号已被其他窗口叫走，请重试")
    session.refresh(candidate)
    periods.record_call(session, candidate, now, window_id=window.id, staff_id=actor.id, session_id=work.id)
    audit.record(session, actor, "booking.ticket_call", "ticket", candidate.id,
                 {"window_id": window.id, "session_id": work.id, "display": candidate.display,
                  "lane": candidate.lane}, at=now)
    _notify_called(session, candidate, window, now)
    position_notice.after_call(session, candidate, now)
    events.ticket_event(session, "ticket.called", candidate, now, window, call_count=candidate.call_count)
    return candidate


def _ticket_at_my_window(session: Session, actor: Actor, ticket_id: int,
                         states: tuple[str, ...] = ("called",)) -> tuple[Ticket, Window]:
    """A ticket at a window, for the clerk whose counter session called it."""
    ticket = get_row(session, Ticket, ticket_id)
    if ticket is None:
        raise TicketNotFound("排队号不存在")
    if actor.kind != "staff":
        raise Forbidden("仅窗口工作人员可执行此操作")
    ensure_same_hall(actor, ticket.hall_id)
    if ticket.status not in states or ticket.window_id is None:
        wanted = "、".join(STATE_NAMES[s] for s in states)
        raise TicketStateConflict(f"{ticket.display} 当前不是{wanted}状态")
    if ticket.session_id is not None:
        work = session.get(CounterSession, ticket.session_id)
        if work.staff_id != actor.id or work.status == "closed":
            raise NotYourSession(f"{ticket.display} 由其他窗口人员办理")
    return ticket, session.get(Window, ticket.window_id)


STATE_NAMES = {"called": "叫号中", "serving": "办理中"}


def _move(session: Session, ticket: Ticket, expected: tuple[str, ...], **values) -> None:
    done = session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.status.in_(expected),
                                                Ticket.call_count == ticket.call_count).values(**values))
    if done.rowcount != 1:
        raise TicketStateConflict("排队号状态已变化，请刷新后重试")
    session.refresh(ticket)


def recall(session: Session, actor: Actor, clock, ticket_id: int) -> Ticket:
    now = clock.now()
    ticket, window = _ticket_at_my_window(session, actor, ticket_id)
    _move(session, ticket, ("called",), call_count=ticket.call_count + 1, last_called_at=now)
    audit.record(session, actor, "booking.ticket_recall", "ticket", ticket.id, {"call_count": ticket.call_count},
                 at=now)
    _notify_called(session, ticket, window, now)
    events.ticket_event(session, "ticket.recalled", ticket, now, window, call_count=ticket.call_count)
    return ticket


def serve(session: Session, actor: Actor, clock, ticket_id: int) -> Ticket:
    """The citizen is at the window: the called period ends, serving begins."""
    now = clock.now()
    ticket, window = _ticket_at_my_window(session, actor, ticket_id)
    _move(session, ticket, ("called",), status="serving", serving_at=now)
    periods.close_open(session, ticket.id, now, "serve")
    periods.open_period(session, ticket, "serving", now, window_id=window.id, staff_id=actor.id,
                        session_id=ticket.session_id)
    audit.record(session, actor, "booking.ticket_serve", "ticket", ticket.id, {"window_id": window.id}, at=now)
    events.ticket_event(session, "ticket.serving", ticket, now, window)
    return ticket


def skip(session: Session, actor: Actor, clock, policy: Policy, ticket_id: int) -> Ticket:
    now = clock.now()
    ticket, window = _ticket_at_my_window(session, actor, ticket_id)
    if ticket.call_count < policy.skip_after_calls:
        raise SkipTooEarly(f"已叫 {ticket.call_count} 次，叫满 {policy.skip_after_calls} 次仍未到才可过号")
    _move(session, ticket, ("called",), status="skipped", skipped_at=now)
    periods.close_open(session, ticket.id, now, "skip")
    audit.record(session, actor, "booking.ticket_skip", "ticket", ticket.id, at=now)
    events.ticket_event(session, "ticket.skipped", ticket, now, window)
    return ticket


def requeue(session: Session, actor: Actor, clock, ticket_id: int) -> Ticket:
    """A skipped citizen may queue again once, at the back of their lane."""
    now = clock.now()
    ticket = get_row(session, Ticket, ticket_id)
    if ticket is None or (actor.kind == "citizen" and ticket.citizen_id != actor.id):
        raise TicketNotFound("排队号不存在")
    if actor.kind != "citizen":
        ensure_same_hall(actor, ticket.hall_id)
    if ticket.status != "skipped":
        raise TicketStateConflict(f"{ticket.display} 未过号，无需重新排队")
    if ticket.requeued:
        raise RequeueUsed("每个号只能在过号后重新排队一次，请重新取号")
    if ticket.local_date != local_today(now):
        raise TicketStateConflict("只能当天重新排队")
    _move(session, ticket, ("skipped",), status="waiting", requeued=True, queued_at=now, waiting_since=None,
          window_id=None, call_count=0)
    audit.record(session, actor, "booking.ticket_requeue", "ticket", ticket.id, at=now)
    events.ticket_event(session, "ticket.requeued", ticket, now)
    return ticket


def transfer(session: Session, actor: Actor, clock, ticket_id: int, queue_id: int) -> Ticket:
    """Send a ticket at the window to another queue of the hall; it keeps its
    number and its original place in time, so it is not sent to the back
    (its new waiting period starts now)."""
    now = clock.now()
    ticket, window = _ticket_at_my_window(session, actor, ticket_id, AT_WINDOW)
    target = get_row(session, HallQueue, queue_id)
    if target is None or target.hall_id != ticket.hall_id:
        raise TicketStateConflict("目标队列不存在或不属于本大厅", code="booking.queue_not_found", status=422)
    if target.id == ticket.queue_id:
        raise TicketStateConflict("目标队列与当前队列相同", code="booking.same_queue", status=422)
    from_queue = ticket.queue_id
    periods.close_open(session, ticket.id, now, "transfer")
    _move(session, ticket, AT_WINDOW, status="waiting", queue_id=target.id, window_id=None, call_count=0,
          serving_at=None, waiting_since=now)
    audit.record(session, actor, "booking.ticket_transfer", "ticket", ticket.id,
                 {"from_queue": from_queue, "to_queue": target.id}, at=now)
    events.ticket_event(session, "ticket.transferred", ticket, now, window, from_queue_id=from_queue)
    return ticket


def complete(session: Session, actor: Actor, clock, ticket_id: int) -> Ticket:
    now = clock.now()
    ticket, window = _ticket_at_my_window(session, actor, ticket_id, AT_WINDOW)
    _move(session, ticket, AT_WINDOW, status="completed", completed_at=now)
    periods.close_open(session, ticket.id, now, "complete")
    audit.record(session, actor, "booking.ticket_complete", "ticket", ticket.id,
                 {"window_id": window.id, "session_id": ticket.session_id}, at=now)
    if ticket.citizen_id is not None:
        outbox.enqueue(session, outbox.CITIZEN_NOTIFY,
                       {"citizen_id": ticket.citizen_id, "event": "rating_invitation",
                        "data": {"kind": "ticket", "id": ticket.id, "number": ticket.display,
                                 "item_code": ticket.item_code}},
                       now, dedupe_key=f"booking:ticket:{ticket.id}:rating")
    events.ticket_event(session, "ticket.completed", ticket, now, window)
    # a new service time: this process re-reads the mean once it is committed
    uow.of(session).after_commit(lambda: cache.forget_estimate(session, ticket.queue_id))
    return ticket


def board(session: Session, clock, hall_id: int) -> dict:
    """What the hall's display shows: numbers being called and where, and how many wait per queue."""
    from sqlalchemy import func

    from .common import get_hall

    now = clock.now()
    hall = get_hall(session, hall_id)
    day = local_today(now)
    called = session.execute(select(Ticket.display, Window.number, Window.name, Ticket.last_called_at,
                                    Ticket.call_count)
                             .join(Window, Window.id == Ticket.window_id)
                             .where(Ticket.hall_id == hall.id, Ticket.local_date == day, Ticket.status.in_(AT_WINDOW))
                             .order_by(Ticket.last_called_at.desc()).limit(30)).all()
    waiting = dict(session.execute(select(Ticket.queue_id, func.count()).where(
        Ticket.hall_id == hall.id, Ticket.local_date == day, Ticket.status == "waiting").group_by(Ticket.queue_id)).all())
    queues = list(session.scalars(select(HallQueue).where(HallQueue.hall_id == hall.id).order_by(HallQueue.prefix)))
    return {
        "hall_id": hall.id, "hall_name": hall.name, "date": day,
        "calling": [{"number": d, "window": n, "window_name": wn, "called_at": at, "call_count": c}
                    for d, n, wn, at, c in called],
        "queues": [{"prefix": q.prefix, "name": q.name, "waiting": int(waiting.get(q.id, 0))} for q in queues],
    }
