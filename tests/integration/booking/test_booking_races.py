"""Real concurrency on PostgreSQL: several connections racing for the same
places, the same queue and the same ticket counter."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from booking.errors import NothingToCall, SlotFull, TooManyAppointments
from booking.models import (Appointment, CitizenLimit, Slot)
from booking.policy import Policy
from booking.services import appointments, calling, counter, halls, tickets
from mobile_api.actor import Actor
from mobile_api.uow import working
from tests.integration.booking.cleanup import remove_hall

pytestmark = pytest.mark.postgres

FRIDAY = date(2026, 11, 27)
ITEM_A, ITEM_B = "080100010000", "010300010000"
WEEKDAY_HOURS = {str(d): ["08:30", "17:30"] for d in range(5)}


@pytest.fixture
def factory(engine, monkeypatch):
    # Items here are plain codes; the catalogue check is not what these tests race.
    monkeypatch.setattr(halls, "catalogue_facts", lambda session, code: ("测试事项", True, None))
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def race_hall(factory, clock):
    with factory() as session, working(session, clock):
        hall = halls.create_hall(session, clock, code="RACE-HALL", name="并发测试大厅", level="city",
                                 address="测试路", lat=23.0, lng=113.7, opening_hours=WEEKDAY_HOURS)
        general = halls.add_queue(session, hall, "A", "综合窗口", general=True)
        police = halls.add_queue(session, hall, "B", "公安专窗")
        windows = [halls.add_window(session, hall, f"{i:02d}", f"{i}号窗口", [general]) for i in (1, 2, 3)]
        halls.assign_item(session, hall, general, ITEM_A)
        halls.assign_item(session, hall, police, ITEM_B)
        halls.add_window(session, hall, "11", "11号窗口", [police], "special")
        session.commit()
        ids = {"hall": hall.id, "general": general.id, "police": police.id, "windows": [w.id for w in windows]}
    yield ids
    with factory() as session, working(session, clock):
        remove_hall(session, ids["hall"])
        session.commit()


def run_parallel(count: int, work):
    """Start `count` threads that wait at a barrier, then all call work(i)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index):
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # collected and checked by the test
            results[index] = exc

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def citizen(citizen_id: int) -> Actor:
    return Actor(kind="citizen", id=citizen_id, role="citizen", channel="miniprogram")


def test_many_citizens_race_for_the_last_places(factory, clock, race_hall):
    policy = Policy(places_per_window=2)  # 3 windows × 2 = 6 places

    def book(index):
        with factory() as session, working(session, clock):
            return appointments.book(session, citizen(700_000 + index), clock, policy, hall_id=race_hall["hall"],
                                     item_code=ITEM_A, day=FRIDAY, at="10:00").id

    results = run_parallel(30, book)
    created = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, SlotFull)]
    assert len(created) == 6, results
    assert len(refused) == 24, [r for r in results if not isinstance(r, (int, SlotFull))]
    with factory() as session, working(session, clock):
        slot = session.scalar(select(Slot).where(Slot.hall_id == race_hall["hall"]))
        assert (slot.booked, slot.capacity) == (6, 6)
        assert len(session.scalars(select(Appointment.id).where(Appointment.slot_id == slot.id)).all()) == 6
        # losers' per-citizen counters were rolled back with them
        assert session.scalar(text("SELECT coalesce(sum(active_count), 0) FROM booking_citizen_limits "
                                   "WHERE citizen_id >= 700000 AND citizen_id < 700030")) == 6


def test_one_citizen_racing_past_the_active_limit(factory, clock, race_hall):
    policy = Policy(max_active_per_citizen=2)
    days = [date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]

    def book(index):
        with factory() as session, working(session, clock):
            return appointments.book(session, citizen(710_000), clock, policy, hall_id=race_hall["hall"],
                                     item_code=ITEM_A, day=days[index], at="10:00").id

    results = run_parallel(len(days), book)
    assert sum(isinstance(r, int) for r in results) == 2, results
    assert sum(isinstance(r, TooManyAppointments) for r in results) == 3, results


def test_same_item_same_day_twice_at_once(factory, clock, race_hall):
    def book(index):
        with factory() as session, working(session, clock):
            return appointments.book(session, citizen(720_000), clock, Policy(), hall_id=race_hall["hall"],
                                     item_code=ITEM_A, day=FRIDAY, at=["10:00", "10:30", "11:00", "14:00"][index]).id

    results = run_parallel(4, book)
    assert sum(isinstance(r, int) for r in results) == 1, results
    with factory() as session, working(session, clock):
        assert session.scalar(select(CitizenLimit.active_count).where(CitizenLimit.citizen_id == 720_000)) == 1
        assert session.scalar(text("SELECT sum(booked) FROM booking_slots WHERE hall_id = :h"),
                              {"h": race_hall["hall"]}) == 1


def test_parallel_kiosks_get_unique_gap_free_numbers(factory, clock, race_hall):
    kiosk = Actor(kind="kiosk", id=1, role="kiosk", hall_id=race_hall["hall"], channel="kiosk")

    def issue(index):
        numbers = []
        for _ in range(10):
            with factory() as session, working(session, clock):
                numbers.append(tickets.issue_walk_in(session, kiosk, clock, Policy(), item_code=ITEM_A).number)
        return numbers

    results = run_parallel(8, issue)
    numbers = [n for batch in results for n in batch]
    assert sorted(numbers) == list(range(1, 81)), results


def test_two_clerks_pressing_at_once_never_call_a_ticket_twice(factory, clock, race_hall):
    kiosk = Actor(kind="kiosk", id=1, role="kiosk", hall_id=race_hall["hall"], channel="kiosk")
    with factory() as session, working(session, clock):
        issued = [tickets.issue_walk_in(session, kiosk, clock, Policy(), item_code=ITEM_A).id for _ in range(30)]
    window_ids = race_hall["windows"]

    def clerk_loop(index):
        clerk = Actor(kind="staff", id=800 + index, role="clerk", hall_id=race_hall["hall"], channel="window")
        with factory() as session, working(session, clock):
            counter.open_session(session, clerk, clock, window_ids[index])
            session.commit()
        called = []
        while True:
            with factory() as session, working(session, clock):
                try:
                    ticket = calling.call_next_at_window(session, clerk, clock, Policy(), window_ids[index])
                except NothingToCall:
                    return called
                called.append(ticket.id)
                calling.complete(session, clerk, clock, ticket.id)

    results = run_parallel(3, clerk_loop)
    assert not [r for r in results if isinstance(r, Exception)], results
    all_called = [t for batch in results for t in batch]
    assert Counter(all_called).most_common(1)[0][1] == 1  # nobody twice
    assert sorted(all_called) == sorted(issued)  # everybody once
