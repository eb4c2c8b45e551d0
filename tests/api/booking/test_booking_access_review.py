"""Access review: forbidden cases through the API answer 403/404 and change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from booking.models import Appointment, CalendarOverride, Ticket

from tests.api.booking.booking_builders import at_window, build_hall

FRIDAY = date(2026, 11, 27)
API = "/api/v1/booking"


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


@pytest.fixture
def other(session, clock):
    return build_hall(session, clock, code="T-OTHER", lat=23.05, lng=113.76)


def _book(client, make, setup, at="10:00"):
    citizen = make.citizen()
    response = client.post(f"{API}/appointments", headers=make.headers(citizen),
                           json={"hall_id": setup.hall.id, "item": setup.general_item,
                                 "date": FRIDAY.isoformat(), "time": at})
    assert response.status_code == 201, response.json
    return citizen, response.json


def _status(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id).status


def test_no_token_is_401(client, setup):
    for method, path in (("get", "/appointments"), ("get", "/appointments/1"), ("post", "/appointments/1/cancel"),
                         ("post", "/tickets"), ("post", "/windows/1/call-next"), ("get", "/tickets/1"),
                         ("get", f"/halls/{setup.hall.id}/stats?date=2026-11-26")):
        response = getattr(client, method)(API + path)
        assert response.status_code == 401, (method, path, response.status_code)


def test_another_citizen_cannot_see_or_change_an_appointment(client, make, session, setup):
    _, appointment = _book(client, make, setup)
    intruder = make.headers(make.citizen())
    aid = appointment["id"]
    assert client.get(f"{API}/appointments/{aid}", headers=intruder).status_code == 404
    assert client.post(f"{API}/appointments/{aid}/cancel", headers=intruder).status_code == 404
    moved = client.post(f"{API}/appointments/{aid}/reschedule", headers=intruder,
                        json={"date": FRIDAY.isoformat(), "time": "14:00"})
    assert moved.status_code == 404
    checkin = client.post(f"{API}/check-ins", headers=intruder,
                          json={"appointment_id": aid, "lat": setup.hall.lat, "lng": setup.hall.lng})
    assert checkin.status_code == 404
    listed = client.get(f"{API}/appointments", headers=intruder)
    assert listed.status_code == 200 and listed.json == []
    assert _status(session, Appointment, aid) == "booked"
    # staff never reach a citizen's appointment through the citizen endpoints
    clerk = make.headers(make.staff(hall_id=setup.hall.id))
    assert client.get(f"{API}/appointments/{aid}", headers=clerk).status_code == 403


def test_kiosk_of_another_hall_cannot_check_in(client, make, session, clock, setup, other):
    _, appointment = _book(client, make, setup, at="09:00")
    device, _ = make.kiosk(hall_id=other.hall.id)
    response = client.post(f"{API}/check-ins", headers=make.headers(device),
                           json={"qr_payload": appointment["qr_payload"]})
    assert response.status_code == 403 and response.json["code"] == "booking.wrong_hall"
    assert _status(session, Appointment, appointment["id"]) == "booked"
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_clerk_and_kiosk_of_another_hall_cannot_touch_tickets(client, make, session, setup, other):
    device, _ = make.kiosk(hall_id=setup.hall.id)
    ticket = client.post(f"{API}/tickets", json={"item": setup.general_item}, headers=make.headers(device))
    assert ticket.status_code == 201, ticket.json
    tid = ticket.json["id"]
    stranger = make.headers(make.staff(hall_id=other.hall.id))
    stranger_kiosk, _ = make.kiosk(hall_id=other.hall.id)
    assert client.post(f"{API}/windows/{setup.general_windows[0].id}/call-next", headers=stranger).status_code == 403
    assert client.get(f"{API}/tickets/{tid}", headers=stranger).status_code == 404
    assert client.get(f"{API}/tickets/{tid}", headers=make.headers(stranger_kiosk)).status_code == 404
    assert client.get(f"{API}/tickets/{tid}", headers=make.headers(make.citizen())).status_code == 404
    assert _status(session, Ticket, tid) == "waiting"

    own = make.headers(make.staff(hall_id=setup.hall.id))
    at_window(client, own, setup.general_windows[0].id)
    called = client.post(f"{API}/windows/{setup.general_windows[0].id}/call-next", headers=own)
    assert called.status_code == 200 and called.json["id"] == tid
    for action, body in (("recall", None), ("skip", None), ("complete", None),
                         ("transfer", {"queue_id": setup.police.id})):
        response = client.post(f"{API}/tickets/{tid}/{action}", headers=stranger, json=body)
        assert response.status_code == 403, (action, response.json)
    assert client.post(f"{API}/tickets/{tid}/requeue", headers=make.headers(stranger_kiosk)).status_code in (403, 404)
    assert client.post(f"{API}/tickets/{tid}/requeue", headers=make.headers(make.citizen())).status_code == 404
    assert _status(session, Ticket, tid) == "called"


def test_staff_of_another_hall_cannot_read_hall_stats(client, make, setup, other):
    stranger = make.headers(make.staff("clerk", "gongan", hall_id=other.hall.id))
    response = client.get(f"{API}/halls/{setup.hall.id}/stats", query_string={"date": "2026-11-26"}, headers=stranger)
    assert response.status_code == 403


def test_hall_admin_of_another_hall_cannot_change_the_calendar(client, make, session, setup, other):
    admin = make.headers(make.staff("admin", None, hall_id=other.hall.id))
    response = client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                           json={"date": "2026-11-27", "open": False, "reason": "x"})
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


def test_department_admin_cannot_change_a_halls_calendar(client, make, session, setup):
    admin = make.headers(make.staff("admin", "renshe", hall_id=None))
    response = client.post(f"{API}/halls/{setup.hall.id}/calendar-overrides", headers=admin,
                           json={"date": "2026-11-27", "open": False, "reason": "x"})
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(CalendarOverride)) == 0


def test_department_admin_cannot_read_any_halls_stats(client, make, setup):
    admin = make.headers(make.staff("admin", "renshe", hall_id=None))
    response = client.get(f"{API}/halls/{setup.hall.id}/stats", query_string={"date": "2026-11-26"}, headers=admin)
    assert response.status_code == 403
