"""A hall closed for a day, tickets outside opening hours, and days past the
holiday library (issue 16: the closure part of 10, defects 11 and 7)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from booking.models import Appointment, CitizenLimit, DeclaredDay, Slot
from booking.policy import policy_from_config
from booking.services import appointments, cache
from mobile_api.clock import LOCAL_TZ
from mobile_api.outbox import CITIZEN_NOTIFY, OutboxMessage
from tests.api.booking.booking_builders import build_hall

API = "/api/v1/booking"
FRIDAY = date(2026, 11, 27)


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


@pytest.fixture
def admin(make, setup):
    return make.headers(make.staff(role="admin", hall_id=setup.hall.id))


@pytest.fixture
def kiosk(make, setup):
    device, _ = make.kiosk(hall_id=setup.hall.id)
    return device


def book(client, headers, setup, day=FRIDAY, at="10:00"):
    return client.post(f"{API}/appointments", headers=headers,
                       json={"hall_id": setup.hall.id, "item": setup.general_item, "date": day.isoformat(),
                             "time": at})


def close(client, admin, setup, day=FRIDAY, reason="停电检修"):
    return client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                       json={"date": day.isoformat(), "open": False, "reason": reason})


# -- closing a day -------------------------------------------------------------

def test_closing_a_day_cancels_its_appointments_with_a_notice_and_releases_the_places(
        client, make, session, setup, admin, app, clock):
    citizens = [make.citizen() for _ in range(3)]
    made = [book(client, make.headers(c), setup, at=at) for c, at in zip(citizens, ["10:00", "10:00", "14:00"])]
    other_day = book(client, make.headers(citizens[0]), setup, day=date(2026, 11, 30))
    assert [m.status_code for m in made + [other_day]] == [201] * 4

    closed = close(client, admin, setup, reason="台风停止办公")
    assert closed.status_code == 201, closed.json
    assert closed.json["appointments_cancelled"] == 3

    for answer, citizen in zip(made, citizens):
        mine = client.get(f"{API}/appointments/{answer.json['id']}", headers=make.headers(citizen)).json
        assert mine["status"] == "cancelled" and mine["qr_payload"] is None
    assert client.get(f"{API}/appointments/{other_day.json['id']}",
                      headers=make.headers(citizens[0])).json["status"] == "booked"
    assert set(session.scalars(select(Slot.booked).where(Slot.local_date == FRIDAY,
                                                         Slot.hall_id == setup.hall.id))) == {0}
    counts = dict(session.execute(select(CitizenLimit.citizen_id, CitizenLimit.active_count)
                                  .where(CitizenLimit.citizen_id.in_([c.id for c in citizens]))).all())
    assert counts == {citizens[0].id: 1, citizens[1].id: 0, citizens[2].id: 0}

    notices = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == CITIZEN_NOTIFY,
                                                          OutboxMessage.dedupe_key.like("booking:%:cancelled"))).all()
    assert sorted(n.payload["citizen_id"] for n in notices) == sorted(c.id for c in citizens)
    assert {n.payload["event"] for n in notices} == {"booking_cancelled"}
    assert all("停止办公" in n.payload["data"]["tip"] for n in notices)
    reminders = session.scalars(select(OutboxMessage.status).where(
        OutboxMessage.dedupe_key.in_([f"booking:{m.json['id']}:%" for m in made]))).all()
    assert "pending" not in reminders

    # the day passes: nobody is marked a no-show for a closed day
    clock.set(datetime(2026, 11, 27, 18, 0, tzinfo=LOCAL_TZ))
    appointments.sweep_no_shows(session, clock, policy_from_config(app.config))
    statuses = session.scalars(select(Appointment.status).where(Appointment.local_date == FRIDAY,
                                                                Appointment.hall_id == setup.hall.id)).all()
    assert set(statuses) == {"cancelled"}


def test_closing_a_day_twice_cancels_nothing_more_and_reopening_keeps_cancellations(
        client, make, session, setup, admin):
    citizen = make.citizen()
    made = book(client, make.headers(citizen), setup)
    assert close(client, admin, setup).json["appointments_cancelled"] == 1
    assert close(client, admin, setup).json["appointments_cancelled"] == 0
    reopened = client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                           json={"date": FRIDAY.isoformat(), "open": True, "reason": "恢复办公"})
    assert reopened.status_code == 201 and reopened.json["appointments_cancelled"] == 0
    assert client.get(f"{API}/appointments/{made.json['id']}",
                      headers=make.headers(citizen)).json["status"] == "cancelled"
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.dedupe_key.like("booking:%:cancelled"))) == 1


def test_a_reschedule_into_a_day_closed_elsewhere_is_refused_by_its_statement(client, make, session, setup):
    """The calendar check is cached; the reschedule's own statement is not."""
    from booking.models import CalendarOverride

    citizen = make.citizen()
    made = book(client, make.headers(citizen), setup)
    monday = date(2026, 11, 30)
    assert client.get(f"{API}/halls/{setup.hall.id}/slots", query_string={  # caches Monday as open
        "item": setup.general_item, "date": monday.isoformat()}).status_code == 200
    session.add(CalendarOverride(hall_id=setup.hall.id, day=monday, open=False, reason="另一进程闭厅",
                                 created_by=1, created_at=datetime(2026, 11, 26, 1, 0, tzinfo=LOCAL_TZ)))
    session.commit()
    refused = client.post(f"{API}/appointments/{made.json['id']}/reschedule", headers=make.headers(citizen),
                          json={"date": monday.isoformat(), "time": "10:00"})
    assert refused.status_code == 422 and refused.json["code"] == "booking.hall_closed"
    mine = client.get(f"{API}/appointments/{made.json['id']}", headers=make.headers(citizen)).json
    assert mine["status"] == "booked" and mine["date"] == FRIDAY.isoformat()


