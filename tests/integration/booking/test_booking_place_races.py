"""Real concurrency on PostgreSQL through the whole app (threads, each request
its own connection): the paths that change an appointment's place or status
racing each other. Issue 16, defects 1 and 2 and the closure part of 10."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from booking.models import (Appointment, CitizenLimit)
from booking.services import halls
from config import load_config
from mobile_api import create_app
from mobile_api.actor import Actor
from mobile_api.outbox import OutboxMessage
from mobile_api.uow import working
from tests.integration.booking.cleanup import remove_hall
from tests.conftest import servers_env

pytestmark = pytest.mark.postgres

API = "/api/v1/booking"
ITEM = "080100010000"
WEEKDAY_HOURS = {str(d): ["08:30", "17:30"] for d in range(5)}
# 2 windows × 2 places: a 4-place slot
CAPACITY = 4
# working days within the 7-day horizon of Thursday 2026-11-26, and slot pairs on each
DAYS = [date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
PAIRS = [("10:00", "10:30"), ("11:00", "11:30"), ("14:00", "14:30"), ("15:00", "15:30"), ("16:00", "16:30")]


@pytest.fixture
def factory(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def live_app(database, clock, redis_client, monkeypatch):
    """The app as a server runs it: every request its own session on the
    engine (no test transaction around it), so requests really race."""
    monkeypatch.setattr(halls, "catalogue_facts", lambda session, code: ("测试事项", True, None))
    config = load_config("testing", servers_env(LOG_LEVEL="CRITICAL", BOOKING_PLACES_PER_WINDOW="2",
                                                BOOKING_MAX_ACTIVE_PER_CITIZEN="50"))
    app = create_app(config, clock=clock, redis_client=redis_client, database=database)
    app.config["ACCESS_LOG"] = False
    return app


@pytest.fixture
def hall(factory, clock):
    with factory() as session, working(session, clock):
        created = halls.create_hall(session, clock, code="PLACE-RACE", name="改约并发大厅", level="city",
                                    address="测试路", lat=23.0, lng=113.7, opening_hours=WEEKDAY_HOURS)
        queue = halls.add_queue(session, created, "A", "综合窗口", general=True)
        for number in ("01", "02"):
            halls.add_window(session, created, number, f"{number}号窗口", [queue])
        halls.assign_item(session, created, queue, ITEM)
        hall_id = created.id
    yield hall_id
    with factory() as session:
        remove_hall(session, hall_id)
        session.commit()


def headers(app, citizen_id: int) -> dict:
    actor = Actor(kind="citizen", id=citizen_id, role="citizen", channel="miniprogram")
    return {"Authorization": f"Bearer {app.extensions['tokens'].issue_access(actor)}"}


def together(*calls):
    """Run the calls in threads released at once; their answers in order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(index):
        barrier.wait()
        try:
            answers[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001  checked by the test
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def slot_facts(factory, hall_id: int) -> list[tuple]:
    """(slot, capacity, booked counter, appointments holding a place in it:
    booked, checked in, or no-show, whose place stays taken)."""
    with factory() as session:
        return session.execute(text(
            "SELECT s.id, s.capacity, s.booked, (SELECT count(*) FROM booking_appointments a"
            " WHERE a.slot_id = s.id AND a.status IN ('booked', 'checked_in', 'no_show'))"
            " FROM booking_slots s WHERE s.hall_id = :hall ORDER BY s.id"), {"hall": hall_id}).all()


def test_cancel_and_reschedule_of_one_appointment_at_once_never_overbook(live_app, hall, factory):
    client = live_app.test_client
    statuses: list[int] = []
    rounds = [(day, pair) for day in DAYS for pair in PAIRS][:16]
    next_citizen = iter(range(740_000, 741_000))
    for day, (old_time, new_time) in rounds:
        holders = [next(next_citizen) for _ in range(CAPACITY)]
        booked = [client().post(f"{API}/appointments", headers=headers(live_app, c),
                                json={"hall_id": hall, "item": ITEM, "date": day.isoformat(), "time": old_time})
                  for c in holders]
        assert [r.status_code for r in booked] == [201] * CAPACITY, [r.json for r in booked]
        racer, appointment = holders[-1], booked[-1].json["id"]
        cancel, move = together(
            lambda: client().post(f"{API}/appointments/{appointment}/cancel", headers=headers(live_app, racer)),
            lambda: client().post(f"{API}/appointments/{appointment}/reschedule", headers=headers(live_app, racer),
                                  json={"date": day.isoformat(), "time": new_time}))
        statuses += [cancel.status_code, move.status_code]
        # whoever lost, the appointment ends cancelled or moved, never both kept
        # Newcomers then try both slots: a place released twice would let one too many in.
        for time in (old_time, new_time):
            for _ in range(2):
                answer = client().post(f"{API}/appointments", headers=headers(live_app, next(next_citizen)),
                                       json={"hall_id": hall, "item": ITEM, "date": day.isoformat(), "time": time})
                statuses.append(answer.status_code)
    assert not [s for s in statuses if s >= 500], statuses
    facts = slot_facts(factory, hall)
    assert facts
    for slot_id, capacity, counter, active in facts:
        assert active <= capacity, (slot_id, facts)
        assert counter == active, (slot_id, facts)
    with factory() as session:  # each citizen's count is their active appointments
        drift = session.execute(text(
            "SELECT l.citizen_id, l.active_count, (SELECT count(*) FROM booking_appointments a"
            " WHERE a.citizen_id = l.citizen_id AND a.status = 'booked') FROM booking_citizen_limits l"
            " WHERE l.citizen_id BETWEEN 740000 AND 741000")).all()
    assert all(count == active for _, count, active in drift), drift


def test_closing_a_day_while_citizens_book_it_leaves_no_appointment_behind(live_app, hall, factory):
    """Bookings in flight when an admin closes the day either land before the
    closure (and are cancelled by it, with a notice) or are refused: none is
    left booked on a closed day, to be marked a no-show later."""
    client = live_app.test_client
    day = DAYS[1]
    admin = Actor(kind="staff", id=1, role="admin", channel="window")
    admin_headers = {"Authorization": f"Bearer {live_app.extensions['tokens'].issue_access(admin)}"}
    times = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "14:00", "14:30"]

    def book(index):
        return lambda: client().post(f"{API}/appointments", headers=headers(live_app, 750_000 + index),
                                     json={"hall_id": hall, "item": ITEM, "date": day.isoformat(),
                                           "time": times[index % len(times)]})

    close = lambda: client().post(f"{API}/halls/{hall}/calendar-overrides", headers=admin_headers,  # noqa: E731
                                  json={"date": day.isoformat(), "open": False, "reason": "台风停止办公"})
    answers = together(*[book(i) for i in range(12)], close)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert not [a.status_code for a in answers if a.status_code >= 500], [a.json for a in answers]
    closure = answers[-1]
    assert closure.status_code == 201, closure.json
    booked_before = [a for a in answers[:-1] if a.status_code == 201]
    assert closure.json["appointments_cancelled"] == len(booked_before)
    refused = [a.json["code"] for a in answers[:-1] if a.status_code != 201]
    assert set(refused) <= {"booking.hall_closed"}, refused
    with factory() as session:
        left = session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.hall_id == hall, Appointment.local_date == day, Appointment.status == "booked"))
        notices = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.dedupe_key.like("booking:%:cancelled")))
    assert left == 0
    assert notices == len(booked_before)
    assert all(counter == active == 0 for _, _, counter, active in slot_facts(factory, hall))


