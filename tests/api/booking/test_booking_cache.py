"""The per-process caches of booking (booking/services/cache.py): a change
made through the API is honoured by the next request of the same process; one
made elsewhere (another process) within the documented bound."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sqlalchemy import func, select

from booking.models import Appointment, CalendarOverride
from booking.services import cache

from tests.api.booking.booking_builders import build_hall

API = "/api/v1/booking"
TODAY = date(2026, 11, 26)
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
    return make.headers(device)


def book(client, make, setup, day=FRIDAY, at="10:00"):
    return client.post(f"{API}/appointments", headers=make.headers(make.citizen()),
                       json={"hall_id": setup.hall.id, "item": setup.general_item, "date": day.isoformat(),
                             "time": at})


def close(client, admin, setup, day):
    response = client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                           json={"date": day.isoformat(), "open": False, "reason": "停电检修"})
    assert response.status_code == 201, response.json


def test_a_closure_set_through_the_api_is_honoured_by_the_next_booking(client, make, admin, setup):
    assert book(client, make, setup).status_code == 201  # the hall and its calendar are now cached
    close(client, admin, setup, FRIDAY)
    refused = book(client, make, setup, at="10:30")
    assert refused.status_code == 422 and refused.json["code"] == "booking.hall_closed"


def test_a_closure_today_stops_walk_in_tickets_at_once(client, admin, kiosk, setup):
    body = {"item": setup.general_item}
    assert client.post(f"{API}/tickets", json=body, headers=kiosk).status_code == 201
    close(client, admin, setup, TODAY)
    refused = client.post(f"{API}/tickets", json=body, headers=kiosk)
    assert refused.status_code == 422 and refused.json["code"] == "booking.hall_closed"


def test_a_closure_from_another_process_stops_bookings_at_once(client, make, session, setup):
    """The calendar check reads cached overrides, but the booking's final
    statement (booking_open_day) checks what is committed: a closure made
    elsewhere refuses the next booking at once, with nothing written."""
    assert book(client, make, setup).status_code == 201
    # as another process would: straight into the table, this process's cache not told
    session.add(CalendarOverride(hall_id=setup.hall.id, day=FRIDAY, open=False, reason="停电检修", created_by=1,
                                 created_at=datetime(2026, 11, 26, 1, 0).astimezone()))
    session.commit()
    refused = book(client, make, setup, at="10:30")  # the cache still says open
    assert refused.status_code == 422 and refused.json["code"] == "booking.hall_closed"
    assert session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.hall_id == setup.hall.id)) == 1


def test_the_slot_list_follows_a_closure_from_another_process_within_the_bound(client, session, setup, monkeypatch):
    def slots():
        return client.get(f"{API}/halls/{setup.hall.id}/slots",
                          query_string={"item": setup.general_item, "date": FRIDAY.isoformat()})

    assert slots().status_code == 200  # the hall's calendar is now cached
    session.add(CalendarOverride(hall_id=setup.hall.id, day=FRIDAY, open=False, reason="停电检修", created_by=1,
                                 created_at=datetime(2026, 11, 26, 1, 0).astimezone()))
    session.commit()
    assert slots().status_code == 200  # stale, within the bound
    later = cache._monotonic() + cache.OVERRIDE_SECONDS + 0.1
    monkeypatch.setattr(cache, "_monotonic", lambda: later)
    refused = slots()
    assert refused.status_code == 422 and refused.json["code"] == "booking.hall_closed"
