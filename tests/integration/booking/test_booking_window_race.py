"""Issue 16, defect 3: two call-next presses on one window at the same moment
both succeeded (the busy check came before the lock), leaving two tickets
called to one window. Real threads on PostgreSQL: presses on one window give
one ticket and 409s; the window's one-ticket rule holds in SQL itself; and
two clerks racing for one window (or one clerk for two) get one session."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from booking.errors import SessionAlreadyOpen, WindowBusy, WindowTaken
from booking.models import (CounterSession, Ticket, TicketPeriod)
from booking.policy import Policy
from booking.services import calling, counter, halls, tickets
from mobile_api.actor import Actor
from mobile_api.uow import working
from tests.integration.booking.cleanup import remove_hall
from tests.integration.booking.test_booking_races import run_parallel

pytestmark = pytest.mark.postgres

ITEM = "080100010000"
HOURS = {str(d): ["00:00", "23:59"] for d in range(7)}
PRESSES = 8


@pytest.fixture
def factory(engine, monkeypatch):
    monkeypatch.setattr(halls, "catalogue_facts", lambda session, code: ("测试事项", True, None))
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def hall(factory, clock):
    with factory() as session, working(session, clock):
        made = halls.create_hall(session, clock, code="WINDOW-RACE", name="一窗一号测试大厅", level="city",
                                 address="测试路", lat=23.0, lng=113.7, opening_hours=HOURS)
        queue = halls.add_queue(session, made, "A", "综合窗口", general=True)
        windows = [halls.add_window(session, made, f"{i:02d}", f"{i}号窗口", [queue]) for i in (1, 2)]
        halls.assign_item(session, made, queue, ITEM)
        session.commit()
        ids = {"hall": made.id, "queue": queue.id, "windows": [w.id for w in windows]}
    kiosk = Actor(kind="kiosk", id=1, role="kiosk", hall_id=ids["hall"], channel="kiosk")
    with factory() as session, working(session, clock):
        ids["tickets"] = [tickets.issue_walk_in(session, kiosk, clock, Policy(), item_code=ITEM).id
                          for _ in range(PRESSES)]
    yield ids
    with factory() as session, working(session, clock):
        remove_hall(session, ids["hall"])
        session.commit()


def clerk(hall_id: int, staff_id: int = 900) -> Actor:
    return Actor(kind="staff", id=staff_id, role="clerk", hall_id=hall_id, channel="window")


def at_window(factory, hall_id: int, window_id: int) -> list[int]:
    with factory() as session:
        return list(session.scalars(select(Ticket.id).where(Ticket.hall_id == hall_id, Ticket.window_id == window_id,
                                                            Ticket.status.in_(("called", "serving")))))


def test_presses_at_one_window_call_one_ticket(factory, clock, hall):
    """A clerk's double (here eightfold) press: one ticket, the rest 409 booking.window_busy."""
    me = clerk(hall["hall"])
    window = hall["windows"][0]
    with factory() as session, working(session, clock):
        counter.open_session(session, me, clock, window)
        session.commit()

    def press(_):
        with factory() as session, working(session, clock):
            ticket = calling.call_next_at_window(session, me, clock, Policy(), window)
            session.commit()
            return ticket.id

    results = run_parallel(PRESSES, press)
    called = [r for r in results if isinstance(r, int)]
    busy = [r for r in results if isinstance(r, WindowBusy)]
    assert len(called) == 1, results
    assert len(busy) == PRESSES - 1, results
    assert {b.extra["ticket_id"] for b in busy} == set(called)  # each 409 names the ticket at the window
    assert at_window(factory, hall["hall"], window) == called
    with factory() as session:
        waiting = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.hall_id == hall["hall"],
                                                                              Ticket.status == "waiting"))
    assert waiting == PRESSES - 1  # nobody else was taken out of the line


def test_the_database_refuses_a_second_ticket_at_a_window(factory, clock, hall):
    """Whatever path writes it, two tickets called to one window cannot both commit."""
    window = hall["windows"][0]
    first, second = hall["tickets"][:2]
    statement = text("UPDATE booking_tickets SET status = 'called', window_id = :window, call_count = 1 "
                     "WHERE id = :ticket AND status = 'waiting'")

    def claim(index):
        with factory() as session:
            session.execute(statement, {"window": window, "ticket": (first, second)[index]})
            session.commit()
            return "committed"

    results = run_parallel(2, claim)
    assert results.count("committed") == 1, results
    assert len([r for r in results if isinstance(r, IntegrityError)]) == 1, results
    assert len(at_window(factory, hall["hall"], window)) == 1


def test_two_clerks_racing_for_one_window_get_one_session(factory, clock, hall):
    window = hall["windows"][0]

    def take(index):
        with factory() as session, working(session, clock):
            opened = counter.open_session(session, clerk(hall["hall"], 910 + index), clock, window)
            session.commit()
            return opened.id

    results = run_parallel(6, take)
    assert len([r for r in results if isinstance(r, int)]) == 1, results
    assert all(isinstance(r, WindowTaken) for r in results if not isinstance(r, int)), results


def test_one_clerk_racing_for_two_windows_gets_one_session(factory, clock, hall):
    me = clerk(hall["hall"], 920)

    def take(index):
        with factory() as session, working(session, clock):
            opened = counter.open_session(session, me, clock, hall["windows"][index % 2])
            session.commit()
            return opened.id

    results = run_parallel(6, take)
    assert len([r for r in results if isinstance(r, int)]) == 1, results
    assert all(isinstance(r, (SessionAlreadyOpen, WindowTaken)) for r in results if not isinstance(r, int)), results
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(CounterSession).where(
            CounterSession.staff_id == me.id, CounterSession.status == "open")) == 1


def test_the_index_is_the_last_word_when_the_busy_check_misses(factory, clock, hall, monkeypatch):
    """Were the busy check ever skipped or stale, the claim itself is refused
    by the partial unique index, answered as 409 booking.window_busy."""
    me = clerk(hall["hall"], 930)
    window = hall["windows"][0]
    with factory() as session, working(session, clock):
        sid = counter.open_session(session, me, clock, window).id
    with factory() as session, working(session, clock):
        first = calling.call_next(session, me, clock, Policy(), sid).id
    monkeypatch.setattr(counter, "at_window_now", lambda session, work: None)
    with pytest.raises(WindowBusy), factory() as session, working(session, clock):
        calling.call_next(session, me, clock, Policy(), sid)
    assert at_window(factory, hall["hall"], window) == [first]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(TicketPeriod).where(
            TicketPeriod.hall_id == hall["hall"])) == 2  # the refused call wrote nothing