def test_the_no_show_sweep_and_a_cancel_at_once(live_app, hall, factory, clock):
    """The sweep skips a row being cancelled rather than waiting on it or
    deciding on a stale read; whatever wins, the citizen's count is right."""
    from booking.policy import policy_from_config
    from booking.services import appointments

    client = live_app.test_client
    day = DAYS[0]
    made = [client().post(f"{API}/appointments", headers=headers(live_app, 760_000 + i),
                          json={"hall_id": hall, "item": ITEM, "date": day.isoformat(), "time": "10:00"})
            for i in range(4)]
    assert [m.status_code for m in made] == [201] * 4
    late = clock.now() + timedelta(days=1, hours=2)  # Friday 11:00, past the 10:00 check-in window

    class Later:
        def now(self):
            return late

    policy = policy_from_config(live_app.config)

    def sweep():
        with factory() as session, working(session, Later()):
            return appointments.sweep_no_shows(session, Later(), policy)

    cancels = [lambda i=i: client().post(f"{API}/appointments/{made[i].json['id']}/cancel",
                                         headers=headers(live_app, 760_000 + i)) for i in range(4)]
    answers = together(sweep, *cancels)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    with factory() as session:
        rows = session.execute(select(Appointment.citizen_id, Appointment.status)
                               .where(Appointment.hall_id == hall)).all()
        counts = dict(session.execute(select(CitizenLimit.citizen_id, CitizenLimit.active_count)
                                      .where(CitizenLimit.citizen_id.between(760_000, 760_003))).all())
    assert {status for _, status in rows} <= {"cancelled", "no_show"}, rows
    assert all(counts[citizen] == 0 for citizen, _ in rows), counts
    assert all(counter == active for _, _, counter, active in slot_facts(factory, hall))


