"""Counter sessions (柜台会话): a clerk at one window of their hall.

One clerk per window and one window per clerk while a session is open or
paused: two partial unique indexes decide, so two clerks opening the same
window at once (or one clerk two windows) get one session and a 409. A
session calls only for its window; tickets, service periods and ratings are
attributed to it (the ticket keeps its session, window and clerk).

Who may do what (the rules in one place, built on identity.access):
- the session's clerk pauses, resumes, closes it, calls for it and reads
  its waiting list;
- the hall's admin and the platform admin may read it and close it (a clerk
  who left without closing holds the window otherwise);
- anyone else: staff of another hall are told it does not exist (404), other
  clerks of the hall that it is not theirs (403).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity import access
from mobile_api import audit
from mobile_api.actor import SYSTEM, Actor
from mobile_api.errors import Forbidden

from ..errors import (NoCurrentSession, NoOpenSession, NotYourSession, SessionAlreadyOpen, SessionNotFound,
                      SessionStateConflict, WindowNotFound, WindowTaken)
from ..models import AT_WINDOW, SESSION_OPEN, CounterSession, Ticket, Window
from .. import events
from . import periods
from .common import MAX_ID, end_of_local_day, ensure_same_hall, get_row, local_today


def is_session_clerk(actor: Actor, counter: CounterSession) -> bool:
    return access.is_staff(actor) and access.kind_of(actor) == access.CLERK and actor.id == counter.staff_id


def oversees(actor: Actor, counter: CounterSession) -> bool:
    """Reads and may close the session: its clerk, the hall's admin, the platform admin."""
    return is_session_clerk(actor, counter) or access.manages_hall(actor, counter.hall_id)


def _visible(session: Session, actor: Actor, session_id: int, *, lock: bool = False) -> CounterSession:
    counter = None
    if isinstance(session_id, int) and 0 < session_id <= MAX_ID:
        # locked in the read itself: one round trip (a refused caller's lock ends with its rollback)
        counter = session.get(CounterSession, session_id, with_for_update=lock or None, populate_existing=lock)
    if counter is None or not (access.acts_for_hall(actor, counter.hall_id) or oversees(actor, counter)):
        raise SessionNotFound("柜台会话不存在")
    return counter


def get_for_clerk(session: Session, actor: Actor, session_id: int, *, lock: bool = False) -> CounterSession:
    """The session, for an act only its clerk may do (call, pause, resume).
    `lock`: the lock every call of this window takes first, so two presses queue here."""
    counter = _visible(session, actor, session_id, lock=lock)
    if not is_session_clerk(actor, counter):
        raise NotYourSession("只能操作本人的柜台会话")
    return counter


def get_overseen(session: Session, actor: Actor, session_id: int, *, lock: bool = False) -> CounterSession:
    counter = _visible(session, actor, session_id, lock=lock)
    if not oversees(actor, counter):
        raise NotYourSession("只能查看或结束本人的柜台会话")
    return counter


def current(session: Session, actor: Actor) -> CounterSession:
    """The clerk's open or paused session."""
    counter = session.scalar(select(CounterSession).where(CounterSession.staff_id == actor.id,
                                                          CounterSession.status.in_(SESSION_OPEN)))
    if counter is None:
        raise NoCurrentSession("尚未开始柜台会话")
    return counter


def at_window(session: Session, actor: Actor, window_id: int) -> CounterSession:
    """The actor's open session at this window (the window-addressed call path)."""
    counter = session.scalar(select(CounterSession).where(CounterSession.staff_id == actor.id,
                                                          CounterSession.window_id == window_id,
                                                          CounterSession.status.in_(SESSION_OPEN)))
    if counter is None:
        raise NoOpenSession("请先在该窗口开始柜台会话（POST /counter-sessions）")
    return counter


def open_session(session: Session, actor: Actor, clock, window_id: int) -> CounterSession:
    now = clock.now()
    if access.kind_of(actor) != access.CLERK:
        raise Forbidden("仅窗口工作人员可开始柜台会话")
    window = get_row(session, Window, window_id)
    if window is None or not window.active:
        raise WindowNotFound(f"窗口 {window_id} 不存在")
    ensure_same_hall(actor, window.hall_id)
    counter = CounterSession(hall_id=window.hall_id, window_id=window.id, staff_id=actor.id, status="open",
                             opened_at=now, paused_seconds=0)
    try:
        with session.begin_nested():
            session.add(counter)
            session.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "") or ""
        if "staff_open" in constraint:
            mine = session.scalar(select(CounterSession.id).where(CounterSession.staff_id == actor.id,
                                                                  CounterSession.status.in_(SESSION_OPEN)))
            raise SessionAlreadyOpen("您已在其他窗口开始柜台会话，请先结束", extra={"session_id": mine}) from None
        if "window_open" in constraint:
            raise WindowTaken(f"{window.name}已有工作人员在岗") from None
        raise
    audit.record(session, actor, "booking.counter_session_open", "counter_session", counter.id,
                 {"window_id": window.id, "hall_id": window.hall_id}, at=now)
    return counter