# -- walk-in tickets and opening hours ------------------------------------------

@pytest.mark.parametrize("hhmm", ["02:30", "08:29", "17:30", "21:00"])
def test_no_walk_in_ticket_outside_opening_hours(client, make, kiosk, setup, clock, hhmm):
    hours, minutes = (int(v) for v in hhmm.split(":"))
    clock.set(datetime(2026, 11, 26, hours, minutes, tzinfo=LOCAL_TZ))
    refused = client.post(f"{API}/tickets", json={"item": setup.general_item}, headers=make.headers(kiosk))
    assert refused.status_code == 409, refused.json
    assert refused.content_type == "application/problem+json"
    assert refused.json["code"] == "booking.outside_opening_hours"
    assert "08:30–17:30" in refused.json["detail"]


@pytest.mark.parametrize("hhmm", ["08:30", "12:30", "17:29"])
def test_walk_in_tickets_from_opening_to_closing(client, make, kiosk, setup, clock, hhmm):
    hours, minutes = (int(v) for v in hhmm.split(":"))
    clock.set(datetime(2026, 11, 26, hours, minutes, tzinfo=LOCAL_TZ))
    answer = client.post(f"{API}/tickets", json={"item": setup.general_item}, headers=make.headers(kiosk))
    assert answer.status_code == 201, answer.json


def test_no_walk_in_ticket_on_a_weekend_or_holiday(client, make, kiosk, setup, clock):
    clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=LOCAL_TZ))  # a Saturday, no weekend hours
    refused = client.post(f"{API}/tickets", json={"item": setup.general_item}, headers=make.headers(kiosk))
    assert refused.status_code == 422 and refused.json["code"] == "booking.hall_closed"
    clock.set(datetime(2027, 1, 1, 10, 0, tzinfo=LOCAL_TZ))  # 元旦, past the library
    refused = client.post(f"{API}/tickets", json={"item": setup.general_item}, headers=make.headers(kiosk))
    assert refused.status_code == 422 and "元旦" in refused.json["detail"]


# -- days past the holiday library ------------------------------------------------

def test_new_years_day_past_the_library_is_not_bookable(client, make, setup, clock):
    clock.set(datetime(2026, 12, 28, 9, 0, tzinfo=LOCAL_TZ))
    refused = book(client, make.headers(make.citizen()), setup, day=date(2027, 1, 1))
    assert refused.status_code == 422 and refused.json["code"] == "booking.hall_closed"
    assert "元旦" in refused.json["detail"]
    slots = client.get(f"{API}/halls/{setup.hall.id}/slots",
                       query_string={"item": setup.general_item, "date": "2027-01-01"})
    assert slots.status_code == 422 and slots.json["code"] == "booking.hall_closed"
    # the day before is an ordinary working day of the library's last year
    thursday = client.get(f"{API}/halls/{setup.hall.id}/slots",
                          query_string={"item": setup.general_item, "date": "2026-12-31"})
    assert thursday.status_code == 200


def test_a_loaded_notice_opens_its_make_up_days_and_closes_its_holidays(client, make, session, setup, clock):
    clock.set(datetime(2027, 2, 1, 9, 0, tzinfo=LOCAL_TZ))
    for day, working, name in [(date(2027, 2, 4), False, "春节"), (date(2027, 2, 6), True, "春节调休")]:
        session.add(DeclaredDay(day=day, working=working, name=name, source="测试通知", created_at=clock.now()))
    session.commit()
    cache.clear_all()
    citizen = make.headers(make.citizen())
    refused = book(client, citizen, setup, day=date(2027, 2, 4))  # a Thursday the notice makes a holiday
    assert refused.status_code == 422 and "春节" in refused.json["detail"]
    saturday = client.get(f"{API}/halls/{setup.hall.id}/slots",
                          query_string={"item": setup.general_item, "date": "2027-02-06"})
    assert saturday.status_code == 200, saturday.json
    assert saturday.json["calendar_confirmed"] is True and saturday.json["calendar_note"] is None
    assert book(client, citizen, setup, day=date(2027, 2, 6)).status_code == 201