def test_a_reschedule_committed_while_a_cancel_decides_is_not_released_twice(live_app, hall, factory,
                                                                             monkeypatch):
    """The interleaving behind the overbooking, made certain: the cancel has
    read the appointment (still in the old slot) when the reschedule commits.
    Releasing the slot id it read would free the old place a second time and
    leave the new one taken by a cancelled appointment."""
    from booking.services import appointments

    client = live_app.test_client
    day = DAYS[2]
    holders = [client().post(f"{API}/appointments", headers=headers(live_app, 770_000 + i),
                             json={"hall_id": hall, "item": ITEM, "date": day.isoformat(), "time": "10:00"})
               for i in range(CAPACITY)]
    assert [h.status_code for h in holders] == [201] * CAPACITY
    racer, appointment = 770_000 + CAPACITY - 1, holders[-1].json["id"]
    moved = threading.Event()
    checked = appointments._check_changeable

    def cancel_waits_for_the_reschedule(*args):
        if threading.current_thread().name == "cancel":
            moved.wait(timeout=1.5)  # long enough for the reschedule, unless it waits for our lock
        return checked(*args)

    monkeypatch.setattr(appointments, "_check_changeable", cancel_waits_for_the_reschedule)
    answers = {}

    def cancel():
        answers["cancel"] = client().post(f"{API}/appointments/{appointment}/cancel", headers=headers(live_app, racer))

    def reschedule():
        answers["reschedule"] = client().post(f"{API}/appointments/{appointment}/reschedule",
                                              headers=headers(live_app, racer),
                                              json={"date": day.isoformat(), "time": "10:30"})
        moved.set()

    threads = [threading.Thread(target=cancel, name="cancel"), threading.Thread(target=reschedule)]
    threads[0].start()
    threads[1].start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers["cancel"].status_code < 500 and answers["reschedule"].status_code < 500, answers
    newcomers = [client().post(f"{API}/appointments", headers=headers(live_app, 771_000 + i),
                               json={"hall_id": hall, "item": ITEM, "date": day.isoformat(), "time": "10:00"})
                 for i in range(3)]
    assert sum(n.status_code == 201 for n in newcomers) == 1  # exactly the one place the racer left
    for slot_id, capacity, counter, held in slot_facts(factory, hall):
        assert held <= capacity and counter == held, slot_facts(factory, hall)


def test_erasing_a_citizen_while_their_appointment_is_rescheduled_releases_the_place_it_holds(
        live_app, hall, factory, clock, monkeypatch):
    """The erasure hook cancels the appointments it found; a reschedule that
    commits after it looked must not make it release the old slot's place a
    second time (the same class of bug as cancel ∥ reschedule)."""
    from booking.services import citizens

    client = live_app.test_client
    day = DAYS[3]
    holders = [client().post(f"{API}/appointments", headers=headers(live_app, 780_000 + i),
                             json={"hall_id": hall, "item": ITEM, "date": day.isoformat(), "time": "10:00"})
               for i in range(CAPACITY)]
    assert [h.status_code for h in holders] == [201] * CAPACITY
    erased, appointment = 780_000 + CAPACITY - 1, holders[-1].json["id"]
    moved = threading.Event()
    cancel_found = citizens._cancel_for_hook

    def after_the_reschedule(*args):
        moved.wait(timeout=1.5)  # long enough for the reschedule, unless it waits for our lock
        return cancel_found(*args)

    monkeypatch.setattr(citizens, "_cancel_for_hook", after_the_reschedule)
    answers = {}

    def erase():
        with factory() as session, working(session, clock):
            citizens.erase_citizen(session, erased, clock.now())
        answers["erase"] = "done"

    def reschedule():
        answers["reschedule"] = client().post(f"{API}/appointments/{appointment}/reschedule",
                                              headers=headers(live_app, erased),
                                              json={"date": day.isoformat(), "time": "10:30"})
        moved.set()

    threads = [threading.Thread(target=erase), threading.Thread(target=reschedule)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers.get("erase") == "done" and answers["reschedule"].status_code < 500, answers
    newcomers = [client().post(f"{API}/appointments", headers=headers(live_app, 781_000 + i),
                               json={"hall_id": hall, "item": ITEM, "date": day.isoformat(), "time": "10:00"})
                 for i in range(3)]
    assert sum(n.status_code == 201 for n in newcomers) == 1  # exactly the place the erased citizen held
    for slot_id, capacity, counter, held in slot_facts(factory, hall):
        assert held <= capacity and counter == held, slot_facts(factory, hall)