def _transition(session: Session, actor: Actor, counter: CounterSession, expected: tuple[str, ...], now: datetime,
                action: str, **values) -> CounterSession:
    done = session.execute(update(CounterSession).where(CounterSession.id == counter.id,
                                                        CounterSession.status.in_(expected))
                           .values(**values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise SessionStateConflict(f"柜台会话当前为{STATUS_NAMES[counter.status]}，不能{ACTION_NAMES[action]}")
    session.refresh(counter)
    audit.record(session, actor, f"booking.counter_session_{action}", "counter_session", counter.id, at=now)
    return counter


STATUS_NAMES = {"open": "在岗", "paused": "暂停", "closed": "已结束"}
ACTION_NAMES = {"pause": "暂停", "resume": "恢复", "close": "结束"}


def pause(session: Session, actor: Actor, clock, session_id: int) -> CounterSession:
    """No new calls until resumed; a ticket already at the window stays."""
    now = clock.now()
    counter = get_for_clerk(session, actor, session_id)
    return _transition(session, actor, counter, ("open",), now, "pause", status="paused", paused_at=now)


def resume(session: Session, actor: Actor, clock, session_id: int) -> CounterSession:
    now = clock.now()
    counter = get_for_clerk(session, actor, session_id)
    paused = int((now - counter.paused_at).total_seconds()) if counter.paused_at else 0
    return _transition(session, actor, counter, ("paused",), now, "resume", status="open", paused_at=None,
                       paused_seconds=CounterSession.paused_seconds + max(0, paused))


def close(session: Session, actor: Actor, clock, session_id: int) -> CounterSession:
    """End the session. A ticket still at the window goes back to the waiting
    line at its old place (nobody is lost because a clerk left)."""
    now = clock.now()
    counter = get_overseen(session, actor, session_id, lock=True)
    return _close(session, actor, counter, now)


def close_forgotten(session: Session, clock) -> int:
    """Sessions still open from an earlier (local) day end at that day's end:
    a window is not held overnight, and staffed time stops at midnight."""
    now = clock.now()
    stale = list(session.scalars(select(CounterSession).where(
        CounterSession.status.in_(SESSION_OPEN),
        CounterSession.opened_at < start_of_local_day(local_today(now))).with_for_update(skip_locked=True)))
    for counter in stale:
        _close(session, SYSTEM, counter, min(now, end_of_local_day(local_today(counter.opened_at))))
    return len(stale)


def _close(session: Session, actor: Actor, counter: CounterSession, now: datetime) -> CounterSession:
    paused = int((now - counter.paused_at).total_seconds()) if counter.status == "paused" and counter.paused_at else 0
    for ticket in session.scalars(select(Ticket).where(Ticket.session_id == counter.id,
                                                       Ticket.status.in_(AT_WINDOW))):
        periods.close_open(session, ticket.id, now, "close")
        session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.status.in_(AT_WINDOW))
                        .values(status="waiting", window_id=None, call_count=0, serving_at=None, waiting_since=now)
                        .execution_options(synchronize_session=False))
        audit.record(session, actor, "booking.ticket_return", "ticket", ticket.id,
                     {"session_id": counter.id, "reason": "session_closed"}, at=now)
        events.ticket_event(session, "ticket.returned", ticket, now)
    return _transition(session, actor, counter, SESSION_OPEN, now, "close", status="closed", closed_at=now,
                       paused_at=None, paused_seconds=CounterSession.paused_seconds + max(0, paused))


def start_of_local_day(day) -> datetime:
    return end_of_local_day(day - timedelta(days=1))


def at_window_now(session: Session, counter: CounterSession) -> Ticket | None:
    """The ticket called or being served at the session's window, if any."""
    return session.scalar(select(Ticket).where(Ticket.window_id == counter.window_id,
                                               Ticket.status.in_(AT_WINDOW)))


def view(session: Session, counter: CounterSession, now: datetime) -> dict:
    window = session.get(Window, counter.window_id)
    ticket = at_window_now(session, counter) if counter.status != "closed" else None
    end = counter.closed_at or now
    paused = counter.paused_seconds + (int((now - counter.paused_at).total_seconds())
                                       if counter.status == "paused" and counter.paused_at else 0)
    return {"id": counter.id, "hall_id": counter.hall_id, "window_id": counter.window_id,
            "window_number": window.number, "window_name": window.name, "staff_id": counter.staff_id,
            "status": counter.status, "opened_at": counter.opened_at, "paused_at": counter.paused_at,
            "closed_at": counter.closed_at,
            "staffed_minutes": max(0, int((end - counter.opened_at).total_seconds()) - paused) // 60,
            "current_ticket_id": ticket.id if ticket is not None else None}
