"""Counter sessions: one clerk per window and one window per clerk, calling
for the session's window only, pause/resume/close, the waiting list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from booking.models import CounterSession, Ticket

from tests.api.booking.booking_builders import build_hall

API = "/api/v1/booking"


@pytest.fixture
def setup(session, clock):
    return build_hall(session, clock)


@pytest.fixture
def kiosk(make, setup):
    device, _ = make.kiosk(hall_id=setup.hall.id)
    return make.headers(device)


@pytest.fixture
def clerks(make, setup):
    return [make.headers(make.staff(hall_id=setup.hall.id)) for _ in range(2)]


def open_at(client, headers, window_id):
    return client.post(f"{API}/counter-sessions", json={"window_id": window_id}, headers=headers)


def walk_in(client, kiosk, item, **body):
    response = client.post(f"{API}/tickets", json=dict({"item": item}, **body), headers=kiosk)
    assert response.status_code == 201, response.json
    return response.json


def test_one_clerk_per_window_and_one_window_per_clerk(client, setup, clerks, session):
    first, second = clerks
    w1, w2 = setup.general_windows
    opened = open_at(client, first, w1.id)
    assert opened.status_code == 201, opened.json
    assert opened.json["status"] == "open" and opened.json["window_number"] == w1.number
    taken = open_at(client, second, w1.id)
    assert taken.status_code == 409 and taken.json["code"] == "booking.window_taken"
    twice = open_at(client, first, w2.id)
    assert twice.status_code == 409 and twice.json["code"] == "booking.session_open"
    assert twice.json["session_id"] == opened.json["id"]
    assert session.scalar(select(CounterSession.id).where(CounterSession.window_id == w2.id)) is None
    current = client.get(f"{API}/counter-sessions/current", headers=first)
    assert current.status_code == 200 and current.json["id"] == opened.json["id"]
    none = client.get(f"{API}/counter-sessions/current", headers=second)
    assert none.status_code == 404 and none.json["code"] == "booking.no_session"
    # after closing, the window and the clerk are free again
    assert client.post(f"{API}/counter-sessions/{opened.json['id']}/close", headers=first).json["status"] == "closed"
    assert open_at(client, second, w1.id).status_code == 201
    assert open_at(client, first, w2.id).status_code == 201


def test_a_clerk_calls_only_for_their_session_window(client, setup, clerks, kiosk):
    first, second = clerks
    w1, w2 = setup.general_windows
    walk_in(client, kiosk, setup.general_item)
    walk_in(client, kiosk, setup.general_item)
    mine = open_at(client, first, w1.id).json["id"]
    theirs = open_at(client, second, w2.id).json["id"]
    # the window-addressed call needs the caller's session at that window
    elsewhere = client.post(f"{API}/windows/{w2.id}/call-next", headers=first)
    assert elsewhere.status_code == 409 and elsewhere.json["code"] == "booking.session_required"
    foreign = client.post(f"{API}/counter-sessions/{theirs}/call-next", headers=first)
    assert foreign.status_code == 403 and foreign.json["code"] == "booking.not_your_session"
    called = client.post(f"{API}/counter-sessions/{mine}/call-next", headers=first)
    assert called.status_code == 200, called.json
    assert (called.json["window_id"], called.json["session_id"], called.json["status"]) == (w1.id, mine, "called")
    # the other clerk of the hall cannot act on a ticket this session called
    for action in ("recall", "serve", "complete"):
        refused = client.post(f"{API}/tickets/{called.json['id']}/{action}", headers=second)
        assert refused.status_code == 403 and refused.json["code"] == "booking.not_your_session", action
    busy = client.post(f"{API}/counter-sessions/{mine}/call-next", headers=first)
    assert busy.status_code == 409 and busy.json["code"] == "booking.window_busy"
    assert busy.json["ticket_id"] == called.json["id"]
    served = client.post(f"{API}/tickets/{called.json['id']}/serve", headers=first)
    assert served.status_code == 200 and served.json["status"] == "serving"
    assert client.post(f"{API}/tickets/{called.json['id']}/recall", headers=first).status_code == 409
    assert client.post(f"{API}/tickets/{called.json['id']}/complete", headers=first).json["status"] == "completed"


def test_pause_resume_and_close_returns_the_ticket_to_its_place(client, setup, clerks, kiosk, session, make, clock):
    first, _ = clerks
    w1 = setup.general_windows[0]
    tickets = [walk_in(client, kiosk, setup.general_item) for _ in range(3)]
    sid = open_at(client, first, w1.id).json["id"]
    paused = client.post(f"{API}/counter-sessions/{sid}/pause", headers=first)
    assert paused.status_code == 200 and paused.json["status"] == "paused"
    refused = client.post(f"{API}/counter-sessions/{sid}/call-next", headers=first)
    assert refused.status_code == 409 and refused.json["code"] == "booking.session_paused"
    again = client.post(f"{API}/counter-sessions/{sid}/pause", headers=first)
    assert again.status_code == 409 and again.json["code"] == "booking.session_state"
    clock.advance(minutes=5)
    assert client.post(f"{API}/counter-sessions/{sid}/resume", headers=first).json["status"] == "open"
    called = client.post(f"{API}/counter-sessions/{sid}/call-next", headers=first).json
    assert called["id"] == tickets[0]["id"]
    # the hall's admin closes a session left open; its ticket goes back to the head of the line
    admin = make.headers(make.staff("admin", department_code=None, hall_id=setup.hall.id))
    closed = client.post(f"{API}/counter-sessions/{sid}/close", headers=admin)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["staffed_minutes"] == 0  # 5 minutes open, 5 paused
    ticket = session.get(Ticket, called["id"])
    session.refresh(ticket)
    assert (ticket.status, ticket.window_id) == ("waiting", None)
    view = client.get(f"{API}/tickets/{called['id']}", headers=kiosk).json
    assert view["position"] == 0
    assert client.post(f"{API}/counter-sessions/{sid}/resume", headers=first).status_code == 409


def test_the_waiting_list_shows_what_the_window_needs(client, setup, clerks, kiosk, make, clock):
    first, _ = clerks
    citizen = make.citizen()
    walk_in(client, kiosk, setup.general_item, citizen_id=citizen.id)
    clock.advance(minutes=7)
    walk_in(client, kiosk, setup.general_item, priority_reason="pregnant")
    walk_in(client, kiosk, setup.police_item)  # another queue: not this window's
    sid = open_at(client, first, setup.general_windows[0].id).json["id"]
    listed = client.get(f"{API}/counter-sessions/{sid}/waiting", headers=first)
    assert listed.status_code == 200, listed.json
    assert listed.json["total"] == 2
    rows = listed.json["tickets"]
    assert [(r["lane"], r["position"], r["waited_minutes"]) for r in rows] == [("priority", 0, 0), ("walk_in", 1, 7)]
    assert rows[1]["source"] == "walk_in" and rows[1]["item"] == setup.general_item and rows[1]["item_name"]
    assert all(r["queue_prefix"] == "A" for r in rows)
    # no personal data: no citizen, no 绿色通道 reason
    assert not {"citizen_id", "priority_reason", "priority_note"} & set(rows[0])
    other_clerk_elsewhere = make.headers(make.staff(hall_id=build_hall(make.session, clock, code="T-X").hall.id))
    assert client.get(f"{API}/counter-sessions/{sid}/waiting", headers=other_clerk_elsewhere).status_code == 404


def test_bad_input_is_refused_without_change(client, setup, clerks, session, make):
    first, _ = clerks
    for body, status in (({"window_id": "x"}, 422), ({"window_id": 2 ** 40}, 422), ({}, 422),
                         ({"window_id": 1, "extra": 1}, 422), ({"window_id": 999999}, 404)):
        response = client.post(f"{API}/counter-sessions", json=body, headers=first)
        assert response.status_code == status, (body, response.json)
        assert response.content_type == "application/problem+json"
    kiosk_device, _ = make.kiosk(hall_id=setup.hall.id)
    assert open_at(client, make.headers(kiosk_device), setup.general_windows[0].id).status_code == 403
    admin = make.headers(make.staff("admin", department_code=None, hall_id=setup.hall.id))
    assert open_at(client, admin, setup.general_windows[0].id).status_code == 403
    assert client.post(f"{API}/counter-sessions/{2 ** 40}/pause", headers=first).status_code == 404
    assert session.scalar(select(CounterSession.id)) is None


def test_a_session_left_open_overnight_ends_at_its_day_end(client, setup, clerks, kiosk, session, clock, app):
    from datetime import timedelta

    from mobile_api.jobs.registry import rule_named
    from mobile_api.jobs.runs import run_period

    def run():
        return run_period(app, rule_named(app, "booking.close_forgotten_sessions"), "t", timedelta(minutes=30)).result

    first, _ = clerks
    walk_in(client, kiosk, setup.general_item)
    sid = open_at(client, first, setup.general_windows[0].id).json["id"]
    called = client.post(f"{API}/counter-sessions/{sid}/call-next", headers=first).json
    assert run() == {"sessions_closed": 0}  # the same day: it stays
    clock.advance(days=1)
    assert run() == {"sessions_closed": 1}
    clock.advance(minutes=30)
    assert run() == {"sessions_closed": 0}
    stored = session.get(CounterSession, sid)
    session.refresh(stored)
    assert stored.status == "closed" and stored.closed_at.isoformat() == "2026-11-26T16:00:00+00:00"  # local midnight
    ticket = session.get(Ticket, called["id"])
    session.refresh(ticket)
    assert (ticket.status, ticket.window_id) == ("waiting", None)
